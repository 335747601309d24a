"""Extractive answers: the sentence that answers first, then the quotes that support it, each cited.

Nothing in an answer is generated: every quote is a contiguous span of a
passage. Sentences of the best passages are ranked by reciprocal-rank fusion
of three lists (closeness in meaning to the question, the question's words
they contain weighed by rarity, the rank of their passage) plus a vote for
sentences of the kind the question wants (a number, a who, a when, a list, a
reason). A quote keeps its neighbour when the neighbour carries the rest of
the point: the antecedent of a sentence that opens with "This...", the
following "However...", comparison, figure or "This included...", and
neighbours that answer the question too (up to three sentences in all); a quote
that would run into one already made keeps the rest of its span. Headings,
captions, questions, links and near-duplicates are left out, sentences about
policing in general ("Police forces play a critical role...") count half, only
reports in the plan's scope are quoted, and when nothing clears the relevance
bar the answer says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from graph.text import content_words, join_non, stem, stems
from search.index import Snapshot
from search.question import Plan
from search.retrieve import ITEM_KINDS, Candidate, citation
from search.tuning import Tuning

NO_ANSWER = "No relevant passages found."

# Calibrated with the bundled model on 18 off-topic questions of our own (recipes, sport, weather, a council's
# bin collections): their best sentence cosine stays under 0.43 and they share under 40% of their weighted
# content words with any sentence; on-topic questions start above 0.5.
MIN_COSINE = 0.45
MIN_COSINE_WITH_WORDS = 0.30
MIN_COVERAGE = 0.5
MAX_QUOTES = 5
MAX_SPAN = 3  # sentences in one quote
NOT_QUOTED = frozenset({"heading", "caption", "url", "footnote"})

_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|"
                     r"half|third|quarter|majority|minority|most|few|percent|per cent)\b", re.I)
_WHO = re.compile(r"\b(?:officers?|team|unit|sergeants?|inspectors?|superintendent|constables?|staff|managers?|"
                  r"partners?|agenc(?:y|ies)|board|hub|department|lead|chief|head|forces?|police|council|"
                  r"authorit(?:y|ies)|services?|[A-Z][a-z]+ [A-Z][a-z]+)\b")
_WHEN = re.compile(r"\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|September|"
                   r"October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                   r"weekends?|daily|weekly|monthly|hours?|days?|weeks?|months?|years?|[ap]m|o'clock|"
                   r"morning|evening|night|since|until|recently)\b", re.I)
_LIST = re.compile(r",.*,|\bincluding\b|\bsuch as\b|:|;")
_REASON = re.compile(r"\b(?:because|due to (?!be\b)|owing to|as a (?:result|consequence)|result(?:s|ed|ing)? in|"
                     r"means? that|meaning that|so that|therefore|consequently|(?:has |have )?led to|leads? to|"
                     r"caus(?:es|ed|ing)|lack of|insufficient|not enough|too (?:many|few|much|little))\b", re.I)
# for a "why" about a problem, the sentence that turns to it: "However, case loads are excessive"
_TURN = re.compile(r"^(?:however|but|although|despite|unfortunately)\b|"
                   r"\b(?:has|have|is|are|was|were|does|do|did|can)n[o'’]?t\b|"
                   r"\b(?:not|no longer) (?:enough|sufficient|always|consistently|effectively)\b", re.I)
_REASON_OR_TURN = re.compile(_REASON.pattern + "|" + _TURN.pattern, re.I)
# advice: someone should do something ("The force should...", "Leaders need to..."), not a
# forecast ("..., which should improve the speed of...")
_ADVICE = re.compile(r"(?<!which )(?<!that )(?<!this )(?<!these )\b(?:should|must|needs? to|ought to)\b"
                     r"(?! (?:help|mean|lead|result|allow|enable|improve the|reduce the|increase the|make it)\b)|"
                     r"\brecommend\w*|\bwe (?:expect|require)\b", re.I)
_ANSWER_TYPES = {"number": _NUMBER, "who": _WHO, "when": _WHEN, "list": _LIST, "reason": _REASON,
                 "recommendation": _ADVICE}
# a sentence that leans on the one before it
_ANAPHOR = re.compile(r"^(?:this|these|that|those|it|they|such|as a result|as a consequence|consequently|"
                      r"therefore|as such|in turn|to this end|for (?:this|these) reasons?|in addition|despite this|"
                      r"because of this)\b|\b(?:in this way|in these ways)\b|"
                      r"\b(?:this|these)(?=\s*[.,;:]|\s+(?:and|but|or)\b)", re.I)  # "... recognises this and is..."
# a following sentence that completes the point: a contrast, a comparison, a consequence
_FOLLOW_ON = re.compile(r"^(?:however|but|although|though|despite|nevertheless|nonetheless|even so|yet|instead|"
                        r"in contrast|conversely|this (?:is|was|means|has|represents|equates)|that (?:is|was)|"
                        r"which|as a result|consequently|this compares|in comparison|by comparison)\b|"
                        r"\b(?:compared (?:with|to)|than the|average|national(?:ly)?|most similar)\b", re.I)
_LINK = re.compile(r"\bwww\.|https?://")  # "... are available from our website (www...)": a pointer elsewhere
_BOILERPLATE = re.compile(r"^(?:this report|in this report|we (?:set out|inspected|have inspected)|for more "
                          r"information|further information|the following|figure \d|table \d|source:|note:|"
                          r"available (?:from|at)|(?:the|this) (?:table|chart|figure|graph|diagram)s? (?:below|above)|"
                          r"(?:see|as shown in) (?:the )?(?:table|chart|figure))", re.I)


# a sentence that states a grade or an overall judgment ("The force requires improvement at...", "X has been
# assessed as good in respect of..."): the answer to a question about grades, a summary of nothing else
_GRADES = r"(?:outstanding|good|adequate|inadequate|requires? improvement|requiring improvement)"
_GRADE = re.compile(r"\b(?:assessed|judged|graded|rated) (?:as )?['‘]?" + _GRADES
                    + r"|\b(?:is|was|are|were|remains?|to be) " + _GRADES
                    + r" (?:at|in)\b|\brequires? improvement (?:in|at)\b|\bwe graded\b|\bwe make graded\b", re.I)
# a sentence about policing in general, not about the force inspected: the framing a report's sections open
# with ("Police forces play a critical role in...", "When a crime occurs, the public must have confidence...")
_GENERIC = re.compile(r"^(?:(?:all|most|many|some|other|the)\s+)?(?:police\s+)?forces\b|"
                      r"^(?:every|each|any)\s+(?:police\s+)?force\b|"
                      r"^an? (?:police )?force (?:that|which|must|should|needs? to|has to|is expected)\b|"
                      r"^(?:the\s+)?police\s+service\b|^when (?:a|an) (?:crime|police force|force|offence|incident)\b|"
                      r"^(?:increasingly|nationally)\b|^the public (?:must|should|expects?|needs?)\b|"
                      r"^it is (?:important|vital|essential|crucial) (?:that|for) (?:police )?forces\b", re.I)
_INTRODUCTORY = re.compile(r"^(?:introduction|about (?:this|the) (?:inspection|report|data)|methodology|"
                           r"annex|appendix|glossary|contents|foreword|preface|definitions)\b", re.I)


@dataclass
class Sentence:
    row: int  # passage row in the snapshot
    index: int  # position of the sentence in its passage
    start: int
    end: int
    text: str
    cosine: float
    passage_rank: int
    lexical: float = 0.0
    fits: bool = False  # of the kind the question wants (a number for "how many"...)
    context: bool = False  # from an introduction or annex, or about policing in general: not about the force
    grade: bool = False  # states a grade, for a question that does not ask for one
    score: float = 0.0


@dataclass
class Quote:
    row: int
    start: int
    end: int
    text: str
    score: float
    indexes: set[int] = field(default_factory=set)


def _eligible(text: str, kind: str) -> bool:
    if kind in NOT_QUOTED or len(text.split()) < 4 or text.rstrip().endswith("?"):
        return False
    return not (_BOILERPLATE.match(text) or _LINK.search(text))


def question_words(plan: Plan) -> list[str]:
    """The plan's words as sentences are matched on them: "non-emergency" one word, not "non" and "emergency"."""
    return [w for w in content_words(join_non(plan.question)) if w in plan.terms or w.startswith("non")]


