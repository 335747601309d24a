"""Question analysis, done once: what kind of question, which reports it is about, which words matter.

Retrieval and composition both read the one ``Plan`` this module produces;
neither looks at the raw question again. Everything here is a general rule of
English as people ask about inspection reports (no report, force or question
is special-cased):

- kind: ``recommendation`` (what the inspectorate told the force to do, its
  areas for improvement and causes of concern), ``compare`` (a change between
  inspections), ``why``, ``fact`` (a number, a name, a time), else ``finding``;
- scope: any date or period expression ("2018-19", "December 2018", "early
  2019", "mid-2015", "the 2014 inspection", "since 2015") mapped to the
  reports whose period contains it, or to the next report after it (a later
  report is where an earlier inspection is followed up);
- the answer type a fact question wants (a number, a who, a when, a list).
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.text import content_words
from ontology.terms import gazetteer
from search.expand import Expansion, expand

_YEAR_RE = re.compile(r"(?<![\d£$])((?:19|20)\d\d)(?:\s*(?:/|-|–|—|to)\s*((?:19|20)?\d\d))?(?![\d%])")
_SINCE_RE = re.compile(r"\b(?:since|from)\s+(?:(?:early|mid|late|the end of|the start of)[\s-]+)?"
                       r"((?:19|20)\d\d)\b", re.I)
_BETWEEN_RE = re.compile(r"\bbetween\s+((?:19|20)\d\d)\s+and\s+((?:19|20)\d\d)\b", re.I)
# inspections named by their place in time rather than by a year
_INSPECTION = r"(?:peel\s+)?(?:inspections?|reports?|rounds?|visits?|time)\b"
_LATEST_RE = re.compile(r"\b(?:latest|most recent|newest|current|last)\s+" + _INSPECTION, re.I)
_PREVIOUS_RE = re.compile(r"\b(?:last[- ]but[- ]one|previous|prior|earlier|preceding)\s+" + _INSPECTION, re.I)
_FIRST_RE = re.compile(r"\b(?:first|earliest|original)\s+(?:peel\s+)?(?:inspection|report)\b", re.I)
_VERSUS_RE = re.compile(r"\bcompar|\bvs\.?(?!\w)|\bversus\b|\bthan\b|\bboth\b|\bdiffer|\bbetter\b|\bworse\b",
                        re.I)
_FORCE_SUFFIX_RE = re.compile(r"\s+(?:police(?:\s+service)?|constabulary|police force)$", re.I)

_RECOMMENDATION_RE = re.compile(
    r"\brecommend|\bareas? for improv\w*|\bcauses? of concern|"
    r"\b(?:told|tell|asked|requir(?:e|ed|es)|instruct(?:ed|s)?|urg(?:e|ed|es)|advis(?:e|ed|es)|ordered)"
    r"\b.{0,40}\bto\b|\borders? (?:it|them|the force|\w+ police)\b.{0,40}\bto\b|"
    r"\b(?:improvement|action) points?\b|\bpoints? for (?:improvement|action)\b|"
    r"\bmust\b|\bshould\b|\bsuggest|\bwant(?:s|ed)?\b.{0,30}\b(?:to|done)\b|\bget better at\b|"
    r"\bneeds? to (?:improve|change|do|fix)\b|\b(?:inspectors?|inspectorate|hmic\w*)(?:'s|’s|'|’)? (?:main |biggest |"
    r"chief |key |principal )?(?:worr|concern)|\bimprovements?\b.{0,20}\b(?:required|needed|asked)\b", re.I)
_CHANGE_RE = re.compile(
    r"\bchang(?:e|ed|es|ing)\b|\bstill\b|\bimprov(?:e|ed|ing|ement)\b|\bgot (?:better|worse)\b|\bworse(?:ned)?\b|"
    r"\bprogress\b|\bsince\b|\bby (?:19|20)\d\d\b|\bany more\b|\banymore\b|\bover time\b|\bthen and now\b|"
    r"\bboth (?:inspections|reports|years)\b|\bacross (?:both|the two|inspections|reports|years)\b|\bhad that\b|"
    r"\bhappened\b|\bcome of\b|\bcompared? (?:with|to) (?:19|20)\d\d\b|\bthan (?:in |back in )?(?:19|20)\d\d\b|"
    r"\bin (?:19|20)\d\d and (?:in )?(?:19|20)\d\d\b",
    re.I)
# with no report named, a change asked about across all of them
_CHANGED_RE = re.compile(r"\bchang|\bstill\b|\bimprov|\bworse|\bsince\b|\bprogress|"
                         r"\bthan (?:in |back in )?(?:19|20)\d\d\b", re.I)
# one report named as the baseline of a change: "had it improved by 2019?", "better or worse than in 2015?"
_AGAINST_ONE_RE = re.compile(r"\bby (?:19|20)\d\d\b|\bsince\b|\bstill\b|"
                             r"\bthan (?:it was |they were )?(?:in |at |back in |during )?(?:19|20)\d\d\b", re.I)
_WHY_RE = re.compile(
    r"^\s*why\b|\bwhy\b|\bwhat (?:caused|causes|led to|leads to|is behind|was behind|threaten\w*|drove|drives)\b|"
    r"\breasons?\b|\bhow did .{0,80}\baffect\b|\b(?:effect|impact|consequence)s? of\b|\baffect(?:s|ed|ing)?\b|"
    r"\bbecause\b|\brisky\b|\bresult(?:ed)? in\b|\b(?:held|holds?|holding) (?:\w+ ){0,3}back\b|\bdragg(?:ed|ing)\b|"
    r"\bdrags?\b|\bundermin|\bhamper|\bhinder|\bin the way\b|\bto blame\b|\bknock[- ]on\b|"
    r"\bwhat(?:'s|’s| is| was| are| were| has been)? (?:stopping|preventing|stopped|prevented)\b|"
    r"\bstopping (?:them|it|him|her|officers|staff|the force)\b", re.I)
_NUMBER_Q_RE = re.compile(
    r"\bhow (?:many|much|fast|quickly|often|far|long|big|large|high|low)\b|\bwhat (?:percentage|proportion|"
    r"number|share|rate|amount|fraction|level)\b|\bpercent\b|\bper cent\b|\brate\b|\bfigures?\b|\bstatistic|"
    r"\bsample\b|\bper 1,?000\b", re.I)
_WHO_Q_RE = re.compile(r"^\s*who\b|(?:^|[,;]|\band) who (?:is|was|are|were|has|had|keeps|leads|led|oversees|runs)\b|"
                       r"\bwhich (?:team|unit|officer|officers|forces|force|agencies|agency|partners|organisations|"
                       r"body|bodies|staff|people)\b|\bat what rank\b|\bresponsible\b", re.I)
# "When did...?" asks for a time; "When deciding..., did...?" sets a condition
_WHEN_Q_RE = re.compile(r"\bwhen (?:did|had|has|have|was|were|is|are|does|do|will|would|can|could|should)\b|"
                        r"\bat what times?\b|\bhow long ago\b", re.I)
# a question about a grade or overall judgment: a sentence stating one answers it, and answers nothing else
_GRADE_Q_RE = re.compile(r"\bgrade|\bgrading|\brated\b|\brating|\bjudge?ments?\b|\bjudged\b|\bassessed\b|"
                         r"\boutstanding\b|\badequate\b|\binadequate\b|\brequire[sd]? improvement\b|"
                         r"\bhow (?:good|well) (?:is|was|are|were|did|does|do) [\w'’]+(?: [\w'’]+)? "
                         r"(?:do|doing|perform\w*)\b|"
                         r"\bhow did [\w'’]+(?: [\w'’]+)? (?:do|perform\w*|fare)\b", re.I)
_LIST_Q_RE = re.compile(r"\bwhat (?:kinds?|types?|sorts?|subjects|jobs|areas|tools?|powers|methods|steps)\b|"
                        r"\bwhich (?:areas|kinds?|types?)\b|\bwhat (?:is|was|are|were) the force doing\b", re.I)


@dataclass(frozen=True)
class Plan:
    """What a question asks, decided once and read by retrieval and composition alike."""

    question: str
    kind: str
    answer_type: str  # number | who | when | list | reason | recommendation | any
    years: tuple[int, ...]  # calendar years the question names
    scope: tuple[str, ...]  # report ids in scope, oldest first; empty: every report
    terms: tuple[str, ...]  # normalised content words of the question
    expansions: tuple[Expansion, ...] = field(default_factory=tuple)
    item_kinds: tuple[str, ...] = ()  # the kinds of item a recommendation question names, if it names any
    forces: tuple[str, ...] = ()  # the forces of the store the question names
    asks_grade: bool = False  # about a grade or overall judgment ("How was Kent rated?")

    @property
    def phrases(self) -> list[str]:
        return [p for e in self.expansions for p in e.phrases]

    @property
    def lists_items(self) -> bool:
        """A question for a report's items that names no subject ("What was Kent told to improve in 2016?"):
        the answer is the items themselves, whatever their words."""
        return self.kind == "recommendation" and bool(self.scope) and not set(self.terms) - _ASKING_WORDS

    def in_scope(self, report_id: str) -> bool:
        return not self.scope or report_id in self.scope


def years_named(text: str) -> list[int]:
    """Calendar years a text names: "2015", "2018-19" (both years), "between 2015 and 2019", "mid-2015"."""
    out: list[int] = []
    for m in _YEAR_RE.finditer(text):
        first = int(m.group(1))
        out.append(first)
        if m.group(2):
            tail = m.group(2)
            last = int(tail) if len(tail) == 4 else int(str(first)[:2] + tail)
            if first < last <= first + 5:
                out.extend(range(first + 1, last + 1))
    return list(dict.fromkeys(out))


def period_years(report: Mapping[str, Any]) -> set[int]:
    """The calendar years a report's period covers ("2018/19" -> {2018, 2019})."""
    period = str(report.get("year") or "")
    years = set(years_named(period))
    end = report.get("year_end")
    if isinstance(end, int):
        years.add(end)
    return years


