"""Sentences -> evidenced relations, each with the rule that produced it.

Per report: cause and effect (``affects`` / ``causes``) between issue nodes,
``partners_with``, ``responsible_for``, ``recommends``, ``carried_over_from``
and ``mentions`` (an issue naming a known entity). Relations across reports
(``recurs``, metric changes) are computed over the whole store in
``graph.build``.

Cause and effect comes from cue families written for English as inspectors
use it ("means that", "because of", "has led to", "due to", "putting
pressure on", "has reduced"...), each knowing which side is the cause. A
sentence that opens with "This ..." or "As a result" takes its cause from
the sentence before, and then quotes both. Every causal edge is checked
before it is kept: its quote must contain the cue and name both ends
(``supports``). Labels come from ``graph.extract.issues``.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from graph.extract import issues
from graph.extract.entities import Entity, Extraction, Mention, norm_key, slug
from graph.records import KIND_AFI, KIND_CAUSE, KIND_PARAGRAPH, KIND_RECOMMENDATION, KIND_SUMMARY, Passage, Report
from graph.text import fold_plural, shorten, split_sentences

CAUSAL_KINDS = (KIND_PARAGRAPH, KIND_SUMMARY, KIND_CAUSE, "list")
CAUSAL_TYPES = ("affects", "causes")
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


# ---------------------------------------------------------------------------- cue families


@dataclass(frozen=True)
class Cue:
    """A cause-and-effect cue: ``forward`` when the cause comes before it ("X means that Y")."""

    family: str
    type: str
    forward: bool
    rx: re.Pattern[str]
    prefix: str = ""  # put before the effect label ("pressure on", "reduced")


def _cue(family: str, type_: str, forward: bool, pattern: str, prefix: str = "") -> Cue:
    return Cue(family, type_, forward, re.compile(pattern, re.I), prefix)


_BE = r"(?:is\s+|are\s+|was\s+|were\s+|has\s+been\s+|have\s+been\s+)?"
_HAS = r"(?:has\s+|have\s+|had\s+)"
CUES: tuple[Cue, ...] = (
    _cue("effect-because", "affects", True, r"\b(?:starting\s+to\s+|beginning\s+to\s+)?(?:have|has|had|having)\s+"
         r"(?:a|an)\s+(?:\w+\s+)?(?:negative|adverse|detrimental|damaging)\s+(?:effect|impact)\s*,?\s+because\b"),
    _cue("effect-on", "affects", True, r"\b(?:is\s+|was\s+)?(?:starting\s+to\s+)?(?:has|have|had|having)\s+(?:a|an)\s+"
         r"(?:\w+\s+)?(?:negative|adverse|detrimental|damaging|positive|beneficial|significant|serious|direct)\s+"
         r"(?:effect|impact)\s+on\b"),
    _cue("pressure-on", "affects", True, _BE + r"(?:putting|placing|adding|puts|places|put|placed)\s+(?:\w+\s+){0,2}"
         r"pressure\s+on\b", "pressure on"),
    _cue("caused-by", "causes", False, _BE + r"(?:caused|driven)\s+by\b"),
    _cue("affected-by", "affects", False, _BE + r"(?:adversely\s+|negatively\s+)?affected\s+by\b"),
    _cue("means-that", "affects", True, r"\b(?:means|meant|mean)\b(?:\s+that)?"),
    _cue("led-to", "causes", True, _HAS + r"?(?:led|leads|leading)\s+to\b"),
    _cue("resulting-in", "causes", True, r"\b(?:resulting|resulted|results|result)\s+in\b"),
    _cue("resulting-from", "causes", False, r"\b(?:resulting|resulted|results|result)\s+from\b"),
    _cue("caused", "causes", True, r"(?:\b(?:has|have|had)\s+caused|\b(?:is|are|was|were)\s+causing|\bcauses|"
         r"(?<!\bwho\s)(?<!\bthat\s)(?<!\bwhich\s)\bcaused)\b(?!\s+by)"),
    _cue("has-reduced", "affects", True, _HAS + r"(?:\w+ly\s+)?(?P<verb>reduced|increased|improved|weakened|"
         r"undermined|hampered|restricted|damaged|delayed|affected)\b"),
    _cue("affects", "affects", True, r"\b(?:is\s+|are\s+|was\s+|were\s+)?(?:adversely\s+|negatively\s+|seriously\s+)?"
         r"(?:affects|affecting|undermines|undermining|hampers|hampering|hinders|hindering|limits|limiting|restricts|"
         r"restricting|weakens|weakening)(?:\s+(?:adversely|negatively))?"
         r"(?:\s+on)?\b"),
    _cue("contributes-to", "causes", True, _HAS + r"?contribut(?:es|ed|ing)\s+to\b"),
    _cue("so-that", "causes", True, r"\bso\s+that\b"),
    _cue("as-a-result-of", "causes", False, r"\bas\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of\b"),
    _cue("because-of", "causes", False, r"\bbecause\s+of\b"),
    _cue("because", "causes", False, r"\bbecause\b"),
    _cue("due-to", "causes", False, _BE + r"(?:partly\s+|mainly\s+|largely\s+|in\s+part\s+)?due\s+to\b"),
    _cue("owing-to", "causes", False, r"\bowing\s+to\b"),
)
_LEADING = re.compile(r"^(?P<cue>because\s+of|because|due\s+to|as\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of|"
                      r"owing\s+to|without)\s+(?P<c>[^,]+),\s*(?P<e>.+)$", re.I)
_BACK_REF = re.compile(r"^(?:as\s+a\s+(?:direct\s+)?(?:result|consequence)|consequently|because\s+of\s+this|"
                       r"for\s+this\s+reason)\s*,?\s+(?P<e>.+)$", re.I)
_TRAIL_REF = re.compile(r"^(?P<e>.+?),?\s+as\s+a\s+(?:direct\s+)?(?:result|consequence)$", re.I)
_LACK = re.compile(r"(?P<c>\b(?:lack|shortage)\s+of\s+(?:available\s+)?(?:\w+\s+)?(?:resources|officers|staff|"
                   r"capacity|people|detectives|investigators))\s+to\s+(?P<e>[^,.;]+)", re.I)
_ANAPHOR = re.compile(r"^(?:this|that|these|it|which|such|this\s+\w+|these\s+\w+|that\s+\w+|such\s+\w+)$", re.I)
CUE_RX: dict[str, re.Pattern[str]] = {c.family: c.rx for c in CUES} | {
    "leading": re.compile(r"\b(?:because|due\s+to|as\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of|owing\s+to|"
                          r"without)\b", re.I),
    "as-a-result": re.compile(r"\bas\s+a\s+(?:direct\s+)?(?:result|consequence)\b|"
                                                   r"\bconsequently\b|\bbecause\s+of\s+this\b|\bfor\s+this\s+reason\b",
                                                   re.I),
    "lack-of-resources": _LACK}
_LEADING_CUE = re.compile(r"^(?:because(?:\s+of)?|due\s+to|as\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of|"
                          r"owing\s+to|without)\b", re.I)
_PARTICIPLE = {"reduced", "increased", "improved", "weakened", "undermined", "limited", "hampered", "restricted",
               "damaged", "delayed"}
_NEG_WORDS = re.compile(
    r"n['’]t\b|\bnot\b|\bno\b|\bnever\b|\bnegative|\badverse|\bpressure\b|\bsuffer|\bdelay|\black\b|\bunable\b|"
    r"\bcannot\b|\blimit|\brisk\b|\bfewer\b|\bless\b|\bbacklog|\bfail|\bwors|\bmiss|\bpoor|\bunderm|\bhamper|"
    r"\bweaken|\bdamag|\breduced\b|\bexposed\b|\btoo\s+(?:long|slow|late|few)\b", re.I)
_POS_WORDS = re.compile(r"\bimprov|\bbetter\b|\benabl|\bpositive|\bquick|\bbenefi|"
                        r"\breduc\w* (?:the )?(?:risk|harm|number|crime|demand|backlog|delay)", re.I)


@dataclass
class Causal:
    """One cause-and-effect reading of a sentence (``uses_prev``: the cause is the sentence before)."""

    family: str
    type: str
    cause: str
    effect: str
    uses_prev: bool = False
    prefix: str = ""
    context: str | None = None  # what a pronoun in the effect refers to (default: the cause)


def _polarity(effect: str, sentence: str) -> str:
    """negative when the effect is a harm or a lack, positive when it is a gain, else neutral."""
    neg, pos = _NEG_WORDS.search(effect + " " + sentence), _POS_WORDS.search(effect)
    if neg and pos:
        return "negative" if re.search(r"n['’]t\b|\bnot\b|\bno\b|\bnever\b|\btoo\b", effect, re.I) else "positive"
    return "negative" if neg else "positive" if pos else "neutral"


_CLAUSE_START = re.compile(r"(?:,\s*(?:but|and|so|while|although)\s+|;\s*|\b(?:how|what|why|whether)\s+|"
                           r",\s*(?:we|hmic|hmicfrs|inspectors)\s+(?:found|saw|noted)\s+(?:that\s+)?)", re.I)
_NO_LINK = re.compile(r"(?:n['’]t|\bnot|\bnever|\bno\s+longer|\band|\b(?:that|which|who)(?:\s+(?:is|are|was|were|has|"
                      r"have|had))?)\s*$", re.I)
_ANAPHOR_CLAUSE = re.compile(r"^(?:some\s+of\s+)?(?:this|that|these|it)(?:\s+\w+)?(?:\s+(?:is|was|are|were)"
                            r"(?:\s+\w+)?)?$", re.I)
_SUBORDINATE = re.compile(r"^(?:although|though|while|whereas|despite|if|when|since)\s+(?P<sub>[^,]+),\s*(?P<main>.+)$",
                          re.I)
_LEAD_IN = re.compile(r"^(?:(?:after|before|in|at|on|for|as|when|however|therefore|in\s+turn)\b[^,]{0,40},\s*)", re.I)


def readings(sent: str, prev: str | None) -> list[Causal]:
    """The cause-and-effect readings of a sentence, most likely first: a sentence-initial cue, a reference back
    ("As a result, ..."), a lack of resources, then each cue family in the order the cues appear."""
    sent = sent.strip().rstrip(" .")
    body = sent if _LEADING_CUE.match(sent) else issues.strip_openers(sent)
    m = _LEADING.match(body)
    if m:
        without = m.group("cue").lower() == "without"
        return [Causal("leading", "affects" if without else "causes", ("lack of " if without else "") + m.group("c"),
                       m.group("e"))]
    m = _BACK_REF.match(sent) or _TRAIL_REF.match(body)
    if m:
        return [Causal("as-a-result", "causes", _prev_cause(prev), m.group("e"), True)] if prev else []
    out = []
    m = _LACK.search(body)
    if m:
        out.append(Causal("lack-of-resources", "affects", m.group("c"), m.group("e")))
    hits = sorted((m.start(), -(m.end() - m.start()), n, m) for n, cue in enumerate(CUES) for m in [cue.rx.search(body)]
                  if m)
    for _, _, n, m in hits:
        c = _cue_reading(CUES[n], m, body, prev)
        if c is not None:
            out.append(c)
    return out


def read_causal(sent: str, prev: str | None) -> Causal | None:
    """The most likely cause-and-effect reading of a sentence, if any."""
    found = readings(sent, prev)
    return found[0] if found else None


def _cue_reading(cue: Cue, m: re.Match[str], body: str, prev: str | None) -> Causal | None:
    """Cause and effect on either side of one cue; "This ..." as the cause points to the sentence before."""
    left, right = body[:m.start()].strip(" ,"), body[m.end():].strip(" ,")
    left = re.sub(r",?\s+which$", "", left, flags=re.I)
    if _NO_LINK.search(left):  # "... are not affecting", "X and has increased": no causal claim
        return None
    left = left.split("\n")[-1]
    left = _CLAUSE_START.split(left)[-1] if cue.forward else left
    right = _LEAD_IN.sub("", right.split("\n")[0])
    context = None
    sub = _SUBORDINATE.match(left)
    if sub and not cue.forward:  # "Although X are good, they are under-used due to Y": the effect is the main clause
        context, left = sub.group("sub"), sub.group("main")
    cause, effect = (left, right) if cue.forward else (right, left)
    back = not cue.forward and bool(_ANAPHOR_CLAUSE.match(issues.strip_openers(effect)))
    if back:
        if prev is None:  # "This was because of X": the effect is what the sentence before says
            return None
        effect = prev
    prefix = cue.prefix or (m.group("verb").lower() if "verb" in m.groupdict() and m.group("verb") in _PARTICIPLE
                            else "")
    if _ANAPHOR.match(issues.strip_openers(cause) or "this"):
        return Causal(cue.family, cue.type, _prev_cause(prev), effect, True, prefix) if prev else None
    return Causal(cue.family, cue.type, cause, effect, back, prefix, context)


def _prev_cause(prev: str | None) -> str:
    """What "This ..." refers to: the effect the sentence before states (as its label, pronouns resolved),
    or else that whole sentence."""
    for c in readings(prev, None) if prev else []:
        pair = None if c.uses_prev else labels_for(c)
        if pair is not None:
            return pair[1]
    return prev or ""


def labels_for(c: Causal) -> tuple[str, str] | None:
    """The two labels of a causal reading, pronouns resolved; None when either cannot be made faithfully."""
    if re.match(r"^(?:from|by|to)\s+\d", c.effect.strip(), re.I):
        return None  # "reduced from 22": a count changing, not an effect
    cause = issues.issue_label(c.cause, "cause")
    effect = issues.issue_label(c.effect, "effect")
    if effect and c.prefix:
        effect = f"{c.prefix} {effect}"
    if effect:
        effect = issues.resolve_pronoun(effect, c.cause if c.context is None else c.context)
    if not (issues.valid_label(cause) and issues.valid_label(effect)) or norm_key(cause or "") == norm_key(effect or ""):
        return None
    return cause, effect  # type: ignore[return-value]


# ---------------------------------------------------------------------------- the evidence check

_STOP = frozenset("""the a an and or of to in on for with by at from is are was were be been being has have had it its
this that these those they them their not no can could should would will may might must do does did force forces
police more most than into about all any some which who when where there as but also only""".split())


def _stems(text: str) -> set[str]:
    return {fold_plural(w.lower().replace("’", "'"))[:5] for w in re.findall(r"[A-Za-z][\w'’-]*", text)}


def _content_stems(label: str) -> list[str]:
    return [fold_plural(w.lower())[:5] for w in re.findall(r"[A-Za-z][\w'’-]*", label)
            if w.lower() not in _STOP and len(w) > 2]


def names(quote: str, label: str) -> bool:
    """At least half the content words of ``label`` (by their first five letters) are in ``quote``."""
    want = _content_stems(label)
    if not want:
        return False
    have = _stems(quote)
    return sum(w in have for w in want) * 2 >= len(want)


def supports(rule: str, quote: str, source_label: str, target_label: str) -> bool:
    """A causal edge's quote holds its cue and names both its ends."""
    family = rule.split(":", 1)[-1]
    rx = CUE_RX.get(family)
    if rx is None or not rx.search(quote):
        return False
    return names(quote, source_label) and names(quote, target_label)


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
    out.rel(c.type, c_id, e_id, _polarity(f"{c.prefix} {c.effect}", s.text), rule, [ev])
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
    r"\bjoint\s+(?:\w+\s+)?(?:arrangements?|working|team|teams|approach)\s+with\b|\bcollaborat\w+\s+with\b|"
    r"\bin\s+partnership\s+with\b|\bsupported\s+by\b|\bco-located\s+with\b|\bbrings\s+together\b|"
    r"\bnetwork\s+of\s+partners,?\s+including\b|\bwith\s+(?:partners|partner\s+organisations|other\s+forces)[^.]*?"
    r"\bincluding\b", re.I)


def _add_partners(out: _Out, s: _Sentence, ex: Extraction, force_id: str | None) -> None:
    """partners_with: the unit, force or programme before a partnership cue, and the partners after it."""
    m = _PARTNER_CUE.search(s.text)
    if not m:
        return
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