def word_groups(plan: Plan) -> list[tuple[str, list[frozenset[str]]]]:
    """Each question word with the ways a sentence may say it: the word itself, or an expansion of a phrase
    it belongs to ("gangs" -> "organised crime groups")."""
    groups = []
    for term in question_words(plan):
        ways = [frozenset({stem(term)})]
        for e in plan.expansions:
            if term in content_words(e.source):
                ways += [frozenset(stems(p)) for p in e.phrases if stems(p)]
        groups.append((term, ways))
    return groups


def _fits(plan: Plan, pattern: re.Pattern[str] | None, text: str, kind: str) -> bool:
    """Of the kind the question asks for: the item it names ("cause of concern"), else advice (in an item or not);
    a number for "how many", and so on."""
    if plan.item_kinds:
        return kind in plan.item_kinds
    if plan.kind == "recommendation" and kind in ITEM_KINDS:
        return bool(_ADVICE.search(text))  # what the force was told to do, not the finding that led to it
    return bool(pattern and pattern.search(text))


def _introductory(section: list[str]) -> bool:
    """Sections that describe the inspection rather than the force's work."""
    return bool(section) and any(_INTRODUCTORY.match(h) for h in section)


def sentences(snap: Snapshot, cands: list[Candidate], plan: Plan, weights: dict[str, float]) -> list[Sentence]:
    """Every quotable sentence of the candidate passages, with its features."""
    groups = word_groups(plan)
    total = sum(weights.get(term, 1.0) for term, _ in groups) or 1.0
    fits = _ANSWER_TYPES.get(plan.answer_type)
    if plan.answer_type == "reason":  # a reason, or the turn to a problem
        fits = _REASON_OR_TURN
    out: list[Sentence] = []
    for rank, c in enumerate(cands):
        if snap.kinds[c.row] in NOT_QUOTED:
            continue
        intro = _introductory(snap.sections[c.row])
        for i, (cos, a, b, s) in enumerate(c.sentence_scores or []):
            if not _eligible(s, snap.kinds[c.row]):
                continue
            have = stems(s)
            lexical = sum(weights.get(term, 1.0) for term, ways in groups if any(x <= have for x in ways))
            out.append(Sentence(row=c.row, index=i, start=a, end=b, text=s, cosine=cos, passage_rank=rank,
                                lexical=lexical / total, context=intro or bool(_GENERIC.match(s)),
                                grade=not plan.asks_grade and bool(_GRADE.search(s)),
                                fits=_fits(plan, fits, s, snap.kinds[c.row])))
    return out


