"""Sentences -> evidenced relations, each with the rule that produced it.

Per report: cause and effect (``affects`` / ``causes``) between issue nodes,
``partners_with``, ``responsible_for``, ``recommends``, ``carried_over_from``
and ``mentions`` (an issue naming a known entity). Relations across reports
(``recurs``, metric changes) are computed over the whole store in
``graph.build``.

Cause and effect is read by ``graph.extract.causal`` (cue families, the
sentence before for "This ...", and ``supports``, the check every causal
edge passes before it is kept); labels come from ``graph.extract.issues``.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from graph.extract import issues
from graph.extract.causal import CAUSAL_TYPES, Causal, labels_for, polarity, readings, supports
from graph.extract.entities import Entity, Extraction, Mention, norm_key, slug
from graph.records import KIND_AFI, KIND_CAUSE, KIND_PARAGRAPH, KIND_RECOMMENDATION, KIND_SUMMARY, Passage, Report
from graph.text import shorten, split_sentences

CAUSAL_KINDS = (KIND_PARAGRAPH, KIND_SUMMARY, KIND_CAUSE, "list")
__all__ = ["CAUSAL_TYPES", "Evidence", "Extracted", "Relation", "extract", "relation_id", "supports"]
ThemesOf = Callable[[str], list[str]]


@dataclass
class Evidence:
    passage_id: str
    report_id: str
    quote: str


@dataclass
class Relation:
    type: str
    source: str
    target: str
    polarity: str  # positive | negative | neutral
    rule: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def id(self) -> str:
        return relation_id(self.type, self.source, self.target)


def relation_id(type_: str, source: str, target: str) -> str:
    return "rel:" + hashlib.sha1(f"{type_}|{source}|{target}".encode("utf-8")).hexdigest()


@dataclass
class Extracted:
    relations: list[Relation]
    nodes: dict[str, Entity]  # issues, items and inspections created here
    node_mentions: list[tuple[str, str, int, int]]  # (node id, passage id, start, end)


# ---------------------------------------------------------------------------- per-report extraction


class _Out:
    """Nodes and relations of one report, merged by id."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.relations: dict[str, Relation] = {}
        self.nodes: dict[str, Entity] = {}
        self.node_mentions: list[tuple[str, str, int, int]] = []

    def node(self, type_: str, label: str, passage_id: str, a: int, b: int, kind: str | None = None,
             data: dict | None = None, node_id: str | None = None) -> str:
        nid = node_id or f"{type_}:{slug(label)}"
        if nid not in self.nodes:
            self.nodes[nid] = Entity(nid, type_, label, kind, data=dict(data or {}), source="relation")
        self.node_mentions.append((nid, passage_id, a, b))
        return nid

    def rel(self, type_: str, source: str, target: str, polarity: str, rule: str, evidence: list[Evidence]) -> None:
        if source == target:
            return
        rid = relation_id(type_, source, target)
        r = self.relations.get(rid)
        if r is None:
            r = self.relations[rid] = Relation(type_, source, target, polarity, rule)
        for ev in evidence:
            if all((e.passage_id, e.quote) != (ev.passage_id, ev.quote) for e in r.evidence):
                r.evidence.append(ev)


@dataclass
class _Sentence:
    """A sentence in its passage, with what the rules need around it."""

    passage: Passage
    start: int
    end: int
    text: str
    prev: str | None
    prev_start: int | None
    mentions: list[Mention]
    passage_mentions: list[Mention]

    def evidence(self, with_prev: bool = False) -> Evidence:
        quote = f"{self.prev} {self.text}" if with_prev and self.prev else self.text
        return Evidence(self.passage.passage_id, self.passage.report_id, quote)


