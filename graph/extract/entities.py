"""Passages -> entities (one node per real thing) and metrics.

Sources, in order of trust: the ontology gazetteers (labels, aliases,
acronyms), acronym definitions found in the report ("long form (ABBR)" and
"ABBR (long form)"), and noun-phrase patterns for units, roles, meetings,
systems, operations and Acts ("the force's X team", "X unit", "X officers",
"Operation X", "... Act 2014"). Surface forms are normalised (case, plural,
possessive determiners, acronym expansion) before they are resolved, so
"the force's neighbourhood teams", "neighbourhood team" and "NPT" are one
node with an alias list.

Metrics are number + unit + what it measures + period, read from sentences
("47 of the 60 crime files reviewed showed good victim care", "a 17.6
percent increase in crime", "33 organised crime groups").
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.records import KIND_CAPTION, KIND_FOOTNOTE, KIND_TABLE, Passage, Report
from graph.text import split_sentences
from ontology import Term, acronyms as ontology_acronyms, gazetteer

APOS = "'’"
WORD = r"[A-Za-z][\w'’-]*"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "'").replace("'", "")).strip("-")[:80] or "x"


def short_hash(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:10]


def singular(word: str) -> str:
    w = word
    lw = w.lower()
    if len(lw) <= 3 or lw.endswith(("ss", "us", "is", "ics")) or lw in _INVARIANT:
        return w
    if lw.endswith("ies") and len(lw) > 4:
        return w[:-3] + "y"
    if lw.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if lw.endswith("s") and not lw.endswith("'s"):
        return w[:-1]
    return w


_INVARIANT = {"police", "staff", "services", "news", "series", "species", "analysis", "crisis", "process",
              "business", "lines", "courts", "banks", "premises", "means", "arrangements", "resources",
              "powers", "needs", "standards", "families", "affairs", "operations"}


def plural(word: str) -> str:
    lw = word.lower()
    if lw.endswith("s") or lw in _INVARIANT:
        return word
    if lw.endswith("y") and lw[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if lw.endswith(("ch", "sh", "x")):
        return word + "es"
    return word + "s"


def norm_key(text: str) -> str:
    """Case/plural/apostrophe-insensitive key of a surface form."""
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
    alts = sorted({re.sub(r"['’]", "['’]", re.escape(f).replace("\\ ", r"\s+")) for f in forms},
                  key=len, reverse=True)
    # names: case-insensitive, a plural ending allowed
    names_rx = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?:s|es)?(?![\w-])", re.I)
    acr = sorted(by_acr, key=len, reverse=True)
    acr_rx = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, acr)) + r")s?(?![\w-])") if acr else None
    return _Gaz(by_key, by_acr, names_rx, acr_rx)


def lookup(name: str) -> Term | None:
    """The gazetteer term for a surface form (label, alias or acronym), if any."""
    g = _gaz()
    if name in g.by_acronym:
        return g.by_acronym[name]
    if name.endswith("s") and name[:-1] in g.by_acronym:
        return g.by_acronym[name[:-1]]
    return g.by_key.get(norm_key(name))


# ---------------------------------------------------------------------------- acronym definitions

_PAREN_ACR_RX = re.compile(r"\(([A-Z][A-Za-z0-9&]*[A-Z0-9][a-z]?s?)\)")
_ACR_PAREN_RX = re.compile(r"\b([A-Z][A-Z0-9&-]{1,8})\s*\(([a-z][a-z ,'’-]{4,80})\)")


def _sh_long_form(abbr: str, before: str) -> str | None:
    """Schwartz-Hearst: the shortest tail of ``before`` whose letters spell ``abbr``."""
    words = before.split()
    window = words[-min(len(words), len(abbr) + 5, 2 * len(abbr) + 1):]
    cand = " ".join(window)
    s, low = abbr.lower(), cand.lower()
    si, li = len(s) - 1, len(low) - 1
    while si >= 0:
        c = s[si]
        if not c.isalnum():
            si -= 1
            continue
        while li >= 0 and (low[li] != c or (si == 0 and li > 0 and low[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        si -= 1
        li -= 1
    start = low.rfind(" ", 0, li + 1) + 1
    long_form = cand[start:].strip(" ,;:")
    long_form = re.sub(r"^(?:the|a|an|its|their|of|and|to|by|for|with|from)\s+", "", long_form, flags=re.I)
    if len(long_form) <= len(abbr) or len(long_form.split()) > len(abbr) + 3:
        return None
    first = long_form.split()[0].lower()
    if first[0] != abbr[0].lower():
        return None
    return long_form


def find_acronyms(text: str) -> dict[str, str]:
    """Acronyms defined in the text -> long form (lower case unless a proper name)."""
    out: dict[str, str] = {}
    for m in _PAREN_ACR_RX.finditer(text):
        abbr = m.group(1)
        base = abbr[:-1] if abbr.endswith("s") and abbr[:-1].isupper() and len(abbr) > 2 else abbr
        if not (sum(c.isupper() for c in base) >= 2 or base.isupper()):
            continue
        lf = _sh_long_form(base, text[max(0, m.start() - 200):m.start()])
        if lf:
            out.setdefault(base, _tidy_long(lf))
    for m in _ACR_PAREN_RX.finditer(text):
        abbr, inner = m.group(1), m.group(2)
        initials = "".join(w[0] for w in re.split(r"[\s,]+", inner) if w and w not in {"and", "of", "the"})
        if initials.lower() == abbr.lower():
            out.setdefault(abbr, _tidy_long(inner))
    return out


def _tidy_long(lf: str) -> str:
    lf = re.sub(r"\s+", " ", lf.replace("’", "'")).strip()
    if any(w[:1].isupper() for w in lf.split()[1:]):  # a proper name keeps its capitals
        return lf
    return lf.lower()


# ---------------------------------------------------------------------------- noun-phrase patterns

_UNIT_HEADS = {"team", "unit", "department", "hub", "squad", "desk", "directorate", "command", "bureau", "cell"}
_ROLE_HEADS = {"officer", "manager", "investigator", "adviser", "advisor", "coordinator", "co-ordinator",
               "analyst", "sergeant", "inspector", "nurse", "worker", "practitioner", "commander",
               "handler", "dispatcher", "detective", "constable", "leader", "lead", "chair", "registrar"}
_MEETING_HEADS = {"meeting", "board", "panel", "conference", "forum", "clinic"}
_SYSTEM_HEADS = {"system", "database", "app", "network", "service"}
_SCHEME_HEADS = {"scheme", "programme", "strategy", "model", "framework", "initiative", "profile", "plan",
                 "protocol", "process", "assessment", "approach"}
_GROUP_MODS = {"working", "action", "steering", "tasking", "coordination", "co-ordination", "co-ordinating",
               "coordinating", "strategic", "management", "advisory", "reference", "scrutiny"}
_ORDER_HEADS = {"order", "notice", "injunction", "warrant"}
# modifiers that never start a name ("a large community safety team" -> "community safety team")
_GENERIC = set("""a an the its their his her our your this that these those each every all any some most many more
other another such same new old existing current remaining dedicated specialist several various separate
large small big larger smaller central different relevant appropriate additional extra further single
multiple individual certain own both only just also previous former recent senior junior experienced
trained untrained capable highly well good better best poor key main overall whole wider further specific
frontline front-line uniformed armed local regional national internal external joint shared effective
ineffective proactive reactive overstretched busy full part-time full-time one two three four five six
seven eight nine ten dedicated designated named force force's forces' police police's which who whose
where when while if as at by for from in into of on onto to with within without and or but not no nor
is are was were be been being has have had do does did can could will would should may might must
there here than then so very too although though whereas because since until unless including especially
particularly namely like through across among between about around against alongside via per towards toward
upon during after before under over near beyond despite enough right second set clear regular accessible
visible active strong weak limited sufficient insufficient adequate robust consistent inconsistent
structured wider broader""".split())
_VERBS = set("""identify identifies remove removes allocate allocates ensure ensures attend attends enhance
enhances facilitate facilitates provide provides use uses make makes take takes help helps give gives allow
allows need needs want wants hold holds run runs guide guides support supports manage manages lead leads
assign assigns review reviews train trains create creates develop develops introduce introduces appoint
appoints employ employs recruit recruits deploy deploys task tasks brief briefs inform informs meet meets
consider considers include includes involve involves contact contacts see sees told tell tells ask asks""".split())
_NOUNLIKE = {"troubled", "organised", "integrated", "protected", "specialised", "centralised", "dedicated",
             "policing", "offending", "housing", "safeguarding", "handling", "prisoner-handling", "training",
             "tasking", "co-ordinating", "coordinating", "planning", "licensing", "problem-solving", "working",
             "recording", "monitoring", "screening", "investigating", "learning", "sentencing", "engineering",
             "trafficking", "profiling", "missing", "exploited", "vetting", "neighbourhood"}
_ROLE_GENERIC = _GENERIC | {"police", "some", "response", "neighbourhood", "the"} - {"response", "neighbourhood",
                                                                                       "police"}

_NP_RX = re.compile(r"((?:" + WORD + r"\s+){1,5})(" + WORD + r")")


def _np_candidates(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, phrase, type, kind) for pattern-found names in a sentence."""
    out = []
    for m in re.finditer(r"(?<![\w-])(" + WORD + r")(?![\w-])", text):
        head = m.group(1)
        h = singular(head.lower())
        typ = kind = None
        if h in _UNIT_HEADS:
            typ, kind = "unit", None
        elif h in _ROLE_HEADS:
            typ, kind = "role", None
        elif h in _MEETING_HEADS:
            typ, kind = "programme", "meeting"
        elif h == "group":
            typ, kind = "programme", "meeting"
        elif h in _SYSTEM_HEADS:
            typ, kind = "programme", "system"
        elif h in _SCHEME_HEADS:
            typ, kind = "programme", "scheme"
        else:
            continue
        # walk back over modifiers
        left = text[:m.start()]
        toks = list(re.finditer(r"(" + WORD + r"|\d[\w]*)(?=\s+$|\s*$)", left))
        mods: list[str] = []
        pos = m.start()
        for _ in range(4):
            mm = re.search(r"(?:^|(?<=\s))(" + WORD + r"|\d+[A-Za-z]+)\s+$", text[:pos])
            if not mm:
                break
            w = mm.group(1)
            lw = w.lower().replace("’", "'")
            if lw in _GENERIC or lw in _VERBS or lw.endswith("'s") or lw.endswith("ly") \
                    or (lw.endswith("ed") and lw not in _NOUNLIKE) or (lw.endswith("ing") and lw not in _NOUNLIKE):
                if lw == "and" and mods and pos > 0:
                    prev = re.search(r"(" + WORD + r")\s+$", text[:mm.start(1)])
                    if prev and prev.group(1).lower() not in _GENERIC | _VERBS and not prev.group(1)[:1].isupper():
                        mods.insert(0, w)
                        pos = mm.start(1)
                        continue
                break
            mods.insert(0, w)
            pos = mm.start(1)
        del toks
        if not mods or mods[0].lower() == "and":
            continue
        if typ == "role" and all(x[:1].isupper() and not x.isupper() for x in mods):
            continue  # "Kent officers": a place, not a role
        # drop a leading sentence-initial capital that is an ordinary word
        if typ == "programme" and h == "group" and mods[-1].lower() not in _GROUP_MODS:
            continue
        if typ == "role" and h in {"lead", "chair", "leader", "inspector", "sergeant", "constable", "detective"} \
                and len(mods) < 1:
            continue
        if typ in ("programme",) and kind == "system" and h == "service" and not mods[0][:1].isupper():
            continue  # "the probation service" is a partner, found by the gazetteer
        if h in _SCHEME_HEADS and not (mods[0][:1].isupper() or any(c.isdigit() for c in mods[0])) \
                and h in {"approach", "plan", "process", "assessment", "profile"}:
            continue  # too generic unless named ("4P plan", "Modern Crime Prevention Strategy")
        phrase = text[pos:m.end()]
        out.append((pos, m.end(), phrase, typ, kind or ""))
    return out


