"""Passages -> entities (one node per real thing) and metrics.

Sources, in order of trust: the ontology gazetteers (labels, aliases,
acronyms), acronym definitions found in the report ("long form (ABBR)" and
"ABBR (long form)"), and noun-phrase patterns for units, roles, meetings,
systems, operations and Acts ("the force's X team", "X unit", "X officers",
"Operation X", "... Act 2014"; see ``phrases``). Surface forms are normalised
(case, plural, possessive determiners, acronym expansion) before they are
resolved, so "the force's neighbourhood teams", "neighbourhood team" and "NPT"
are one node with an alias list. Metrics come from ``metrics`` (re-exported here).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.extract.metrics import Metric, metric_key, metrics
from graph.extract.phrases import (
    _ACT_RX, _GROUP_MODS, _OPERATION_RX, _canonical_label, _clean_surface, _np_candidates, _type_of_head,
    introduced_candidates, listed_with, org_candidates,
)
from graph.records import KIND_CAPTION, KIND_FOOTNOTE, KIND_TABLE, Passage, Report
from graph.text import alternation, find_acronyms, plural, singular, slug
from ontology import Term, acronyms as ontology_acronyms, gazetteer

__all__ = ["Entity", "Extraction", "Mention", "Metric", "extract", "find_acronyms", "lookup", "metric_key",
           "metrics", "norm_key", "plural", "singular", "slug", "term_id"]


@lru_cache(maxsize=1 << 16)
def norm_key(text: str) -> str:
    """Case/plural/apostrophe-insensitive key of a surface form (remembered: the same names recur in every
    passage and report)."""
    t = text.replace("’", "'").replace("–", "-").lower()
    t = re.sub(r"\s+", " ", t).strip(" .,;:")
    t = re.sub(r"^(?:the|a|an|its|their|our|this|these|those|each|all|any) ", "", t)
    t = re.sub(r"^(?:force's|forces'|force) ", "", t) if t.startswith("force's ") else t
    words = t.split(" ")
    words = [singular(w) for w in words]
    return " ".join(words)


# ---------------------------------------------------------------------------- records


@dataclass
class Entity:
    id: str
    type: str  # force | partner | unit | role | programme | legislation | metric | issue ...
    label: str
    kind: str | None = None
    aliases: set[str] = field(default_factory=set)
    data: dict[str, Any] = field(default_factory=dict)
    source: str = "gazetteer"  # gazetteer | acronym | pattern | metric


@dataclass(frozen=True)
class Mention:
    entity_id: str
    report_id: str
    passage_id: str
    start: int  # offsets in the passage text
    end: int
    surface: str


@dataclass
class Extraction:
    entities: dict[str, Entity]
    mentions: list[Mention]
    acronyms: dict[str, str]  # acronyms defined in this report -> long form

    def mentions_in(self, passage_id: str, start: int = 0, end: int | None = None) -> list[Mention]:
        return [m for m in self.mentions if m.passage_id == passage_id and m.start >= start
                and (end is None or m.end <= end)]


# ---------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class _Gaz:
    by_key: dict[str, Term]  # norm_key(name) -> term (label, aliases)
    by_acronym: dict[str, Term]  # exact acronym -> term
    names_rx: re.Pattern[str]
    acr_rx: re.Pattern[str] | None


def term_id(term: Term) -> str:
    return f"{term.type}:{slug(term.label)}"


@lru_cache(maxsize=1)
def _gaz() -> _Gaz:
    by_key: dict[str, Term] = {}
    by_acr: dict[str, Term] = {}
    forms: set[str] = set()
    for t in gazetteer():
        for name in (t.label, *t.aliases):
            if len(name) < 3:
                continue
            if name.isupper() and len(name) <= 8 and " " not in name:  # an acronym listed as alias
                by_acr.setdefault(name, t)
                continue
            by_key.setdefault(norm_key(name), t)
            forms.add(name)
        if t.acronym:
            by_acr.setdefault(t.acronym, t)
    atoms = {"".join(a): a for a in map(_name_atoms, forms)}  # "x's" and "x’s" are one pattern
    alts = [atoms[k] for k in sorted(atoms, key=len, reverse=True)]
    # names: case-insensitive, a plural ending allowed
    names_rx = re.compile(r"(?<![\w-])" + alternation(alts, fold_case=True) + r"(?:s|es)?(?![\w-])", re.I)
    acr = sorted(by_acr, key=len, reverse=True)
    acr_rx = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, acr)) + r")s?(?![\w-])") if acr else None
    return _Gaz(by_key, by_acr, names_rx, acr_rx)


def _name_atoms(name: str) -> list[str]:
    """A gazetteer name as regex atoms: any run of spaces for a space, either apostrophe for one."""
    return [r"\s+" if c == " " else "['’]" if c in "'’" else re.escape(c) for c in name]


def lookup(name: str) -> Term | None:
    """The gazetteer term for a surface form (label, alias or acronym), if any."""
    g = _gaz()
    if name in g.by_acronym:
        return g.by_acronym[name]
    if name.endswith("s") and name[:-1] in g.by_acronym:
        return g.by_acronym[name[:-1]]
    return g.by_key.get(norm_key(name))


# ---------------------------------------------------------------------------- extraction


class _Builder:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self.acr = find_acronyms(report.text)
        self.global_acr = ontology_acronyms()
        self.key_to_id: dict[str, str] = {}
        self._bare: list[tuple[str, Passage, int, int]] = []  # undefined-type acronyms, resolved at the end

    def add(self, typ: str, label: str, kind: str | None, source: str, alias: str | None = None) -> Entity:
        eid = f"{typ}:{slug(label)}"
        e = self.entities.get(eid)
        if e is None:
            e = self.entities[eid] = Entity(eid, typ, label, kind, source=source)
        if alias and alias.lower() != label.lower():
            e.aliases.add(alias)
        self.key_to_id.setdefault(norm_key(label), eid)
        return e

    def add_term(self, t: Term, surface: str | None = None) -> Entity:
        e = self.add(t.type, t.label, t.kind, "gazetteer")
        if t.acronym:
            e.aliases.add(t.acronym)
        if surface and norm_key(surface) != norm_key(t.label):
            e.aliases.add(_clean_surface(surface))
        return e

    def mention(self, e: Entity, p: Passage, start: int, end: int) -> None:
        self.mentions.append(Mention(e.id, p.report_id, p.passage_id, start, end, p.text[start:end]))

    # -- resolution of a pattern phrase
    def resolve(self, phrase: str, typ: str, kind: str, named: bool = False) -> Entity | None:
        surface = _clean_surface(phrase)
        t = lookup(surface)
        if t is not None:
            return self.add_term(t, surface)
        # expand a defined acronym inside the phrase: "RCTT team" -> alias "rural crime taskforce team"
        words = surface.split()
        expanded = " ".join(self.acr.get(w, self.acr.get(w[:-1], w) if w.endswith("s") else w) for w in words)
        if expanded != surface:
            t = lookup(expanded)
            if t is not None:
                return self.add_term(t, surface)
        label = _canonical_label(surface)
        if named:  # a name the report introduces keeps its capitals ("Trakka tag", "Hollybrook", not "hollybrook")
            last, said = label.split()[-1], surface.split()[-1]
            last = last[:1].upper() + last[1:] if said[:1].isupper() else last
            label = " ".join([*surface.split()[:-1], last])
        key = norm_key(label)
        if key in self.key_to_id:
            e = self.entities[self.key_to_id[key]]
        else:
            e = self.add(typ, label, kind or None, "pattern")
        if surface != e.label:
            e.aliases.add(surface)
        if expanded != surface:
            e.aliases.add(_canonical_label(expanded))
        return e

    def run(self) -> Extraction:
        # 1. acronym definitions that name a typed thing become entities up front
        acr_entities: dict[str, Entity] = {}
        for abbr, lf in sorted(self.acr.items()):
            t = lookup(abbr) or lookup(lf)
            if t is None and abbr in self.global_acr:
                t = lookup(self.global_acr[abbr])
            if t is not None:
                e = self.add_term(t)
                e.aliases.update({abbr, lf} - {e.label})
                acr_entities[abbr] = e
                continue
            head = singular(lf.split()[-1].lower())
            typ, kind = _type_of_head(head)
            if head == "group" and (len(lf.split()) < 2 or lf.split()[-2].lower() not in _GROUP_MODS):
                typ = kind = None  # "organised crime group" is a group of people, not a meeting
            if typ:
                e = self.add(typ, _canonical_label(lf), kind, "acronym", alias=abbr)
                acr_entities[abbr] = e
        force = self.report.meta.force
        if force:
            t = lookup(force)
            fe = self.add_term(t) if t else self.add("force", force, "police force", "metadata")
            self.force_id = fe.id
        for p in self.report.passages:
            if p.kind in (KIND_FOOTNOTE,):
                continue
            self._passage(p, acr_entities)
        # bare untyped acronyms ("within ABC") resolve to a unit named after them ("ABC team")
        self._bare_acronyms()
        return Extraction(self.entities, _dedupe(self.mentions), self.acr)

    def _passage(self, p: Passage, acr_entities: dict[str, Entity]) -> None:
        """Mentions in one passage; each span goes to the first rule that claims it."""
        taken: list[tuple[int, int]] = []
        self._operations_and_acts(p, taken)
        if p.kind not in (KIND_TABLE, KIND_CAPTION):
            self._patterns(p, taken)
        elif p.kind == KIND_TABLE:
            self._table_orgs(p, taken)
        self._gazetteer_names(p, taken, acr_entities)
        self._defined_acronyms(p, taken, acr_entities)
        self._listed_partners(p, taken)

    def _table_orgs(self, p: Passage, taken: list[tuple[int, int]]) -> None:
        """Organisations named in a table's cells (a table of partnership boards), one cell at a time."""
        for cell in re.finditer(r"[^|\t\n]+", p.text):
            for a, b, phrase, typ, kind in org_candidates(cell.group(0)):
                a, b = a + cell.start(), b + cell.start()
                e = self.resolve(phrase, typ, kind) if _free(taken, a, b) else None
                if e is not None:
                    self._claim(e, p, a, b, taken)

    def _listed_partners(self, p: Passage, taken: list[tuple[int, int]]) -> None:
        """Names listed beside partners found in this passage are partners too (a charity, a service)."""
        known = [(m.start, m.end) for m in self.mentions if m.passage_id == p.passage_id
                 and self.entities[m.entity_id].type == "partner" and m.surface[:1].isupper()]
        for a, b, name in listed_with(p.text, known) if known else ():
            if _free(taken, a, b):
                t = lookup(name)
                known_id = self.key_to_id.get(norm_key(name))
                e = (self.add_term(t, name) if t else self.entities[known_id] if known_id
                     else self.add("partner", _clean_surface(name), "agency", "pattern"))  # a name as written
                self._claim(e, p, a, b, taken)

    def _claim(self, e: Entity, p: Passage, a: int, b: int, taken: list[tuple[int, int]]) -> None:
        self.mention(e, p, a, b)
        taken.append((a, b))

    def _operations_and_acts(self, p: Passage, taken: list[tuple[int, int]]) -> None:
        for m in _OPERATION_RX.finditer(p.text):
            e = self.resolve(m.group(0), "programme", "operation")
            if e is not None:
                if e.source == "pattern":
                    e.kind = "operation"
                self._claim(e, p, m.start(), m.end(), taken)
        for a, b, name, typ, kind in introduced_candidates(p.text):
            e = self.resolve(name, typ, kind, named=True)
            if e is not None and _free(taken, a, b):
                self._claim(e, p, a, b, taken)
        for m in _ACT_RX.finditer(p.text):
            b = m.end(1)
            name = re.sub(r"^(?:The|the|Under|under|In|By)\s+", "", m.group(1))
            a = b - len(name)
            if _free(taken, a, b):
                t = lookup(name)
                e = self.add_term(t, name) if t else self.add("legislation", name, "legislation", "pattern")
                self._claim(e, p, a, b, taken)

    def _patterns(self, p: Passage, taken: list[tuple[int, int]]) -> None:
        """Organisations named in capitals and head-noun phrases, unless a longer gazetteer name covers them."""
        text = p.text
        gaz = [(m.start(), m.end()) for m in _gaz().names_rx.finditer(text) if lookup(m.group(0)) is not None]
        found = org_candidates(text) + _np_candidates(text)
        for a, b, phrase, typ, kind in sorted(found, key=lambda c: (c[0], c[0] - c[1])):
            if not _free(taken, a, b) or any(x <= a and y >= b and y - x > b - a for x, y in gaz):
                continue
            e = self.resolve(phrase, typ, kind)
            if e is not None:
                self._claim(e, p, a, b, taken)

    def _gazetteer_names(self, p: Passage, taken: list[tuple[int, int]], acr_entities: dict[str, Entity]) -> None:
        g = _gaz()
        for m in g.names_rx.finditer(p.text):
            t = lookup(m.group(0)) if _free(taken, m.start(), m.end()) else None
            if t is not None:
                a = m.start() - _place_before(p.text, m.start(), t.type) if m.group(0)[:1].isupper() else m.start()
                a = a if _free(taken, a, m.end()) else m.start()
                self._claim(self.add_term(t, p.text[a:m.end()]), p, a, m.end(), taken)
        for m in g.acr_rx.finditer(p.text) if g.acr_rx is not None else ():
            s = m.group(0)
            if not _free(taken, m.start(), m.end()) or (
                    s in self.acr and s not in acr_entities and s.rstrip("s") not in acr_entities):
                continue  # taken, or the report defines this acronym as something else
            t = lookup(s)
            if t is not None:
                self._claim(self.add_term(t), p, m.start(), m.end(), taken)

    def _defined_acronyms(self, p: Passage, taken: list[tuple[int, int]], acr_entities: dict[str, Entity]) -> None:
        text = p.text
        for abbr, e in acr_entities.items():
            spans = [m.span() for m in re.finditer(r"(?<![\w-])" + re.escape(abbr) + r"s?(?![\w-])", text)]
            lf = self.acr.get(abbr) if e.source == "acronym" else None
            spans += [m.span() for m in re.finditer(re.escape(lf), text, re.I)] if lf else []
            for a, b in spans:
                if _free(taken, a, b):
                    self._claim(e, p, a, b, taken)
        for abbr in self.acr:
            if abbr in acr_entities:
                continue
            for m in re.finditer(r"(?<![\w-])" + re.escape(abbr) + r"(?![\w-])", text):
                if _free(taken, m.start(), m.end()):
                    self._bare.append((abbr, p, m.start(), m.end()))

    def _bare_acronyms(self) -> None:
        for abbr, p, a, b in self._bare:
            target = next((e for e in sorted(self.entities.values(), key=lambda e: e.id)
                           if e.type == "unit" and e.label.split()[0] == abbr), None)
            if target is not None:
                target.aliases.add(abbr)
                self.mention(target, p, a, b)