def _sentences(report: Report, ex: Extraction) -> list[_Sentence]:
    by_passage: dict[str, list[Mention]] = {}
    for m in ex.mentions:
        by_passage.setdefault(m.passage_id, []).append(m)
    out = []
    for p in report.passages:
        if p.kind not in CAUSAL_KINDS:
            continue
        spans = split_sentences(p.text)
        pm = by_passage.get(p.passage_id, [])
        for n, (a, b) in enumerate(spans):
            prev = p.text[spans[n - 1][0]:spans[n - 1][1]].strip() if n > 0 else None
            out.append(_Sentence(p, a, b, p.text[a:b].strip(), prev, spans[n - 1][0] if n > 0 else None,
                                 [m for m in pm if a <= m.start and m.end <= b], pm))
    return out


def _add_causal(out: _Out, s: _Sentence, themes_of: ThemesOf | None, known: dict[str, str]) -> None:
    """A cause-and-effect edge from one sentence, kept only when its quote supports it.

    An end whose label names a known entity ("Operation Encompass") is that entity, not a new issue.
    """
    for c in readings(s.text, s.prev):
        pair = labels_for(c)
        ev = s.evidence(c.uses_prev)
        if pair is not None and supports(f"cue:{c.family}", ev.quote, *pair):
            _link(out, s, c, pair, ev, themes_of, known)
            return


def _link(out: _Out, s: _Sentence, c: Causal, pair: tuple[str, str], ev: Evidence, themes_of: ThemesOf | None,
          known: dict[str, str]) -> None:
    """The two issue nodes (or known entities) of a causal reading, the edge, and their theme and mention edges."""
    c_label, e_label = pair
    rule = f"cue:{c.family}"
    pid = s.passage.passage_id
    c_id = known.get(norm_key(c_label)) or out.node("issue", c_label, pid, s.prev_start if c.uses_prev and
                                                    s.prev_start is not None else s.start, s.end)
    e_id = known.get(norm_key(e_label)) or out.node("issue", e_label, pid, s.start, s.end)
    out.rel(c.type, c_id, e_id, polarity(f"{c.prefix} {c.effect}", s.text), rule, [ev])
    for t in (themes_of(s.text) if themes_of else []):
        for nid in (c_id, e_id):
            out.rel("about_theme", nid, f"theme:{t}", "neutral", "theme:sentence", [ev])
    for m in s.mentions:
        key = norm_key(m.surface)
        for nid, label in ((c_id, c_label), (e_id, e_label)):
            if key and key in norm_key(label):
                out.rel("mentions", nid, m.entity_id, "neutral", "issue:names-entity", [ev])
                break


_PARTNER_CUE = re.compile(
    r"\b(?:works?|working|worked)\s+(?:well\s+|closely\s+|effectively\s+)?(?:with|alongside)\b|"
    r"\bjoint\s+(?:\w+\s+){0,2}?(?:arrangements?|working|work|teams?|approach|agreements?|protocols?|operations?|"
    r"initiatives?|plans?|programmes?|strateg(?:y|ies)|services?|units?|hubs?|panels?|patrols?|visits?|training)\s+with\b|"
    r"\bcollaborat\w+\s+with\b|"
    # people from a partner working beside the force: "staff from the council", "partner agencies such as"
    r"\b(?:staff|workers|nurses|practitioners|representatives|colleagues)\s+from\b|"
    r"\bpartners?\s+(?:organisations?\s+|agencies\s+)?(?:such\s+as|including|like)\b|"
    r"\bin\s+partnership\s+with\b|\bsupported\s+by\b|\bco-located\s+with\b|\bbrings\s+together\b|"
    r"\bnetwork\s+of\s+partners,?\s+including\b|\bwith\s+(?:partners|partner\s+organisations|other\s+forces)[^.]*?"
    r"\bincluding\b|"
    # sharing, referring, funding and running things together: "shares a control room with", "refers victims to",
    # "funded jointly by", "delivered with", "with help from", "together with", "is a member of", "represented on"
    r"\b(?:shares?|shared|sharing)\s+(?:\w+\s+){0,5}?with\b|\b(?:refers?|referred|referring)\s+(?:\w+\s+){0,3}?to\b|"
    r"\b(?:funded|commissioned|run|delivered|provided)\s+(?:jointly\s+)?(?:with|by)\b|\bjointly\s+with\b|"
    r"\btogether\s+with\b|\bwith\s+(?:help|support|funding)\s+from\b|\b(?:is|are)\s+(?:a\s+)?members?\s+of\b|"
    r"\brepresented\s+on\b", re.I)