_OPERATION_RX = re.compile(r"\bOperation\s+([A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)?)")
_ACT_RX = re.compile(r"\b((?:[A-Z][\w'’-]*,?\s+(?:(?:and|of|the|for)\s+)*){1,8}Act\s+(?:of\s+)?\d{4})")


# ---------------------------------------------------------------------------- extraction


class _Builder:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self.acr = find_acronyms(report.text)
        self.global_acr = ontology_acronyms()
        self.key_to_id: dict[str, str] = {}

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
    def resolve(self, phrase: str, typ: str, kind: str) -> Entity | None:
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
        text = p.text
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y in taken)

        g = _gaz()
        for m in _OPERATION_RX.finditer(text):
            e = self.resolve(m.group(0), "programme", "operation")
            if e is not None:
                if e.source == "pattern":
                    e.kind = "operation"
                self.mention(e, p, m.start(), m.end())
                taken.append((m.start(), m.end()))
        for m in _ACT_RX.finditer(text):
            a, b = m.start(1), m.end(1)
            name = re.sub(r"^(?:The|the|Under|under|In|By)\s+", "", m.group(1))
            a = b - len(name)
            if free(a, b):
                t = lookup(name)
                e = self.add_term(t, name) if t else self.add("legislation", name, "legislation", "pattern")
                self.mention(e, p, a, b)
                taken.append((a, b))
        # pattern phrases (longest names) first, then the gazetteer fills the gaps
        if p.kind not in (KIND_TABLE, KIND_CAPTION):
            for a, b, phrase, typ, kind in _np_candidates(text):
                if not free(a, b):
                    continue
                # a gazetteer name inside the phrase that covers it all wins; otherwise the phrase does
                e = self.resolve(phrase, typ, kind)
                if e is not None:
                    self.mention(e, p, a, b)
                    taken.append((a, b))
        for m in g.names_rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            t = lookup(m.group(0))
            if t is None:
                continue
            self.mention(self.add_term(t, m.group(0)), p, m.start(), m.end())
            taken.append((m.start(), m.end()))
        if g.acr_rx is not None:
            for m in g.acr_rx.finditer(text):
                if not free(m.start(), m.end()):
                    continue
                s = m.group(0)
                if s in self.acr and s not in acr_entities and s.rstrip("s") not in acr_entities:
                    continue  # the report defines this acronym as something else
                t = lookup(s)
                if t is None:
                    continue
                self.mention(self.add_term(t), p, m.start(), m.end())
                taken.append((m.start(), m.end()))
        for abbr, e in acr_entities.items():
            for m in re.finditer(r"(?<![\w-])" + re.escape(abbr) + r"s?(?![\w-])", text):
                if free(m.start(), m.end()):
                    self.mention(e, p, m.start(), m.end())
                    taken.append((m.start(), m.end()))
            if e.source == "acronym":
                lf = next((lf for a, lf in self.acr.items() if a == abbr), None)
                if lf:
                    for m in re.finditer(re.escape(lf), text, re.I):
                        if free(m.start(), m.end()):
                            self.mention(e, p, m.start(), m.end())
                            taken.append((m.start(), m.end()))
        self._bare: list[tuple[str, Passage, int, int]] = getattr(self, "_bare", [])
        for abbr in self.acr:
            if abbr in acr_entities:
                continue
            for m in re.finditer(r"(?<![\w-])" + re.escape(abbr) + r"(?![\w-])", text):
                if free(m.start(), m.end()):
                    self._bare.append((abbr, p, m.start(), m.end()))

    def _bare_acronyms(self) -> None:
        for abbr, p, a, b in getattr(self, "_bare", []):
            target = next((e for e in sorted(self.entities.values(), key=lambda e: e.id)
                           if e.type == "unit" and e.label.split()[0] == abbr), None)
            if target is not None:
                target.aliases.add(abbr)
                self.mention(target, p, a, b)