def scope_for(years: list[int], reports: Mapping[str, Mapping[str, Any]], since: int | None = None) -> list[str]:
    """Report ids whose period covers a named year; failing that, the first report after it (an earlier
    inspection is followed up in the next one), else the nearest. Oldest first."""
    spans = {rid: period_years(r) for rid, r in reports.items()}
    spans = {rid: s for rid, s in spans.items() if s}
    picked: set[str] = set()
    for y in years:
        covering = {rid for rid, s in spans.items() if y in s}
        if not covering and spans:
            later = [(min(s), rid) for rid, s in spans.items() if min(s) > y]
            covering = {min(later)[1]} if later else {min(spans, key=lambda rid: min(abs(v - y) for v in spans[rid]))}
        picked |= covering
    if since is not None:
        picked |= {rid for rid, s in spans.items() if max(s) >= since}
    return sorted(picked, key=lambda rid: (min(spans.get(rid) or {0}), rid))


@lru_cache(maxsize=512)
def _force_pattern(force: str) -> re.Pattern[str]:
    """The ways a question names a force: its name, the name without "Police" or "Constabulary", and the
    gazetteer's aliases and area for it; its acronym and three-letter short names only as written ("MPS",
    "the Met": many are words)."""
    names = {force, _FORCE_SUFFIX_RE.sub("", force)}
    acronyms: set[str] = set()
    for t in gazetteer():
        if t.type == "force" and force.lower() in {n.lower() for n in (t.label, *t.aliases)}:
            names |= {t.label, *t.aliases, *((t.area,) if t.area else ())}
            names |= {_FORCE_SUFFIX_RE.sub("", n) for n in (t.label, *t.aliases)}
            acronyms |= {t.acronym} if t.acronym else set()
    spelled = sorted({n.strip() for n in names if len(n.strip()) >= 4}, key=len, reverse=True)
    acronyms |= {n.strip() for n in names if len(n.strip()) == 3 and n.strip().istitle()}  # "Met" as written
    parts = [r"(?i:\b" + re.escape(n).replace(r"\ ", r"\s+") + r"\b)" for n in spelled]
    return re.compile("|".join(parts + [r"\b" + re.escape(a) + r"\b" for a in sorted(acronyms)]))


