"""Extractive answers: the best evidence sentences, deduplicated, grouped by report and year, each cited.

Nothing in an answer is generated: every sentence is copied from a passage and
followed by its citation "[year, section ¶paragraph, passage]". The question
type steers which sentences win: figures for fact questions, cause-and-effect
cues for "why", recommendation passages for "what was recommended", and both
years side by side for comparisons. Weak evidence gives an honest
"No relevant passages found." instead of noise.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from search.expand import norm_token
from search.retrieve import Candidate, Searcher, _WORD_RE, _year_matches, _years_named, hit, query_terms, validate
from search.index import Snapshot

NO_ANSWER = "No relevant passages found."

# Calibrated on nonsense queries ("purple elephant banana recipe", random words): their best sentence
# cosine stays under ~0.25 and they share no content word with any passage.
MIN_DENSE = 0.30
MIN_DENSE_WITH_KEYWORDS = 0.22
MIN_COVERAGE = 0.5  # share of the query's content words found in the best passage

CAUSE_RE = re.compile(
    r"\b(because|as a result|result(?:s|ed|ing)? in|means? that|meaning that|due to|owing to|leads? to|led to|"
    r"caus(?:e|es|ed|ing)|negative (?:effect|impact)|impact(?:s|ed)? on|affect(?:s|ed|ing)?|effect on|"
    r"consequen\w+|therefore|so that|putting pressure on|puts? .{0,30}at risk|without)\b", re.I)
NUMBER_RE = re.compile(r"\b\d[\d,.]*\s*(?:%|percent|per cent)?|\b(?:one|two|three|four|five|six|seven|eight|nine|"
                       r"ten|half|third|quarter)\b", re.I)
SUPPORT_KINDS = {"caption", "table", "footnote", "url", "heading"}
REC_KINDS = {"recommendation", "area_for_improvement", "cause_of_concern"}


@dataclass(frozen=True)
class QuestionType:
    kind: str  # fact | why | compare | recommendation | finding
    years: tuple[str, ...]


def classify(question: str) -> QuestionType:
    q = question.lower()
    years = tuple(dict.fromkeys(_years_named(question)))
    if re.search(r"\brecommend|areas? for improvement|causes? of concern|\basked to\b|\bshould\b.*\bimprove|"
                 r"get better at|need(?:s|ed)? to improve", q):
        kind = "recommendation"
    elif len(years) >= 2 or re.search(r"\b(what|how) (has |have )?changed?\b|\bcompar|\bstill\b|\bby (19|20)\d\d\b|"
                                      r"\bsince (the )?(last|previous|19|20)|\bimproved?\b|\bworse", q):
        kind = "compare"
    elif re.search(r"^\s*why\b|\bwhat (caused|causes|led to|threaten|is behind)|\breasons?\b|\bhow did .* affect|"
                   r"\b(effect|impact|consequence)s? of\b|\baffect", q):
        kind = "why"
    elif re.search(r"\bhow many\b|\bhow much\b|\bwhat (percentage|proportion|number|share)\b|\bnumber of\b|"
                   r"\bpercent|\brate\b|\bfigures?\b|\bstatistic", q):
        kind = "fact"
    else:
        kind = "finding"
    return QuestionType(kind, years)


def _sentence_bonus(qt: QuestionType, text: str, kind: str) -> float:
    bonus = 0.0
    if qt.kind == "fact" and NUMBER_RE.search(text):
        bonus += 0.08
    if qt.kind == "why" and CAUSE_RE.search(text):
        bonus += 0.08
    if qt.kind == "recommendation" and kind in REC_KINDS:
        bonus += 0.08
    return bonus


def _coverage(terms: set[str], text: str) -> float:
    if not terms:
        return 0.0
    words = {norm_token(w) for w in _WORD_RE.findall(text.lower())}
    return len(terms & words) / len(terms)


def _citation(snap: Snapshot, row: int) -> str:
    report = snap.reports.get(snap.report_ids[row], {})
    section = snap.sections[row][-1] if snap.sections[row] else "report"
    tail = snap.ids[row].rsplit("-", 1)[-1]
    return f"[{report.get('year') or '?'}, {section} ¶{snap.paragraphs[row]}, {tail}]"


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _is_weak(cands: list[Candidate], snap: Snapshot, terms: set[str]) -> bool:
    if not cands:
        return True
    best_dense = max(max(c.dense, c.sentence) for c in cands[:10])
    best_cov = max(_coverage(terms, snap.texts[c.row]) for c in cands[:10])
    if best_dense >= MIN_DENSE:
        return False
    return not (best_dense >= MIN_DENSE_WITH_KEYWORDS and best_cov >= MIN_COVERAGE)


def compose(snap: Snapshot, cands: list[Candidate], question: str, qt: QuestionType,
            max_passages: int = 6, max_sentences: int = 6) -> tuple[str, list[tuple[Candidate, list[str]]]]:
    """Choose the answer sentences and write the answer text. Returns (text, [(candidate, quotes)])."""
    terms = {norm_token(t) for t in query_terms(question)}
    pool = cands[:max_passages]
    if qt.kind == "recommendation":  # recommendations and areas for improvement come first
        recs = [c for c in cands[:max_passages * 2] if snap.kinds[c.row] in REC_KINDS]
        pool = (recs[:3] + [c for c in pool if c not in recs[:3]])[:max_passages]
    if qt.kind == "compare":  # make sure every report (or every named year) is represented
        groups = _compare_groups(snap, cands, qt)
        picked: list[Candidate] = []
        for g in groups:
            picked += [c for c in g[:max(2, max_passages // max(1, len(groups)))] if c not in picked]
        pool = picked or pool

    scored: list[tuple[float, Candidate, int, str]] = []
    top = pool[0].score if pool else 1.0
    for rank, c in enumerate(pool):
        for sim, a, _b, s in (c.sentence_scores or []):
            if len(s.split()) < 4:
                continue
            lex = _coverage(terms, s)
            value = sim + 0.15 * lex + _sentence_bonus(qt, s, snap.kinds[c.row]) + 0.1 * (c.score / (top or 1.0))
            scored.append((value, c, a, s))
    scored.sort(key=lambda x: -x[0])
    if not scored:
        return NO_ANSWER, []
    best = scored[0][0]
    chosen: list[tuple[float, Candidate, int, str]] = []
    seen: set[str] = set()
    for item in scored:
        value, c, a, s = item
        if len(chosen) >= max_sentences or value < best - 0.15:
            break
        k = _key(s)
        if k in seen or any(k in x or x in k for x in seen):
            continue
        seen.add(k)
        chosen.append(item)
    if qt.kind == "compare":  # both sides, even when one side's sentences score lower
        have = {snap.report_ids[c.row] for _, c, _, _ in chosen}
        for g in _compare_groups(snap, cands, qt):
            rid = snap.report_ids[g[0].row] if g else None
            if rid and rid not in have:
                extra = next((x for x in scored if x[1].row in {c.row for c in g} and _key(x[3]) not in seen), None)
                if extra:
                    chosen.append(extra)
                    seen.add(_key(extra[3]))
                    have.add(rid)

    # group by report, older first; inside a report, reading order
    def order(item: tuple[float, Candidate, int, str]) -> tuple:
        c = item[1]
        r = snap.reports.get(snap.report_ids[c.row], {})
        return (r.get("year_end") or 0, snap.report_ids[c.row], int(snap.ordinals[c.row]), item[2])

    chosen.sort(key=order)
    lines: list[str] = []
    per_passage: dict[int, tuple[Candidate, list[str]]] = {}
    current = None
    for _, c, _, s in chosen:
        rid = snap.report_ids[c.row]
        if rid != current:
            r = snap.reports.get(rid, {})
            lines.append(f"{r.get('year') or '?'} ({r.get('title') or rid}):")
            current = rid
        lines.append(f"- {s} {_citation(snap, c.row)}")
        per_passage.setdefault(c.row, (c, []))[1].append(s)
    evidence = sorted(per_passage.values(), key=lambda x: order((0.0, x[0], 0, "")))
    return "\n".join(lines), evidence


def _compare_groups(snap: Snapshot, cands: list[Candidate], qt: QuestionType) -> list[list[Candidate]]:
    """Candidates split by report (restricted to the named years when two are named), best first."""
    groups: dict[str, list[Candidate]] = {}
    for c in cands:
        groups.setdefault(snap.report_ids[c.row], []).append(c)
    if len(qt.years) >= 2:
        groups = {rid: g for rid, g in groups.items()
                  if any(_year_matches(y, snap.reports.get(rid, {})) for y in qt.years)} or groups
    ordered = sorted(groups.values(), key=lambda g: -g[0].score)[:2 if len(qt.years) < 3 else len(qt.years)]
    return sorted(ordered, key=lambda g: snap.reports.get(snap.report_ids[g[0].row], {}).get("year_end") or 0)


def answer(searcher: Searcher, question: str, k: int = 8, max_chars: int = 1000, max_k: int = 100,
           subgraph_for: Callable[[list[str]], dict[str, Any]] | None = None,
           causal_for: Callable[[str], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    question = validate(question, k, "hybrid", max_chars, max_k)
    qt = classify(question)
    snap, cands = searcher.candidates(question, "hybrid", None, max(k, 20))
    terms = {norm_token(t) for t in query_terms(question)}
    empty = {"question": question, "type": qt.kind, "answer": NO_ANSWER, "evidence": [],
             "graph": {"nodes": [], "edges": []}}
    if _is_weak(cands, snap, terms):
        return empty
    if qt.years and qt.kind != "compare":  # "in 2019 ..." answers from that year's reports when there are any
        same = [c for c in cands if any(_year_matches(y, snap.reports.get(snap.report_ids[c.row], {}))
                                        for y in qt.years)]
        cands = same or cands
    if qt.kind == "why" and causal_for is not None:
        cands = _with_causal_evidence(snap, cands, causal_for(question))
    # captions, tables and footnotes support a finding but rarely state one
    prose = [c for c in cands if snap.kinds[c.row] not in SUPPORT_KINDS]
    cands = prose + [c for c in cands if snap.kinds[c.row] in SUPPORT_KINDS]
    text, used = compose(snap, cands, question, qt, max_passages=min(k, 8))
    if not used:
        return empty
    evidence = []
    for c, quotes in used:
        h = hit(snap, c, terms)
        h["quotes"] = quotes
        evidence.append(h)
    graph: dict[str, Any] = {"nodes": [], "edges": []}
    if subgraph_for is not None:
        try:
            sub = subgraph_for([h["passage_id"] for h in evidence])
            if sub:
                graph = {"nodes": list(sub.get("nodes", [])), "edges": list(sub.get("edges", []))}
        except Exception:  # noqa: BLE001 - the graph is supporting detail; the answer stands without it
            graph = {"nodes": [], "edges": []}
    return {"question": question, "type": qt.kind, "answer": text, "evidence": evidence, "graph": graph}


def _with_causal_evidence(snap: Snapshot, cands: list[Candidate], causal: list[dict[str, Any]]) -> list[Candidate]:
    """Why-questions follow the graph's causes/affects relations: the sentences that evidence a relation
    between things the question names go first, whether or not retrieval ranked their passage high."""
    if not causal or not cands:
        return cands
    top_sim = max((x[0] for c in cands[:3] for x in (c.sentence_scores or [])), default=0.5)
    by_row = {c.row: c for c in cands}
    lifted: list[Candidate] = []
    for ev in causal:
        row = snap.pos_by_id.get(ev.get("passage_id", ""))
        quote = ev.get("quote") or ""
        if row is None or not quote:
            continue
        start = snap.texts[row].find(quote)
        if start < 0:
            continue
        c = by_row.get(row) or Candidate(row=row, score=cands[0].score, sentence_scores=[])
        c.sentence_scores = [x for x in (c.sentence_scores or []) if x[3] != quote]
        c.sentence_scores.insert(0, (top_sim + 0.05, start, start + len(quote), quote))
        if c not in lifted:
            lifted.append(c)
    return lifted + [c for c in cands if c not in lifted]