def _type_of_head(head: str) -> tuple[str | None, str | None]:
    if head in _UNIT_HEADS:
        return "unit", None
    if head in _ROLE_HEADS:
        return "role", None
    if head in _MEETING_HEADS or head == "group":
        return "programme", "meeting"
    if head in _SYSTEM_HEADS - {"service"}:
        return "programme", "system"
    if head in _SCHEME_HEADS:
        return "programme", "scheme"
    if head in _ORDER_HEADS:
        return "legislation", "legislation"
    return None, None


def _clean_surface(s: str) -> str:
    s = re.sub(r"\s+", " ", s.replace("’", "'")).strip(" .,;:")
    s = re.sub(r"^(?:the|a|an|its|their)\s+", "", s, flags=re.I)
    s = re.sub(r"^force's\s+", "", s, flags=re.I)
    if " " in s and s.split()[0].lower() in {"the", "a", "an", "its", "their", "this", "these", "some", "most",
                                              "all", "each", "every", "many"}:
        s = s.split(" ", 1)[1]
    return s


def _canonical_label(surface: str) -> str:
    """Singular head, lower case unless a proper name or an acronym."""
    words = surface.split()
    words[-1] = singular(words[-1])
    out = []
    for i, w in enumerate(words):
        if w.isupper() or any(c.isdigit() for c in w) or (i > 0 and w[:1].isupper()) or \
                (i == 0 and len(words) > 1 and words[1][:1].isupper()):
            out.append(w)
        else:
            out.append(w.lower())
    return " ".join(out)


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


