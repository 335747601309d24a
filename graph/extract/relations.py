"""Sentences -> evidenced relations, each with the rule that produced it.

Per report: cause and effect (``affects`` / ``causes``) between Issue nodes
with short canonical labels, ``partners_with``, ``responsible_for``,
``recommends``, ``carried_over_from`` and ``mentions`` (an issue naming a
known entity). Relations across reports (``recurs``, metric changes) are
computed over the whole store in ``graph.build``.

Issue labels are made short and canonical so the same issue in two
sentences or two reports becomes one node: discourse openers and
determiners are dropped, a verb and its object are nominalised ("the force
removed all police constables from its neighbourhood teams" -> "removal of
neighbourhood officers"), and names are resolved through the gazetteer.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from graph.extract.entities import Entity, Extraction, lookup, norm_key, plural, singular, slug, term_id
from graph.records import KIND_AFI, KIND_CAUSE, KIND_PARAGRAPH, KIND_RECOMMENDATION, KIND_SUMMARY, Report
from graph.text import split_sentences

CAUSAL_KINDS = (KIND_PARAGRAPH, KIND_SUMMARY, KIND_CAUSE, "list")


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


# ---------------------------------------------------------------------------- issue labels

_OPENERS = re.compile(
    r"^(?:however|also|in addition|additionally|furthermore|moreover|therefore|consequently|but|and|so|"
    r"in (?:the )?(?:meantime|practice|particular)|as well as this|overall|generally|unfortunately|"
    r"in \w+ \d{4}|during \d{4}|since \d{4})\s*,?\s+", re.I)
_REPORTING = re.compile(
    r"^(?:(?:we|hmic|inspectors|officers|staff|partners)\s+(?:saw|found|noted|heard|were told|believe|are concerned|"
    r"saw signs|saw evidence|found evidence|found signs|told us)\s+(?:signs\s+|evidence\s+)?that\s+|"
    r"there (?:is|was|are|were) (?:some )?(?:evidence|signs|indications) that\s+|"
    r"it is (?:clear|likely|evident) that\s+)", re.I)
_DETERMINERS = re.compile(r"^(?:the|a|an|its|their|this|these|those|some|all|any|each|such|that)\s+", re.I)
_POSSESSIVE = re.compile(r"^(?:the\s+)?(?:force|forces|police)['’]s?\s+", re.I)
_NOMINAL = {
    "remove": "removal", "removed": "removal", "removes": "removal", "removing": "removal",
    "withdraw": "withdrawal", "withdrew": "withdrawal", "withdrawn": "withdrawal",
    "reduce": "reduction", "reduced": "reduction", "reduces": "reduction", "reducing": "reduction",
    "cut": "cut", "cuts": "cut",
    "abstract": "abstraction", "abstracted": "abstraction", "abstracts": "abstraction",
    "move": "moving", "moved": "moving", "moves": "moving",
    "stop": "stopping", "stopped": "stopping", "close": "closure", "closed": "closure",
    "merge": "merger", "merged": "merger", "centralise": "centralisation", "centralised": "centralisation",
    "execute": "execution", "investigate": "investigation", "manage": "management", "allocate": "allocation",
    "prevent": "prevention", "disrupt": "disruption", "identify": "identification", "protect": "protection",
    "assess": "assessment", "review": "review", "supervise": "supervision", "record": "recording",
    "monitor": "monitoring", "safeguard": "safeguarding", "circulate": "circulation", "pursue": "pursuit",
}
_EVENT_NOUNS = ("removal|reduction|loss|lack|shortage|withdrawal|abstraction|abstractions|absence|increase|decrease|"
                "introduction|use|cut|cuts|closure|merger|centralisation|redeployment|movement|demand|rise|fall")
_NEG_WORDS = re.compile(
    r"n['’]t\b|\bnot\b|\bno\b|\bnegative|\badverse|\bpressure\b|\bsuffer|\bdelay|\black\b|\bunable\b|\bcannot\b|"
    r"\blimit|\brisk\b|\bfewer\b|\bless\b|\bbacklog|\bfail|\bwors|\bmiss", re.I)
_POS_WORDS = re.compile(r"\bimprov|\bbetter\b|\benabl|\bhelp|\bpositive|\bquick|\breduc\w* (?:the )?(?:risk|harm|number)",
                        re.I)
_AVAILABLE_TO = re.compile(
    r"\b(?:available|able|free|time|capacity|resources?)\s+to\s+(?:carry\s+out|do|undertake|conduct|perform|"
    r"complete|provide|deliver|support|execute|make|spend\s+on)\s+(?P<x>[^,.;]+)", re.I)
_ACTIVITY = re.compile(r"\bto\s+(?P<v>[a-z]+)\s+(?P<x>[^,.;]+)", re.I)


def _strip(clause: str) -> str:
    c = clause.strip(" ,;:.")
    for _ in range(3):
        c2 = _REPORTING.sub("", _OPENERS.sub("", c))
        if c2 == c:
            break
        c = c2
    return c.strip(" ,;:.")


def _words(text: str, n: int) -> list[str]:
    return re.findall(r"[A-Za-z0-9][\w'’/-]*", text)[:n]


def _np(text: str, max_words: int = 7) -> str:
    """The noun phrase at the start of ``text`` (cut at a verb, clause or preposition that ends it)."""
    text = re.split(r"[,;:()]|\s+[–—-]\s+", text)[0]
    stop = re.compile(r"^(?:is|are|was|were|be|been|has|have|had|which|who|that|when|while|because|means|can|"
                      r"could|will|would|should|may|might|must|does|do|did|so|but|as|than|until|unless|"
                      r"n['’]t|isn['’]t|aren['’]t|wasn['’]t|weren['’]t|doesn['’]t|don['’]t|can['’]t)$", re.I)
    out = []
    for w in _words(text, 20):
        if stop.match(w):
            break
        out.append(w)
        if len(out) >= max_words:
            break
    while out and out[-1].lower() in {"and", "or", "of", "to", "in", "for", "with", "by", "on", "at", "from", "the"}:
        out.pop()
    return " ".join(out)


def _clean_np(np_: str) -> str:
    np_ = _DETERMINERS.sub("", np_.strip())
    np_ = _POSSESSIVE.sub("", np_)
    np_ = re.sub(r"^(?:already|only|just|also|even|more|most|further|additional)\s+", "", np_, flags=re.I)
    np_ = _DETERMINERS.sub("", np_)
    return np_


def _canon_np(np_: str) -> str:
    """A noun phrase with names resolved: "police constables from its neighbourhood teams" -> "neighbourhood officers"."""
    np_ = _clean_np(np_)
    m = re.match(r"(?:all\s+)?(?P<who>[\w -]+?)\s+from\s+(?:the\s+|its\s+|their\s+)?(?:force['’]s\s+)?(?P<unit>[\w -]+)$",
                 np_, re.I)
    if m:
        who_words = m.group("who").split()
        unit_words = m.group("unit").split()
        if len(unit_words) >= 2:
            head = singular(who_words[-1].lower())
            candidate = " ".join(unit_words[:-1]) + " " + head  # "neighbourhood" + "constable"
            t = lookup(candidate)
            if t is not None:
                return plural(t.label) if t.type == "role" else t.label
        t = lookup(m.group("who"))
        if t is not None and t.type == "role":
            return f"{plural(t.label)} from {m.group('unit')}"
    t = lookup(np_)
    if t is not None and t.type in ("role", "unit"):
        return plural(t.label) if t.type == "role" else t.label
    return np_


def _lower(label: str) -> str:
    return " ".join(w if (w.isupper() and len(w) > 1) or (i > 0 and w[:1].isupper()) else w.lower()
                    for i, w in enumerate(label.split()))


def issue_label(clause: str, role: str = "cause") -> str:
    """A short canonical label for a cause or effect clause."""
    c = _strip(clause)
    c = re.sub(r"\s*\([^)]*\)", "", c)
    # an event noun phrase: "the removal of neighbourhood officers ..."
    m = re.match(r"(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:(?:force|forces)['’]s?\s+)?(?:\w+\s+)?(?P<n>" + _EVENT_NOUNS
                 + r")\s+(?:of|in|on)\s+(?P<x>.+)", c, re.I)
    if m and len(c.split()) <= 20:
        noun = m.group("n").lower()
        noun = {"abstractions": "abstraction", "cuts": "cut"}.get(noun, noun)
        x = _np(m.group("x"))
        if x:
            return _lower(f"{noun} of {_canon_np(x)}" if noun not in ("increase", "decrease", "rise", "fall")
                          else f"{noun} in {_canon_np(x)}")
    # a verb and its object: "the force removed all police constables from its neighbourhood teams"
    m = re.search(r"\b(?P<v>" + "|".join(k for k in _NOMINAL if not k.startswith(("investig", "manag", "review",
                                                                                    "record", "monitor")))
                  + r")\s+(?P<x>(?:all\s+|some\s+|most\s+)?[^,.;]+)", c, re.I)
    if m and role == "cause":
        x = m.group("x")
        x = re.split(r"\s+(?:and|but|which|who|to|so|because|when|while)\s+|\s+from\s+(?:dealing|doing|their\s+own)",
                     x)[0]
        x = _canon_np(_np(x, 9))
        if x:
            return _lower(f"{_NOMINAL[m.group('v').lower()]} of {x}")
    # "they weren't available to carry out lower-level disruption activity"
    m = _AVAILABLE_TO.search(c)
    if m:
        return _lower(_clean_np(_np(m.group("x"))))
    # "police powers aren't available when needed"
    m = re.match(r"(?P<x>.+?)\s+(?:are|is|were|was)\s*(?:n['’]t|\s+not)\s+available\b", c, re.I)
    if m:
        return _lower(f"availability of {_clean_np(_np(m.group('x')))}")
    # "pressure on already overstretched response officers"
    m = re.search(r"pressure\s+on\s+(?P<x>.+)", c, re.I)
    if m:
        return _lower(f"pressure on {_canon_np(_np(_clean_np(m.group('x'))))}")
    # "the force's ability to prevent crime and anti-social behaviour"
    m = re.search(r"\b(?:ability|capacity|capability)\s+to\s+(?P<x>[^,.;]+)", c, re.I)
    if m:
        return _lower(f"ability to {_np(m.group('x'), 8)}")
    # subject + (negated) verb + object: keep the object as the effect
    m = re.match(r"(?P<s>.+?)\s+(?P<aux>(?:do|does|did|can|could|is|are|was|were|has|have)(?:n['’]t| not)?|cannot|"
                 r"aren['’]t|isn['’]t|doesn['’]t|don['’]t|can['’]t|won['’]t)\s+(?P<rest>.+)", c, re.I)
    if m and role == "effect":
        subj = _clean_np(m.group("s"))
        rest = re.sub(r"^(?:not\s+|always\s+|be\s+|been\s+|being\s+|getting\s+|able\s+to\s+|fully\s+|properly\s+|"
                      r"have\s+|having\s+)+", "", m.group("rest"), flags=re.I)
        words = _words(rest, 7)
        if lookup(subj) is not None or len(subj.split()) <= 4 and not re.match(r"(?:it|they|force|we)\b", subj, re.I):
            return _lower(" ".join(_words(subj, 5) + words[:5]))
        return _lower(" ".join(words))
    np_ = _clean_np(_np(c, 8))
    if role == "cause" and len(np_.split()) <= 2:
        return _lower(_clean_np(" ".join(_words(c, 8))))
    return _lower(np_ or " ".join(_words(c, 6)))


def _polarity(*texts: str) -> str:
    t = " ".join(texts)
    if _NEG_WORDS.search(t):
        return "negative"
    if _POS_WORDS.search(t):
        return "positive"
    return "neutral"


# ---------------------------------------------------------------------------- cause and effect rules

_CAUSE_RULES: list[tuple[str, str, re.Pattern[str]]] = [
    # (rule name, relation type, pattern with groups c (cause) / e (effect) / why)
    ("cue:negative-effect-because", "affects", re.compile(
        r"^(?P<c>.+?)\s+(?:was|is|were|are|has been|have been|had been)?\s*(?:starting\s+to\s+|beginning\s+to\s+)?"
        r"(?:have|having|had|has)\s+(?:a|an)\s+(?:\w+\s+)?(?:negative|adverse|detrimental|damaging)\s+(?:effect|impact)"
        r"(?:\s+on\s+(?P<e>[^,.;]+))?(?:,?\s+because\s+(?P<why>.+))?$", re.I)),
    ("cue:positive-effect", "affects", re.compile(
        r"^(?P<c>.+?)\s+(?:has|have|had|is having|was having)\s+(?:a|an)\s+(?:\w+\s+)?(?:positive|beneficial)\s+"
        r"(?:effect|impact)\s+on\s+(?P<e>[^,.;]+)", re.I)),
    ("cue:affecting-adversely", "affects", re.compile(
        r"^(?P<c>.+?),?\s+(?:which\s+)?(?:is|are|was|were)\s+(?:affecting|impacting)\s+(?:adversely|negatively)?\s*"
        r"(?:on\s+)?(?P<e>.+)$", re.I)),
    ("cue:affects", "affects", re.compile(
        r"^(?P<c>.+?)\s+(?:adversely\s+|negatively\s+)?(?:affects|limits|restricts|undermines|hampers|hinders)\s+"
        r"(?!by\b)(?P<e>.+)$", re.I)),
    ("cue:means-that", "affects", re.compile(r"^(?P<c>.+?),?\s+(?:which\s+)?(?:means|meant|mean)\s+(?:that\s+)?(?P<e>.+)$",
                                             re.I)),
    ("cue:pressure-on", "affects", re.compile(
        r"^(?P<c>.+?)\s+(?:is|are|was|were)\s+(?:putting|placing|adding)\s+(?:\w+\s+)?pressure\s+on\s+(?P<e>.+)$", re.I)),
    ("cue:resulting-in", "causes", re.compile(
        r"^(?P<c>.+?),?\s+(?:which\s+)?(?:resulting|resulted|results|result|leading|led|leads)\s+(?:in|to)\s+(?P<e>.+)$",
        re.I)),
    ("cue:as-a-result-of", "causes", re.compile(r"^(?P<e>.+?),?\s+as\s+a\s+(?:result|consequence)\s+of\s+(?P<c>.+)$",
                                                re.I)),
    ("cue:as-a-result", "causes", re.compile(r"^(?:as\s+a\s+(?:result|consequence)|consequently),?\s+(?P<e>.+)$", re.I)),
    ("cue:as-a-result", "causes", re.compile(r"^(?P<e>.+?)\s+as\s+a\s+(?:result|consequence)\.?$", re.I)),
    ("cue:due-to", "causes", re.compile(r"^due\s+to\s+(?P<c>[^,]+),\s*(?P<e>.+)$", re.I)),
    ("cue:due-to", "causes", re.compile(r"^(?P<e>.+?)\s+(?:is\s+|are\s+|was\s+)?(?:partly\s+|mainly\s+|largely\s+)?"
                                        r"due\s+to\s+(?P<c>.+)$", re.I)),
    ("cue:because", "causes", re.compile(r"^(?P<e>.+?),?\s+(?:is\s+|are\s+)?because(?:\s+of)?\s+(?P<c>.+)$", re.I)),
    ("cue:without", "affects", re.compile(r"^without\s+(?P<c>[^,]+),\s*(?P<e>.+)$", re.I)),
    ("cue:lack-of-resources", "affects", re.compile(
        r"(?P<c>(?:lack|shortage)\s+of\s+(?:available\s+)?(?:resources|officers|staff|capacity|people))\s+to\s+"
        r"(?P<e>[^,.;]+)", re.I)),
]
_THIS = re.compile(r"^(?:this|that|these|which|it|this\s+\w+|these\s+\w+)$", re.I)


def _activity_label(text: str) -> str:
    """"execute warrants for wanted people" -> "execution of warrants"."""
    m = re.match(r"(?P<v>[a-z]+)\s+(?P<x>.+)", text.strip(), re.I)
    if m and m.group("v").lower() in _NOMINAL:
        return _lower(f"{_NOMINAL[m.group('v').lower()]} of {_np(m.group('x'), 4)}")
    return _lower(_np(text, 6))


class _Out:
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


_BAD_START = re.compile(r"^(?:it|they|this|there|we|he|she|that|while|although|for example|in the|by|on|of|to|"
                        r"staff spoke|recent example|be)\b", re.I)


def _valid_label(label: str) -> bool:
    words = label.split()
    if not (1 <= len(words) <= 12) or _THIS.match(label) or not any(len(w) > 2 for w in words):
        return False
    if _BAD_START.match(label) or label.lower() in {"force", "forces", "police", "crime", "investigations", "staff"}:
        return False
    t = lookup(label)
    return not (t is not None and t.type == "force")


def extract(report: Report, ex: Extraction, themes_of: Callable[[str], list[str]] | None = None) -> Extracted:
    """Per-report relations. ``themes_of(sentence)`` gives a sentence's theme ids (for issue -> theme edges)."""
    out = _Out(report)
    rid = report.report_id
    force_id = next((e.id for e in ex.entities.values() if e.type == "force" and report.meta.force
                     and norm_key(e.label) == norm_key(report.meta.force)), None)
    if force_id is None and report.meta.force:
        force_id = next((e.id for e in ex.entities.values() if e.type == "force" and e.source == "metadata"), None)
    by_passage: dict[str, list] = {}
    for m in ex.mentions:
        by_passage.setdefault(m.passage_id, []).append(m)
    removals: list[tuple[str, str, Evidence]] = []  # (issue id, object words, evidence)
    shortages: list[tuple[str, str, str, Evidence]] = []  # (effect id, subject words, label, evidence)

    for p in report.passages:
        if p.kind not in CAUSAL_KINDS:
            continue
        spans = split_sentences(p.text)
        for n, (a, b) in enumerate(spans):
            sent = p.text[a:b].strip()
            prev = p.text[spans[n - 1][0]:spans[n - 1][1]].strip() if n > 0 else None
            prev_span = spans[n - 1] if n > 0 else None
            mentions = [m for m in by_passage.get(p.passage_id, []) if a <= m.start and m.end <= b]
            ev = Evidence(p.passage_id, rid, sent)
            sent_themes = themes_of(sent) if themes_of else []

            # ---- cause and effect
            body = sent.rstrip(".")
            for rule, rtype, rx in _CAUSE_RULES:
                m = rx.search(body) if rule == "cue:lack-of-resources" else rx.match(_strip(body))
                if not m:
                    continue
                gd = m.groupdict()
                cause_txt, effect_txt = gd.get("c"), gd.get("e")
                evidence = [ev]
                cspan = (a, b)
                if cause_txt is None or _THIS.match(_strip(cause_txt)):
                    if prev is None:
                        break
                    cause_txt = prev
                    evidence = [Evidence(p.passage_id, rid, prev + " " + sent)]
                    cspan = (prev_span[0], b)  # type: ignore[index]
                if effect_txt is None and gd.get("why"):
                    mm = _AVAILABLE_TO.search(gd["why"])
                    effect_txt = mm.group("x") if mm else gd["why"]
                if effect_txt is None:
                    break
                if rule == "cue:lack-of-resources":
                    c_label = _lower(_clean_np(cause_txt))
                    e_label = _activity_label(effect_txt)
                else:
                    c_label = issue_label(cause_txt, "cause")
                    e_label = issue_label(effect_txt, "effect")
                if not (_valid_label(c_label) and _valid_label(e_label)) or norm_key(c_label) == norm_key(e_label):
                    break
                pol = _polarity(sent)
                c_id = out.node("issue", c_label, p.passage_id, *cspan)
                e_id = out.node("issue", e_label, p.passage_id, a, b)
                out.rel(rtype, c_id, e_id, pol, rule, evidence)
                for t in sent_themes:
                    out.rel("about_theme", e_id, f"theme:{t}", "neutral", "theme:sentence", [ev])
                    out.rel("about_theme", c_id, f"theme:{t}", "neutral", "theme:sentence", [ev])
                for mm_ in mentions:
                    if norm_key(mm_.surface) in norm_key(c_label) or norm_key(mm_.surface) in norm_key(e_label):
                        tgt = c_id if norm_key(mm_.surface) in norm_key(c_label) else e_id
                        out.rel("mentions", tgt, mm_.entity_id, "neutral", "issue:names-entity", [ev])
                if c_label.startswith(("removal of", "reduction of", "withdrawal of", "abstraction of", "cut of")):
                    removals.append((c_id, c_label.split(" of ", 1)[1], evidence[0]))
                if rule == "cue:lack-of-resources":
                    subj = re.split(r"\b(?:are|is|were|was|have|has)\b", body[:m.start()])[0]
                    shortages.append((e_id, subj, e_label, ev))
                break

            # ---- partners_with
            for m in re.finditer(r"\b(?:works?|working|worked)\s+(?:well\s+|closely\s+|effectively\s+)?(?:with|alongside)\b|"
                                 r"\bjoint\s+(?:\w+\s+)?(?:arrangements?|working|team|teams|approach)\s+with\b|"
                                 r"\bcollaborat\w+\s+with\b|\bin\s+partnership\s+with\b|\bsupported\s+by\b|"
                                 r"\bco-located\s+with\b|\bbrings\s+together\b|\bnetwork\s+of\s+partners,?\s+including\b|"
                                 r"\bwith\s+(?:partners|partner\s+organisations|other\s+forces)[^.]*?\bincluding\b", sent, re.I):
                start = a + m.end()
                subj_m = [x for x in mentions if x.end <= a + m.start() and ex.entities[x.entity_id].type in
                          ("unit", "force", "programme")]
                src = subj_m[-1].entity_id if subj_m else force_id
                if src is None:
                    continue
                for x in mentions:
                    if x.start >= start and ex.entities[x.entity_id].type in ("partner", "force") and x.entity_id != src:
                        out.rel("partners_with", src, x.entity_id, "positive", "cue:works-with", [ev])
                break

            # ---- responsible_for
            m = re.search(r"\b(?:(?:is|are|was|were)\s+(?:also\s+)?responsible\s+for|(?:has|have|had|takes?|took)\s+"
                          r"(?:overall\s+)?responsibility\s+for|(?:is|are)\s+allocated\s+responsibility\s+for)\s+(?P<x>[^.;]+)",
                          sent, re.I)
            m2 = re.search(r"^(?P<x>.+?)\s+(?:is|are)\s+the\s+responsibility\s+of\s+(?:the\s+)?(?P<who>[^.;,]+)", sent, re.I)
            if m or m2:
                if m:
                    subj = [x for x in mentions if x.end <= a + m.start() and ex.entities[x.entity_id].type in
                            ("unit", "role", "partner", "force")]
                    if not subj and prev is not None and re.match(r"^(?:they|it|he|she)\b", sent, re.I):
                        subj = [x for x in by_passage.get(p.passage_id, []) if prev_span and prev_span[0] <= x.start
                                and x.end <= prev_span[1] and ex.entities[x.entity_id].type in ("unit", "role")]
                    src = subj[-1].entity_id if subj else None
                    obj = m.group("x")
                    obj_mentions = [x for x in mentions if x.start >= a + m.start("x")]
                else:
                    who = [x for x in mentions if x.start >= a + m2.start("who")]
                    src = who[0].entity_id if who else None
                    obj = m2.group("x")
                    obj_mentions = [x for x in mentions if x.end <= a + m2.end("x")]
                if src is not None:
                    tgt = next((x.entity_id for x in obj_mentions if x.entity_id != src), None)
                    if tgt is None:
                        label = _lower(_clean_np(_np(_strip(obj), 8)))
                        if _valid_label(label):
                            tgt = out.node("issue", label, p.passage_id, a, b)
                    if tgt is not None:
                        out.rel("responsible_for", src, tgt, "neutral", "cue:responsible-for", [ev])

    # ---- inferred: a removal named in the report, and a shortage felt by the same kind of people
    for e_id, subj, _label, ev in shortages:
        subj_words = {singular(w.lower()) for w in re.findall(r"[A-Za-z][\w-]+", subj)} - _GENERIC_PEOPLE
        for c_id, obj, rev in removals:
            obj_words = {singular(w.lower()) for w in re.findall(r"[A-Za-z][\w-]+", obj)} - _GENERIC_PEOPLE
            if subj_words & obj_words:
                out.rel("affects", c_id, e_id, "negative", "infer:removal-then-shortage", [rev, ev])

    _items(report, out, force_id, themes_of)
    return Extracted(list(out.relations.values()), out.nodes, out.node_mentions)