_NEGATED = re.compile(r"\b(?:not|never|no|none|nor)\b|n['’]t\b|\bno\s+longer\b", re.I)


# partners named before the cue: "the youth offending service and the force jointly run a scheme"
_TOGETHER_CUE = re.compile(r"\b(?:jointly|together)\s+(?:run|runs|ran|fund|funds|funded|manage|manages|managed|"
                           r"deliver|delivers|delivered|staff|staffs|staffed|lead|leads|led|chair|chairs|chaired)\b",
                           re.I)


def _add_partners(out: _Out, s: _Sentence, ex: Extraction, force_id: str | None) -> None:
    """partners_with: the unit, force or programme before a partnership cue, and the partners after it (or,
    for "X and the force jointly run", the partners before it)."""
    m = _PARTNER_CUE.search(s.text)
    if m is None:
        _add_joint(out, s, ex, force_id)
        return
    if _NEGATED.search(s.text[max(0, m.start() - 80):m.start()]):
        return  # "does not work with", "no cases have been referred to": no partnership stated
    a = s.start + (len(s.passage.text[s.start:s.end]) - len(s.passage.text[s.start:s.end].lstrip()))
    cue_start, cue_end = a + m.start(), a + m.end()
    subj = [x for x in s.mentions if x.end <= cue_start and ex.entities[x.entity_id].type in ("unit", "force",
                                                                                                "programme")]
    src = subj[-1].entity_id if subj else force_id
    if src is None:
        return
    for x in s.mentions:
        if x.start >= cue_end and ex.entities[x.entity_id].type in ("partner", "force") and x.entity_id != src:
            out.rel("partners_with", src, x.entity_id, "positive", "cue:works-with", [s.evidence()])


def _add_joint(out: _Out, s: _Sentence, ex: Extraction, force_id: str | None) -> None:
    """partners_with from "A and B jointly run ...": the partners named before the cue, with the force or unit
    named beside them (or the report's force)."""
    m = _TOGETHER_CUE.search(s.text)
    if not m or _NEGATED.search(s.text[:m.start()]):
        return
    a = s.start + (len(s.passage.text[s.start:s.end]) - len(s.passage.text[s.start:s.end].lstrip()))
    before = [x for x in s.mentions if x.end <= a + m.start()]
    units = [x.entity_id for x in before if ex.entities[x.entity_id].type in ("unit", "force")]
    src = units[-1] if units else force_id
    for x in before:
        if ex.entities[x.entity_id].type == "partner" and src is not None and x.entity_id != src:
            out.rel("partners_with", src, x.entity_id, "positive", "cue:works-with", [s.evidence()])


_RESPONSIBLE = re.compile(r"\b(?:(?:is|are|was|were)\s+(?:also\s+)?responsible\s+for|(?:has|have|had|takes?|took)\s+"
                          r"(?:overall\s+)?responsibility\s+for|(?:is|are)\s+allocated\s+responsibility\s+for)\s+"
                          r"(?P<x>[^.;]+)", re.I)
_RESPONSIBILITY_OF = re.compile(r"^(?P<x>.+?)\s+(?:is|are)\s+the\s+responsibility\s+of\s+(?:the\s+)?(?P<who>[^.;,]+)",
                                re.I)
_HOLDERS = ("unit", "role", "partner", "force")