# ---------------------------------------------------------------------------- metrics

NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_PERIOD_RX = re.compile(
    r"(?:(?:in|during|over|for)\s+the\s+(?:\d+|twelve|six|three)\s+months?\s+(?:to|ending|up\s+to)\s+(?:the\s+end\s+of\s+)?"
    r"(?:\d{1,2}\s+)?(?:" + _MONTHS + r")\s+\d{4})"
    r"|(?:(?:year|period)\s+(?:to|ending)\s+(?:\d{1,2}\s+)?(?:" + _MONTHS + r")\s+\d{4})"
    r"|(?:(?:as\s+at|at|by|since|in|during)\s+(?:\d{1,2}\s+)?(?:" + _MONTHS + r")\s+\d{4})"
    r"|(?:(?:during|between|in)\s+\d{4}\s+and\s+\d{4})"
    r"|(?:(?:in|during|since)\s+(?:summer\s+|spring\s+|autumn\s+|winter\s+)?\d{4}(?:/\d{2})?)"
    r"|(?:compared\s+with\s+the\s+(?:same\s+period\s+(?:the|of\s+the)\s+)?previous\s+(?:year|12\s+months))", re.I)
_SKIP_BEFORE = {"section", "outcome", "figure", "annex", "table", "page", "paragraph", "level", "version", "tier",
                "appendix", "chapter", "phase", "vulnerability", "effectiveness", "efficiency", "legitimacy",
                "aged", "age", "under", "over", "ages"}