def rank(items: list[Sentence], plan: Plan, t: Tuning) -> list[Sentence]:
    """Reciprocal-rank fusion of the sentence lists; best first."""
    def rr(key: Any, subset: list[Sentence] | None = None) -> dict[int, float]:
        ordered = sorted(subset if subset is not None else items, key=key)
        return {id(s): 1.0 / (t.rrf_k + r + 1) for r, s in enumerate(ordered)}

    by_cos = rr(lambda s: -s.cosine)
    by_lex = rr(lambda s: (-s.lexical, -s.cosine))
    by_passage = rr(lambda s: (s.passage_rank, -s.cosine))
    fitting = [s for s in items if s.fits]
    by_fit = rr(lambda s: -s.cosine, fitting)
    for s in items:
        s.score = (by_cos[id(s)] + t.lexical_vote * by_lex[id(s)] + t.passage_vote * by_passage[id(s)]
                   + t.answer_vote * by_fit.get(id(s), 0.0)) * (0.5 if s.context or s.grade else 1.0)
    return sorted(items, key=lambda s: -s.score)


def _span(snap: Snapshot, c: Candidate, s: Sentence) -> tuple[int, int, set[int]]:
    """The sentence, with the one before when it leans on it and the one after when that completes it."""
    sents = c.sentence_scores or []
    start, end, used = s.start, s.end, {s.index}
    if _ANAPHOR.search(s.text) and s.index > 0:
        start = sents[s.index - 1][1]
        used.add(s.index - 1)
    if s.index + 1 < len(sents):
        nxt = sents[s.index + 1][3]
        if _FOLLOW_ON.search(nxt) and len(used) < 2 and len(nxt.split()) >= 4:
            end = sents[s.index + 1][2]
            used.add(s.index + 1)
    return start, end, used