_GENERIC_PEOPLE = {"officer", "staff", "people", "team", "the", "force", "police", "member", "sergeant", "inspector",
                   "constable", "resource", "are", "frustrated", "about", "also", "and"}


def _items(report: Report, out: _Out, force_id: str | None, themes_of: Callable[[str], list[str]] | None) -> None:
    """Recommendations, areas for improvement and causes of concern: recommends, about_theme, carried_over_from."""
    rid = report.report_id
    report_node = f"report:{rid}"
    passages = {p.passage_id: p for p in report.passages}
    for it in report.items:
        if it.kind not in (KIND_RECOMMENDATION, KIND_AFI, KIND_CAUSE) or not it.passage_id:
            continue
        p = passages.get(it.passage_id)
        if p is None:
            continue
        a = p.text.find(it.text[:60])
        a = max(a, 0)
        b = min(len(p.text), a + len(it.text)) if a >= 0 else len(p.text)
        label = it.text if len(it.text) <= 100 else it.text[:97].rstrip() + "..."
        nid = out.node(it.kind, label, p.passage_id, a, b, data={"text": it.text, "question": it.question,
                                                                  "report_id": rid}, node_id=f"{it.kind}:{it.item_id}")
        ev = Evidence(p.passage_id, rid, it.text)
        out.node("report", report.meta.title or rid, p.passage_id, a, b, node_id=report_node)
        out.rel("recommends", report_node, nid, "neutral", f"item:{it.kind}", [ev])
        for t in (themes_of(it.text) if themes_of else []):
            out.rel("about_theme", nid, f"theme:{t}", "neutral", "theme:sentence", [ev])
        if it.carried_over_from:
            insp = out.node("inspection", it.carried_over_from, p.passage_id, a, b,
                            data={"year": (re.search(r"\d{4}", it.carried_over_from) or [None])[0]},
                            node_id=f"inspection:{slug(it.carried_over_from)}")
            out.rel("carried_over_from", nid, insp, "negative", "item:still-outstanding", [ev])
    del force_id


def gazetteer_id(name: str) -> str | None:
    t = lookup(name)
    return term_id(t) if t else None
