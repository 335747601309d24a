"""Sentences -> cause-and-effect readings, their labels, and the check that a quote supports them.

Cue families are written for English as inspectors use it ("means that",
"because of", "has led to", "due to", "putting pressure on", "has
reduced"...), each knowing which side is the cause. A sentence that opens
with "This ..." or "As a result" takes its cause from the sentence before
(quoting both). ``supports`` is the check every causal edge must pass: its
quote holds the cue and names both ends. Labels come from
``graph.extract.issues``; the edges are made in ``graph.extract.relations``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from graph.extract import issues
from graph.extract.entities import norm_key
from graph.text import fold_plural

CAUSAL_TYPES = ("affects", "causes")


# ---------------------------------------------------------------------------- cue families


@dataclass(frozen=True)
class Cue:
    """A cause-and-effect cue: ``forward`` when the cause comes before it ("X means that Y")."""

    family: str
    type: str
    forward: bool
    rx: re.Pattern[str]
    prefix: str = ""  # put before the effect label ("pressure on", "reduced")
    need: re.Pattern[str] | None = None  # words every match contains: a cheap test before ``rx``


def _cue(family: str, type_: str, forward: bool, pattern: str, prefix: str = "", need: str = "") -> Cue:
    """``need``: words one of which every match of ``pattern`` contains (a cue that opens with optional
    words, "is", "has been", is slow to search for at every position of a sentence that lacks it)."""
    return Cue(family, type_, forward, re.compile(pattern, re.I), prefix, re.compile(need, re.I) if need else None)


_BE = r"(?:is\s+|are\s+|was\s+|were\s+|has\s+been\s+|have\s+been\s+)?"
_HAS = r"(?:has\s+|have\s+|had\s+)"
# "prevents <whom> from": whom named (a pronoun there points outside the clause, and no label could say whom)
_WHO_FROM = r"(?=\s+(?!(?:them|it|him|her|us|these|those|this)\b)(?:\w+\s+){1,4}?from\b)"
CUES: tuple[Cue, ...] = (
    _cue("effect-because", "affects", True, r"\b(?:starting\s+to\s+|beginning\s+to\s+)?(?:have|has|had|having)\s+"
         r"(?:a|an)\s+(?:\w+\s+)?(?:negative|adverse|detrimental|damaging)\s+(?:effect|impact)\s*,?\s+because\b",
         need="because"),
    _cue("effect-on", "affects", True, r"\b(?:is\s+|was\s+)?(?:starting\s+to\s+)?(?:has|have|had|having)\s+(?:a|an)\s+"
         r"(?:\w+\s+)?(?:(?:negative|adverse|detrimental|damaging|positive|beneficial|significant|serious|direct)\s+)?"
         r"(?:effect|impact)\s+on\b", need="effect|impact"),
    _cue("impact-on", "affects", True, r"\b(?:is\s+|are\s+|was\s+|were\s+)?(?:having|has\s+had|have\s+had|had)\s+"
         r"(?:an?\s+)?(?:\w+\s+)?impact\s+on\b|\b(?:is\s+|are\s+)?(?:impacting|impacts|impacted)\s+(?:on\s+)?(?=\w)",
         need="impact"),
    _cue("pressure-on", "affects", True, _BE + r"(?:putting|placing|adding|puts|places|put|placed)\s+(?:\w+\s+){0,2}"
         r"pressure\s+on\b", "pressure on", need="pressure"),
    _cue("caused-by", "causes", False, _BE + r"(?:caused|driven)\s+by\b", need="caused|driven"),
    _cue("affected-by", "affects", False, _BE + r"(?:adversely\s+|negatively\s+)?affected\s+by\b", need="affected"),
    _cue("means-that", "affects", True, r"\b(?:means|meant|mean)\b(?:\s+that)?|,\s*meaning\b(?:\s+that)?"),
    _cue("led-to", "causes", True, _HAS + r"?(?:led|leads|leading)\s+to\b", need="led|lead"),
    _cue("resulting-in", "causes", True, r"\b(?:resulting|resulted|results|result)\s+in\b"),
    _cue("resulting-from", "causes", False, r"\b(?:resulting|resulted|results|result)\s+from\b"),
    _cue("caused", "causes", True, r"(?:\b(?:has|have|had)\s+caused|\b(?:is|are|was|were)\s+causing|\bcauses|"
         r"(?<!\bwho\s)(?<!\bthat\s)(?<!\bwhich\s)\bcaused)\b(?!\s+by)", need="caus"),
    _cue("has-reduced", "affects", True, _HAS + r"(?:\w+ly\s+)?(?P<verb>reduced|increased|improved|weakened|"
         r"undermined|hampered|restricted|damaged|delayed|affected|cut|slowed|lowered|enabled|allowed|hindered|freed\s+up|"
         r"made\s+it\s+(?:harder|more\s+difficult|easier)|"
         # "has left victims waiting", "has created a backlog": only with the harm they name (not "left the force")
         r"left(?=\s+(?:\w+\s+){1,4}?(?:waiting|without|unable|exposed|vulnerable|at\s+risk))|"
         r"created(?=\s+(?:an?\s+)?(?:\w+\s+)?(?:backlogs?|delays?|pressures?|gaps?|risks?|problems?|difficult)))"),
    # "X prevents / is stopping Y from Z" (an outcome; "to prevent Y from" states a purpose, not an effect)
    _cue("prevents", "affects", True, _BE + _HAS + r"?(?<!\bto\s)(?:prevents?|prevented|preventing)" + _WHO_FROM,
         "preventing", need="prevent"),
    _cue("stops", "affects", True, _BE + _HAS + r"?(?<!\bto\s)(?:stops|stopped|stopping)" + _WHO_FROM, "stopping",
         need="stop"),
    _cue("affects", "affects", True, r"\b(?:is\s+|are\s+|was\s+|were\s+)?(?:adversely\s+|negatively\s+|seriously\s+)?"
         r"(?:affects|affecting|undermines|undermining|hampers|hampering|hinders|hindering|limits|limiting|restricts|"
         r"restricting|weakens|weakening)(?:\s+(?:adversely|negatively))?"
         r"(?:\s+on)?\b", need="affect|undermin|hamper|hinder|limit|restrict|weaken"),
    _cue("contributes-to", "causes", True, _HAS + r"?contribut(?:es|ed|ing)\s+to\b", need="contribut"),
    _cue("so-that", "causes", True, r"\bso\s+that\b"),
    _cue("so", "causes", True, r",\s*(?:and\s+)?so\s+(?!that\b|far\b|much\b|many\b|long\b|too\b|on\b)(?=\w)"),
    _cue("as-a-result-of", "causes", False, r"\bas\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of\b"),
    _cue("because-of", "causes", False, r"\bbecause\s+of\b"),
    _cue("because", "causes", False, r"\bbecause\b"),
    _cue("due-to", "causes", False, _BE + r"(?:partly\s+|mainly\s+|largely\s+|in\s+part\s+)?due\s+to\b", need="due"),
    _cue("owing-to", "causes", False, r"\bowing\s+to\b"),
)
_LEADING = re.compile(r"^(?P<cue>because\s+of|because|due\s+to|as\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of|"
                      r"owing\s+to|thanks\s+to|without)\s+(?P<c>[^,]+),\s*(?P<e>.+)$", re.I)
_BACK_REF = re.compile(r"^(?:as\s+a\s+(?:direct\s+)?(?:result|consequence)|consequently|because\s+of\s+this|"
                       r"therefore|thus|in\s+turn|"
                       r"for\s+this\s+reason|the\s+(?:result|effect|consequence|outcome)\s+(?:of\s+this\s+)?is\s+that)"
                       r"\s*,?\s+(?P<e>.+)$", re.I)
_TRAIL_REF = re.compile(r"^(?P<e>.+?),?\s+as\s+a\s+(?:direct\s+)?(?:result|consequence)$", re.I)
_LACK = re.compile(r"(?P<c>\b(?:lack|shortage)\s+of\s+(?:available\s+)?(?:\w+\s+)?(?:resources|officers|staff|"
                   r"capacity|people|detectives|investigators))\s+to\s+(?P<e>[^,.;]+)", re.I)
_ANAPHOR = re.compile(r"^(?:this|that|these|it|which|such|this\s+\w+|these\s+\w+|that\s+\w+|such\s+\w+)$", re.I)
CUE_RX: dict[str, re.Pattern[str]] = {c.family: c.rx for c in CUES} | {
    "leading": re.compile(r"\b(?:because|due\s+to|as\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of|owing\s+to|"
                          r"thanks\s+to|"
                          r"without)\b", re.I),
    "as-a-result": re.compile(r"\bas\s+a\s+(?:direct\s+)?(?:result|consequence)\b|"
                              r"\bconsequently\b|\bbecause\s+of\s+this\b|\bfor\s+this\s+reason\b|"
                              r"\btherefore\b|\bthus\b|\bin\s+turn\b|"
                              r"\bthe\s+(?:result|effect|consequence|outcome)\s+(?:of\s+this\s+)?is\s+that\b", re.I),
    "lack-of-resources": _LACK}
_LEADING_CUE = re.compile(r"^(?:because(?:\s+of)?|due\s+to|as\s+a\s+(?:direct\s+)?(?:result|consequence)\s+of|"
                          r"owing\s+to|thanks\s+to|without)\b", re.I)
_PARTICIPLE = {"reduced", "increased", "improved", "weakened", "undermined", "limited", "hampered", "restricted",
               "damaged", "delayed", "cut", "slowed", "lowered"}
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


def polarity(effect: str, sentence: str) -> str:
    """negative when the effect is a harm or a lack, positive when it is a gain, else neutral."""
    neg = _NEG_WORDS.search(effect + " " + sentence) or re.match(r"\s*(?:preventing|stopping)\b", effect, re.I)
    pos = _POS_WORDS.search(effect)
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
    hits = sorted((m.start(), -(m.end() - m.start()), n, m) for n, cue in enumerate(CUES)
                  if cue.need is None or cue.need.search(body) for m in [cue.rx.search(body)] if m)
    for _, _, n, m in hits:
        c = _cue_reading(CUES[n], m, body, prev)
        if c is not None:
            out.append(c)
    return out


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
    if cue.forward:  # "vacancies have resulted in", "the loss of PCSOs has meant": the auxiliary is the cue's
        left = re.sub(r"\s+(?:has|have|had|is|are|was|were|will|would)(?:\s+been)?$", "", left, flags=re.I)
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
    # "X does A, but B. This ...": the point of a contrast is the clause after "but" / "however"
    parts = re.split(r",?\s+but\s+|;\s+however,?\s+", prev or "")
    return parts[-1] if len(parts) > 1 and len(parts[-1].split()) >= 3 else prev or ""


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
    if (not (issues.valid_label(cause) and issues.valid_label(effect))
            or norm_key(cause or "") == norm_key(effect or "")):
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
    have = _stems(quote) | _acronym_stems(quote, label)
    return sum(w in have for w in want) * 2 >= len(want)


def _acronym_stems(quote: str, label: str) -> set[str]:
    """The label's words that an acronym in the quote stands for ("PCSOs" -> police community support officers)."""
    words = re.findall(r"[A-Za-z][\w'’-]*", label)
    out: set[str] = set()
    for acr in set(re.findall(r"\b([A-Z]{2,6})s?\b", quote)):
        for i in range(len(words) - len(acr) + 1):
            run = words[i:i + len(acr)]
            if "".join(w[0] for w in run).upper() == acr:
                out |= {fold_plural(w.lower())[:5] for w in run}
    return out


def supports(rule: str, quote: str, source_label: str, target_label: str) -> bool:
    """A causal edge's quote holds its cue and names both its ends."""
    family = rule.split(":", 1)[-1]
    rx = CUE_RX.get(family)
    if rx is None or not rx.search(quote):
        return False
    return names(quote, source_label) and names(quote, target_label)