def _extend(c: Candidate, start: int, end: int, used: set[int], near: set[int]) -> tuple[int, int, set[int]]:
    """Grow a quote into the sentences next to it that answer the question too, or that carry on its point
    ("This included..."), so that a point made over two or three sentences reads as one excerpt."""
    sents = c.sentence_scores or []
    grown = True
    while grown and len(used) < MAX_SPAN:
        grown = False
        before, after = min(used) - 1, max(used) + 1
        if after < len(sents) and (after in near or _ANAPHOR.match(sents[after][3])):
            end, grown = sents[after][2], True
            used = used | {after}
        elif before >= 0 and before in near:
            start, grown = sents[before][1], True
            used = used | {before}
    return start, end, used


def _run(indexes: set[int], i: int) -> set[int]:
    """The contiguous run of ``indexes`` that holds ``i``."""
    lo = hi = i
    while lo - 1 in indexes:
        lo -= 1
    while hi + 1 in indexes:
        hi += 1
    return set(range(lo, hi + 1))


def _on_topic(s: Sentence, lead: Sentence) -> bool:
    """A neighbour worth taking in says something of the question: one of its words, or nearly as close in
    meaning as the lead."""
    return s.lexical > 0 or s.cosine >= lead.cosine - 0.1


def supports(s: Sentence, lead: Sentence, gap: float) -> bool:
    """A supporting sentence is close to the question itself, not merely the next one on the list."""
    if s.cosine < MIN_COSINE_WITH_WORDS:
        return False
    return s.cosine >= lead.cosine - gap or s.lexical >= MIN_COVERAGE


def _similar(a: str, b: str) -> bool:
    wa, wb = set(content_words(a)), set(content_words(b))
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.7


def _repeats(sentence: str, q: Quote, c: Candidate) -> bool:
    """The sentence says again what one sentence of the quote says (a quote of three sentences shares many
    words with a sentence that says something else)."""
    sents = c.sentence_scores or []
    return any(_similar(sentence, sents[i][3]) for i in q.indexes) if q.indexes else _similar(sentence, q.text)


def choose(snap: Snapshot, cands: list[Candidate], ranked: list[Sentence], plan: Plan, t: Tuning) -> list[Quote]:
    """The lead and its supporting quotes: each new quote must add something."""
    by_row = {c.row: c for c in cands}
    near: dict[int, set[int]] = {}  # row -> indexes of its sentences among the best ranked
    for s in ranked[:t.extend_top]:
        if _on_topic(s, ranked[0]):
            near.setdefault(s.row, set()).add(s.index)
    quotes: list[Quote] = []
    for s in ranked:
        if len(quotes) >= MAX_QUOTES:
            break
        if quotes and not supports(s, ranked[0], t.support_gap):
            continue
        if any(q.row == s.row and s.index in q.indexes for q in quotes) or any(
                _repeats(s.text, q, by_row[q.row]) for q in quotes):
            continue
        start, end, used = _span(snap, by_row[s.row], s)
        if t.extend_top:
            start, end, used = _extend(by_row[s.row], start, end, used, near.get(s.row, set()))
        quoted = set().union(*(q.indexes for q in quotes if q.row == s.row))
        if used & quoted:  # a neighbour is quoted already: keep the rest of the span, next to this sentence
            if _ANAPHOR.search(s.text) and s.index - 1 in quoted:
                continue  # "It should..." is quoted with the sentence it leans on, or not at all
            used = _run(used - quoted, s.index)
            sents = by_row[s.row].sentence_scores or []
            start, end = sents[min(used)][1], sents[max(used)][2]
        text = " ".join(snap.texts[s.row][start:end].split())
        if used != {s.index} and any(_similar(text, q.text) for q in quotes):
            if _ANAPHOR.search(s.text):
                continue  # alone it would mean nothing
            start, end, used, text = s.start, s.end, {s.index}, s.text  # say only what is new
        quotes.append(Quote(row=s.row, start=start, end=end, text=text, score=s.score, indexes=used))
    if plan.kind == "compare":  # every report in scope speaks, even when its sentences score lower
        have = {snap.report_ids[q.row] for q in quotes}
        for rid in plan.scope or sorted({snap.report_ids[s.row] for s in ranked}):
            best = next((s for s in ranked if snap.report_ids[s.row] == rid), None)
            if rid not in have and best is not None:
                quotes.append(Quote(row=best.row, start=best.start, end=best.end, text=best.text,
                                    score=best.score, indexes={best.index}))
    return quotes