# a place named before a national body's name, inside a sentence: "supported by Wendle Victim Support"
_PLACE_RX = re.compile(r"(?<=[a-z,] )((?:[A-Z][a-z][\w'’-]*\s+){1,2})$")
_NOT_PLACE = {"The", "And", "With", "From", "For", "Its", "Their", "Our", "This", "These", "Both", "Each", "All"}


def _place_before(text: str, start: int, typ: str) -> int:
    """How many characters of a place name ("Wendle ") stand before a partner's gazetteer name, making it the
    local body's name (0 when none, or for anything other than a partner)."""
    m = _PLACE_RX.search(text[max(0, start - 60):start]) if typ == "partner" else None
    if m is None or m.group(1).split()[0] in _NOT_PLACE or re.search(r"\b(?:Police|Constabulary)\b", m.group(1)):
        return 0
    return len(m.group(1))


def _free(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    return all(b <= x or a >= y for x, y in taken)


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in sorted(mentions, key=lambda m: (m.passage_id, m.start, m.end, m.entity_id)):
        k = (m.passage_id, m.start, m.end, m.entity_id)
        if k not in seen:
            seen.add(k)
            out.append(m)
    return out


def extract(report: Report) -> Extraction:
    """Entities and their mentions in one report (metrics come from ``metrics``)."""
    return _Builder(report).run()