def _add_responsibility(out: _Out, s: _Sentence, ex: Extraction) -> None:
    """responsible_for: a unit, role or partner and what it is responsible for (an entity or a short phrase)."""
    a = s.start + (len(s.passage.text[s.start:s.end]) - len(s.passage.text[s.start:s.end].lstrip()))
    m, m2 = _RESPONSIBLE.search(s.text), _RESPONSIBILITY_OF.search(s.text)
    if m:
        subj = [x for x in s.mentions if x.end <= a + m.start() and ex.entities[x.entity_id].type in _HOLDERS]
        if not subj and s.prev_start is not None and re.match(r"^(?:they|it|he|she)\b", s.text, re.I):
            subj = [x for x in s.passage_mentions if s.prev_start <= x.start and x.end <= s.start
                    and ex.entities[x.entity_id].type in ("unit", "role")]
        src = subj[-1].entity_id if subj else None
        obj, obj_mentions = m.group("x"), [x for x in s.mentions if x.start >= a + m.start("x")]
    elif m2:
        who = [x for x in s.mentions if x.start >= a + m2.start("who")]
        src = who[0].entity_id if who else None
        obj, obj_mentions = m2.group("x"), [x for x in s.mentions if x.end <= a + m2.end("x")]
    else:
        return
    if src is None:
        return
    tgt = next((x.entity_id for x in obj_mentions if x.entity_id != src), None)
    if tgt is None:
        label = issues.cut_phrase(issues.clean_np(issues.strip_openers(obj)), 10)
        if not issues.valid_label(label) or not label:
            return
        tgt = out.node("issue", issues.lower(label), s.passage.passage_id, s.start, s.end)
    out.rel("responsible_for", src, tgt, "neutral", "cue:responsible-for", [s.evidence()])


def _force_id(report: Report, ex: Extraction) -> str | None:
    force_id = next((e.id for e in ex.entities.values() if e.type == "force" and report.meta.force
                     and norm_key(e.label) == norm_key(report.meta.force)), None)
    if force_id is None and report.meta.force:
        force_id = next((e.id for e in ex.entities.values() if e.type == "force" and e.source == "metadata"), None)
    return force_id


def extract(report: Report, ex: Extraction, themes_of: ThemesOf | None = None) -> Extracted:
    """Per-report relations. ``themes_of(sentence)`` gives a sentence's theme ids (for issue -> theme edges)."""
    out = _Out(report)
    force_id = _force_id(report, ex)
    known = {norm_key(n): e.id for e in sorted(ex.entities.values(), key=lambda e: e.id) if e.type != "force"
             for n in (e.label, *e.aliases)}
    for s in _sentences(report, ex):
        _add_causal(out, s, themes_of, known)
        _add_partners(out, s, ex, force_id)
        _add_responsibility(out, s, ex)
    _items(report, out, themes_of)
    return Extracted(list(out.relations.values()), out.nodes, out.node_mentions)


def _items(report: Report, out: _Out, themes_of: ThemesOf | None) -> None:
    """Recommendations, areas for improvement and causes of concern: recommends, about_theme, carried_over_from."""
    rid = report.report_id
    report_node = f"report:{rid}"
    passages = {p.passage_id: p for p in report.passages}
    for it in report.items:
        p = passages.get(it.passage_id or "")
        if it.kind not in (KIND_RECOMMENDATION, KIND_AFI, KIND_CAUSE) or p is None:
            continue
        a = max(p.text.find(it.text[:60]), 0)
        b = min(len(p.text), a + len(it.text))
        nid = out.node(it.kind, shorten(it.text, 100), p.passage_id, a, b,
                       data={"text": it.text, "question": it.question, "report_id": rid},
                       node_id=f"{it.kind}:{it.item_id}")
        ev = Evidence(p.passage_id, rid, it.text)
        out.node("report", report.meta.title or rid, p.passage_id, a, b, node_id=report_node)
        out.rel("recommends", report_node, nid, "neutral", f"item:{it.kind}", [ev])
        for t in (themes_of(it.text) if themes_of else []):
            out.rel("about_theme", nid, f"theme:{t}", "neutral", "theme:sentence", [ev])
        if it.carried_over_from:
            year = re.search(r"\d{4}", it.carried_over_from)
            insp = out.node("inspection", it.carried_over_from, p.passage_id, a, b,
                            data={"year": year.group(0) if year else None},
                            node_id=f"inspection:{slug(it.carried_over_from)}")
            out.rel("carried_over_from", nid, insp, "negative", "item:still-outstanding", [ev])