ITEM_ORDER = ("cause_of_concern", "recommendation", "area_for_improvement")  # the gravest first
MAX_ITEMS = 10


def items_in_scope(snap: Snapshot, plan: Plan) -> list[Quote]:
    """Every item of the reports in scope (of the kinds the question names, if it names any), gravest kind
    first, then in reading order: the answer to "what was the force told to do?"."""
    kinds = plan.item_kinds or ITEM_ORDER
    rows = [i for i, (rid, kind) in enumerate(zip(snap.report_ids, snap.kinds)) if kind in kinds and plan.in_scope(rid)]
    rows.sort(key=lambda i: (ITEM_ORDER.index(snap.kinds[i]) if snap.kinds[i] in ITEM_ORDER else len(ITEM_ORDER),
                             plan.scope.index(snap.report_ids[i]), int(snap.ordinals[i])))
    return [Quote(row=i, start=0, end=len(snap.texts[i]), text=" ".join(snap.texts[i].split()), score=1.0)
            for i in rows[:MAX_ITEMS]]


def reading_order(snap: Snapshot, quotes: list[Quote], plan: Plan) -> list[Quote]:
    """The lead first; then the rest grouped by report, best first inside each: oldest report first for a
    comparison, else the lead's report first."""
    if not quotes:
        return []
    lead, rest = quotes[0], quotes[1:]
    order = {rid: n for n, rid in enumerate(plan.scope)}
    lead_rid = snap.report_ids[lead.row]

    def key(q: Quote) -> tuple:
        rid = snap.report_ids[q.row]
        year = snap.reports.get(rid, {}).get("year_end") or 0
        return (plan.kind != "compare" and rid != lead_rid, order.get(rid, len(order)), year, rid, -q.score)

    return [lead] + sorted(rest, key=key)


def is_weak(ranked: list[Sentence]) -> bool:
    """Nothing clears the relevance bar: close in meaning, or fairly close and sharing the question's words."""
    if not ranked:
        return True
    best_cos = max(s.cosine for s in ranked)
    best_lex = max(s.lexical for s in ranked)
    return not (best_cos >= MIN_COSINE or (best_cos >= MIN_COSINE_WITH_WORDS and best_lex >= MIN_COVERAGE))


def cite(snap: Snapshot, row: int) -> str:
    c = citation(snap, row)
    parts = [str(c["year"] or "?"), (snap.sections[row][-1] if snap.sections[row] else "report")]
    if c["paragraph"] is not None:
        parts.append(f"¶{c['paragraph']}")
    if c["page"] is not None:
        parts.append(f"p. {c['page']}")
    return "[" + " · ".join(parts) + "]"


def answer_text(snap: Snapshot, quotes: list[Quote]) -> str:
    """Plain text: the lead line, then the supporting quotes under their report."""
    lines = [f"{quotes[0].text} {cite(snap, quotes[0].row)}"]
    current = None
    for q in quotes[1:]:
        rid = snap.report_ids[q.row]
        if rid != current:
            r = snap.reports.get(rid, {})
            lines.append(f"\n{r.get('year') or '?'} ({r.get('title') or rid}):")
            current = rid
        lines.append(f"- {q.text} {cite(snap, q.row)}")
    return "\n".join(lines)


def quote_json(snap: Snapshot, q: Quote) -> dict[str, Any]:
    return {"text": q.text, **citation(snap, q.row)}