_TIME_UNITS = {"month", "months", "year", "years", "day", "days", "week", "weeks", "hour", "hours", "minute",
               "minutes", "am", "pm", "times", "o'clock", "seconds", "second", "decades", "p", "st", "nd", "rd", "th"}
_NP_STOP = set("""is are was were be been has have had who which that whose in on at for to from with by into
within across than as while when where because but or so if whereas compared during after before over under
per of this these its their it they we our the a an not no and""".split())
_PRED_VERBS = {"were", "was", "went", "have", "had", "showed", "show", "are", "is", "received", "did"}
_CHANGE_WORDS = r"increase|decrease|rise|fall|reduction|drop|reduce|increased|decreased|rose|fell|reduced|dropped"


@dataclass
class Metric:
    id: str
    report_id: str
    passage_id: str
    value: float
    value_text: str
    unit: str
    measures: str
    period: str | None
    quote: str
    start: int
    end: int
    key: str = ""  # normalised `measures`, for matching metrics across reports

    @property
    def label(self) -> str:
        unit = "" if self.unit in ("count",) else (" " + self.unit)
        if self.unit == "count":
            return f"{self.value_text} {self.measures}"
        return f"{self.value_text}{unit} {self.measures}".strip()


def _words_np(text: str, max_words: int = 6) -> str:
    """The noun phrase at the start of ``text`` (stops at verbs, prepositions, punctuation)."""
    out = []
    for m in re.finditer(r"([A-Za-z][\w'’/-]*|\(|\)|,|;|:|\.|–|—|\d[\w.,]*)", text):
        w = m.group(1)
        if not w[0].isalnum():
            break
        lw = w.lower()
        if lw in _NP_STOP and not (lw == "and" and out and len(out) < max_words - 1) and \
                not (lw == "of" and out and out[-1].lower() in {"number", "proportion", "level", "rate", "use"}):
            break
        out.append(w)
        if len(out) >= max_words:
            break
    while out and out[-1].lower() in {"and", "of"}:
        out.pop()
    return " ".join(out)


def _predicate(text: str, max_words: int = 8) -> str:
    m = re.match(r"\s*(?:(?:that|which|who)\s+)?([a-z][\w'’-]*)\b([^.;:()]*)", text)
    if not m or m.group(1).lower() not in _PRED_VERBS | {"showed", "reviewed", "had", "were", "went", "have"}:
        return ""
    words = (m.group(1) + m.group(2)).split(",")[0].split()
    return " ".join(words[:max_words])


_PRONOUNS = {"this", "that", "there", "it", "they", "these", "those", "which", "who", "he", "she", "we"}