def forces_named(question: str, reports: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The forces of the given reports that a question names ("Sussex", "the Met", "Avon and Somerset Police")."""
    forces = sorted({str(r["force"]) for r in reports.values() if r.get("force")})
    spans = {f: [m.span() for m in _force_pattern(f).finditer(question)] for f in forces}
    spans = {f: s for f, s in spans.items() if s}

    def inside_another(f: str) -> bool:  # "London" in "City of London Police" names the City's force only
        return all(any(a <= x and y <= b and (a, b) != (x, y) for g in spans if g != f for a, b in spans[g])
                   for x, y in spans[f])

    return [f for f in spans if not inside_another(f)]


_PROGRAMME_RE = re.compile(r"\b(effectiveness|efficiency|legitimacy|leadership|custody|child protection|vulnerability|"
                           r"crime data integrity|integrated)\b", re.I)


def of_programme(question: str, reports: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The reports of the inspection programme a question names ("the 2016 legitimacy inspection"), when
    some of the given reports are of it and some are not; else all of them."""
    named = {m.lower() for m in _PROGRAMME_RE.findall(question)}
    if not named:
        return dict(reports)
    picked = {rid: r for rid, r in reports.items()
              if named & {m.lower() for m in _PROGRAMME_RE.findall(str(r.get("programme") or ""))}}
    return picked or dict(reports)


def _oldest_first(ids: Any, reports: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return sorted(set(ids), key=lambda rid: (min(period_years(reports[rid]) or {0}), rid))


def by_place_in_time(question: str, reports: Mapping[str, Mapping[str, Any]]) -> list[str] | None:
    """Reports a question names by their place in time, for each force: "the latest inspection" (the
    newest), "the previous report" (the one before it), "the first inspection" (the oldest); None if
    the question names none this way."""
    place = -2 if _PREVIOUS_RE.search(question) else 0 if _FIRST_RE.search(question) else \
        -1 if _LATEST_RE.search(question) else None
    if place is None:
        return None
    per_force: dict[str, list[str]] = {}
    for rid in _oldest_first((rid for rid, r in reports.items() if period_years(r)), reports):
        per_force.setdefault(str(reports[rid].get("force") or ""), []).append(rid)
    return _oldest_first((ids[place] for ids in per_force.values() if len(ids) >= (2 if place == -2 else 1)),
                         reports)


def classify(question: str, scope_size: int) -> str:
    if _RECOMMENDATION_RE.search(question) and not re.match(r"^\s*why\b", question, re.I):
        return "recommendation"
    if scope_size >= 2 or (scope_size == 0 and _CHANGE_RE.search(question) and _CHANGED_RE.search(question)):
        return "compare"
    if _WHY_RE.search(question):
        return "why"
    if _NUMBER_Q_RE.search(question) or _WHO_Q_RE.search(question) or _WHEN_Q_RE.search(question):
        return "fact"
    return "finding"


def answer_type(question: str, kind: str) -> str:
    if kind == "why":
        return "reason"
    if kind == "recommendation":
        return "recommendation"
    if _NUMBER_Q_RE.search(question):
        return "number"
    if _WHEN_Q_RE.search(question):
        return "when"
    if _WHO_Q_RE.search(question):
        return "who"
    if _LIST_Q_RE.search(question):
        return "list"
    return "any"


_ITEM_NAMES = (("cause_of_concern", re.compile(r"\bcauses? (?:of|for) concern|\b(?:main|biggest|chief|key|principal|"
                                               r"gravest|greatest|most serious) (?:worry|worries|concerns?)\b", re.I)),
               ("area_for_improvement", re.compile(r"\bareas? for improv\w*", re.I)),
               ("recommendation", re.compile(r"\brecommendations?\b", re.I)))


def item_kinds(question: str) -> tuple[str, ...]:
    """Which stored items a recommendation question asks for ("causes of concern" -> cause_of_concern)."""
    return tuple(kind for kind, pattern in _ITEM_NAMES if pattern.search(question))


# words that frame a question about a report rather than name its subject: "what did inspectors find about X"
FRAME_WORDS = frozenset("""inspector inspectors inspectorate inspection inspections hmic hmicfrs report reports found
find finding findings say says said think thought view views note noted notes raise raised highlight highlighted
mention mentioned describe described formal suggest suggested suggests suggestion recommend recommended recommends
recommendation recommendations told asked require required requires wanted want wants comment comments
commented""".split())
_ITEM_WORDS = frozenset("cause causes concern concerns area areas improvement improvements".split())
# what a question asking for a report's items says when it names no subject: "what were they told to improve?"
_ASKING_WORDS = FRAME_WORDS | _ITEM_WORDS | frozenset("""improve improved improving change changes changed fix
fixed need needs needed do done make better address work action actions act must main key biggest list give
given gave receive received identify identified""".split())


def subject_words(question: str, years: list[int], items: tuple[str, ...],
                  forces: Sequence[str] = ()) -> tuple[str, ...]:
    """The content words that name what the question is about: not its years or the forces it names (they
    are its scope), not the words that frame it as a question about a report, not the item kind it names;
    all of them if nothing else is left."""
    named = {w for f in forces for m in _force_pattern(f).finditer(question) for w in content_words(m.group())}
    words = [w for w in content_words(question) if w not in _year_words(years) and w not in named]
    framing = FRAME_WORDS | (_ITEM_WORDS if items else frozenset())
    return tuple(w for w in words if w not in framing) or tuple(words)


def _year_words(years: list[int]) -> set[str]:
    """Years are scope, not content: "2019" says which report, not what a sentence is about."""
    return {str(y) for y in years} | {str(y)[2:] for y in years}


def analyse(question: str, reports: Mapping[str, Mapping[str, Any]] | None = None,
            defined: dict[str, str] | None = None) -> Plan:
    """The plan for a question over the given reports (report id -> {"year", "year_end", ...})."""
    reports = reports or {}
    forces = forces_named(question, reports)
    own = of_programme(question, {rid: r for rid, r in reports.items() if r.get("force") in forces}
                       if forces else reports)
    years = years_named(question)
    between = _BETWEEN_RE.search(question)
    since = _SINCE_RE.search(question)
    scope = scope_for(years, own, int(since.group(1)) if since else None) if years else []
    if between:
        lo, hi = int(between.group(1)), int(between.group(2))
        scope = _oldest_first(set(scope) | {rid for rid, r in own.items()
                                            if any(lo <= y <= hi for y in period_years(r))}, reports)
    if len(scope) == 1 and _CHANGE_RE.search(question) and _AGAINST_ONE_RE.search(question):
        scope = []  # "had it improved by 2019?" with one report named: compare against every report
    kind = classify(question, len({min(period_years(reports[rid]) or {0}) for rid in scope}))  # periods, not forces
    if len(forces) >= 2 and kind in ("finding", "fact", "why") and _VERSUS_RE.search(question):
        kind = "compare"  # "did Kent do better than Essex?"
    placed = by_place_in_time(question, own) if not years and kind != "compare" else None
    if placed:
        scope = placed
    narrowed = len(own) < len(reports)  # to the forces or the programme the question names
    if not scope and narrowed or kind == "compare" and len(scope) < 2:
        scope = _oldest_first(own, reports) if narrowed else []
    if len(scope) == len(reports) and kind != "compare":
        scope = []  # every report is in scope: no restriction
    items = item_kinds(question) if kind == "recommendation" else ()
    return Plan(question=question, kind=kind, answer_type=answer_type(question, kind), years=tuple(years),
                scope=tuple(scope), terms=subject_words(question, years, items, forces),
                expansions=tuple(expand(question, defined)),
                item_kinds=items, forces=tuple(forces), asks_grade=bool(_GRADE_Q_RE.search(question)))