def _subject(left: str, max_words: int = 6) -> str:
    """The noun phrase that ends ``left`` (the subject of a number that follows)."""
    chunk = re.split(r"[,;:]|\b(?:that|which|and|but|than|when|while|with|where|whereas|compared)\b", left)[-1]
    words = re.findall(r"[A-Za-z][\w'’-]*", chunk)
    words = [w for w in words if w.lower() not in {"approximately", "about", "around", "nearly", "almost", "only",
                                                    "just", "over", "under", "some", "roughly", "an", "a"}]
    words = words[-max_words:]
    while words and (words[0].lower() in {"the", "its", "their", "of", "in", "force's", "force’s", "forces'"}
                     or words[0].lower().endswith(("'s", "’s"))):
        words = words[1:]
    if not words or words[0].lower() in _PRONOUNS:
        return ""
    return " ".join(words)


def metric_key(measures: str, acr: dict[str, str] | None = None) -> str:
    acr = {**ontology_acronyms(), **(acr or {})}
    words = []
    for w in re.findall(r"[A-Za-z][\w'’-]*", measures):
        base = w[:-1] if w.endswith("s") and w[:-1].isupper() else w
        if base in acr and base.isupper():
            words += acr[base].lower().split()
        else:
            words.append(w.lower())
    words = [singular(w) for w in words if w not in {"the", "a", "an", "of", "its", "their", "all", "in", "s"}]
    return " ".join(words)


def metrics(report: Report, acr: dict[str, str] | None = None) -> list[Metric]:
    """Quantitative facts in the report's prose (tables and captions are left to the table reader)."""
    out: list[Metric] = []
    for p in report.passages:
        if p.kind in (KIND_TABLE, KIND_CAPTION, KIND_FOOTNOTE):
            continue
        for a, b in split_sentences(p.text):
            out += _sentence_metrics(p, p.text[a:b], a, report.report_id, acr)
    return out


def _sentence_metrics(p: Passage, sent: str, offset: int, report_id: str, acr: dict[str, str] | None) -> list[Metric]:
    found: list[Metric] = []
    taken: list[tuple[int, int]] = []
    pm = _PERIOD_RX.search(sent)
    period = re.sub(r"\s+", " ", pm.group(0)) if pm else None
    period_span = (pm.start(), pm.end()) if pm else (-1, -1)

    def add(a: int, b: int, value_text: str, unit: str, measures: str, value: float | None = None) -> None:
        measures = re.sub(r"\s+", " ", measures).strip(" ,;:")
        if not measures or measures.split()[0].lower() in _PRONOUNS:
            return
        if value is None:
            try:
                value = float(value_text.replace(",", ""))
            except ValueError:
                return
        mid = "metric:" + slug(f"{report_id} {measures}")[:60] + "-" + short_hash(p.passage_id, str(offset + a))
        found.append(Metric(mid, report_id, p.passage_id, value, value_text, unit, measures, period,
                            sent.strip(), offset + a, offset + b, metric_key(measures, acr)))
        taken.append((a, b))

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken) and not (period_span[0] <= a < period_span[1])

    # "47 of the 60 crime files reviewed showed good victim care"
    for m in re.finditer(r"(?<![\w.])(" + NUM + r")\s+(?:out\s+)?of\s+(?:the|its|all)?\s*(" + NUM + r")\s+(.*)", sent):
        clause = re.split(r"[.;:,()]", m.group(3))[0].split()[:12]
        add(m.start(1), m.start(3) + len(" ".join(clause)), m.group(1), f"of {m.group(2)}", " ".join(clause))
    # "from 280 down to 140"
    for m in re.finditer(r"((?:[\w'’-]+\s+){1,6})from\s+(" + NUM + r")\s+(?:down\s+|up\s+)?to\s+(" + NUM + r")\b", sent):
        subj = _subject(m.group(1))
        if subj:
            add(m.start(3), m.end(3), m.group(3), "count", subj)
            found[-1].data_from = m.group(2)  # type: ignore[attr-defined]
            taken.append((m.start(2), m.end(2)))
    # percentages
    for m in re.finditer(r"(?<![\w.])(" + NUM + r")\s*(?:percent|per\s+cent|%)", sent):
        if not free(m.start(), m.end()):
            continue
        right = sent[m.end():]
        left = sent[:m.start()]
        if pm is not None and pm.end() <= m.start():
            left = left[:pm.start()] + left[pm.end():]
        left = re.sub(r"\([^)]*\)", " ", left)
        ch = re.match(r"\s+(" + _CHANGE_WORDS + r")\s+in\s+(?:the\s+)?(.*)", right)
        cmp_ = re.match(r"\s+(fewer|more|less|higher|lower)\s+(.*)", right)
        of = re.match(r"\s+of\s+(?:the\s+|its\s+|all\s+|their\s+)?(.*)", right)
        pred = _predicate(right)
        chg_left = re.search(r"(?:a|an)\s+(" + _CHANGE_WORDS + r")\s+of\s*$", left)
        verb_obj = re.search(r"\b(reduced|increased|cut|lowered|raised|improved)\s+((?:[\w'’-]+\s+){1,4})by\s*$", left)
        verb_left = re.search(r"^(.*?)\b(?:fell|rose|increased|decreased|reduced|dropped|grew|went\s+up|went\s+down)\s+by\s*$", left)
        lv = re.search(r"^(.*?)\b(?:is|was|were|are|of|at|stood\s+at|to)\s*$", left)
        if ch:
            measures = f"{ch.group(1)} in {_words_np(ch.group(2), 5)}"
        elif cmp_:
            measures = f"{cmp_.group(1)} {_words_np(cmp_.group(2), 5)}"
        elif of and not chg_left:
            np_ = _words_np(of.group(1), 6)
            measures = f"{np_} {_predicate(of.group(1)[len(np_):])}".strip()
        elif chg_left:
            prior = [x for x in found if x.unit == "percent"]
            measures = f"{chg_left.group(1)} in {prior[-1].measures}" if prior else chg_left.group(1)
        elif verb_obj:
            measures = f"change in {verb_obj.group(2).strip()}"
        elif verb_left and _subject(verb_left.group(1)):
            measures = f"change in {_subject(verb_left.group(1))}"
        elif pred:
            measures = (_subject(left) + " " + pred).strip() if _subject(left) else pred
        elif lv and _subject(lv.group(1)):
            measures = _subject(lv.group(1))
        else:
            continue
        add(m.start(), m.end(), m.group(1), "percent", measures)
    # money
    for m in re.finditer(r"£(" + NUM + r")\s*(m|bn|k|million|billion)?\b", sent):
        if not free(m.start(), m.end()):
            continue
        mult = {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}.get((m.group(2) or "").lower(), 1)
        right = re.match(r"\s+(?:in|on|for|to)\s+(?:the\s+|its\s+|their\s+)?(.*)", sent[m.end():])
        verb = re.search(r"(invest\w*|sav\w*|spen\w*|cost\w*|budget\w*|fund\w*)\b[^.]*$", sent[:m.start()], re.I)
        what = _words_np(right.group(1), 5) if right else ""
        measures = " ".join(x for x in ((verb.group(1).lower() if verb else "amount"), ("in " + what) if what else "")
                            if x)
        value = float(m.group(1).replace(",", "")) * mult
        add(m.start(), m.end(), m.group(0).strip(), "GBP", measures, value)
    # counts: "33 organised crime groups", "2.2 disruptions per OCG"
    for m in re.finditer(r"(?<![\w.,£/–-])(" + NUM + r")(?![\w.,%/–-]|\.\d)(?=\s+(?!percent|per cent)(.{3,}))", sent):
        a = m.start(1)
        if not free(a, m.end(1)):
            continue
        num = m.group(1)
        prev = re.search(r"([\w'’]+)\s*$", sent[:a])
        pw = prev.group(1).lower() if prev else ""
        if pw in _SKIP_BEFORE or pw in {"per", "from", "than"} or pw in {x.lower() for x in _MONTHS.split("|")}:
            continue
        if re.fullmatch(r"(?:19|20)\d\d", num):
            continue
        rest = m.group(2)
        np_ = _words_np(rest, 6)
        if not np_:
            continue
        first = np_.split()[0].lower()
        if first in _TIME_UNITS or first in {"down", "up", "to", "and", "or", "per", "percent"} or first in {x.lower() for x in _MONTHS.split("|")} or first.startswith("per") \
                and len(np_.split()) == 1:
            continue
        per = re.match(re.escape(np_) + r"\s+(per\s+(?:one\s+)?[\w,]+(?:\s+(?:of\s+the\s+)?[\w]+)?)", rest)
        measures = np_ + (" " + per.group(1) if per else "")
        pred = _predicate(rest[len(np_):]) if not per else ""
        add(a, m.start(2) + len(np_), num, "count" if not per else "rate", f"{measures} {pred}".strip())
    return found
