"""Passage retrieval for a question plan: FTS5 BM25 and dense cosine, fused by rank.

The keyword side turns the plan's words and expansions into a safe FTS5
expression (quoted tokens joined by OR), so no input can raise an FTS syntax
error. The dense side scores every passage (one matrix product), then
re-scores the best candidates sentence by sentence, because a question is
usually answered by one sentence of a paragraph about several things.
Reciprocal-rank fusion joins the two lists without weights to fit; a third
list votes for recommendation, area-for-improvement and cause-of-concern
items when the plan asks what the force was told to do, and reports outside
the plan's scope go after those inside it.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.errors import BadInput, InvalidParameter
from graph.records import KIND_AFI, KIND_CAUSE, KIND_RECOMMENDATION
from graph.store import Store
from graph.text import WORD_RE, content_words
from search.index import Snapshot, VectorIndex, sentence_units
from search.question import Plan, period_years, years_named
from search.tuning import DEFAULT_TUNING, Tuning

MODES = ("hybrid", "keyword", "dense")
ITEM_KINDS = frozenset({KIND_RECOMMENDATION, KIND_AFI, KIND_CAUSE})  # the stored items, judgments aside
_MAX_FTS_TERMS = 40


def fts_expression(terms: list[str] | tuple[str, ...], phrases: list[str] | tuple[str, ...] = ()) -> str | None:
    """A safe FTS5 MATCH expression: every token and phrase quoted, joined by OR (None if nothing is left)."""
    parts = [f'"{t}"' for t in list(terms)[:_MAX_FTS_TERMS]]
    for p in phrases:
        words = [w.replace("_", "") for w in WORD_RE.findall(p.lower())]
        words = [w for w in words if w]
        if words:
            q = '"' + " ".join(words) + '"'
            if q not in parts:
                parts.append(q)
    return " OR ".join(parts) if parts else None


# ------------------------------------------------------------------ filters


@dataclass
class Filters:
    report: str | None = None
    force: str | None = None
    year: str | None = None
    theme: str | None = None
    kind: str | None = None
    entity: str | None = None

    def any(self) -> bool:
        return any(v not in (None, "") for v in vars(self).values())


def year_matches(year_filter: str, report: dict[str, Any]) -> bool:
    """A year filter ("2019", "2018/19", "2018-2019") matches a report whose period it overlaps."""
    want = set(years_named(year_filter))
    return bool(want) and bool(want & period_years(report))


def _theme_ids(theme: str) -> set[str]:
    from ontology import themes

    wanted = {theme.strip().lower()}
    for t in themes():
        names = {t.id.lower(), t.label.lower(), *(a.lower() for a in t.alt_labels)}
        if wanted & names:
            wanted.add(t.id.lower())
    return wanted


def _entity_names(entity: str) -> list[str]:
    from ontology import gazetteer

    names = {entity.strip()}
    low = entity.strip().lower()
    for t in gazetteer():
        if low in {n.lower() for n in t.names}:
            names.update(t.names)
    return sorted(n for n in names if n)


def _report_mask(snap: Snapshot, ok: set[str]) -> np.ndarray:
    """The rows of these reports (each report's rows are one run: the snapshot's spans)."""
    mask = np.zeros(len(snap), dtype=bool)
    for rid in ok:
        a, b = snap.spans.get(rid, (0, 0))
        mask[a:b] = True
    return mask


def filter_mask(snap: Snapshot, store: Store, f: Filters,
                entity_passages: Callable[[str], set[str] | None] | None = None) -> np.ndarray | None:
    """A boolean row mask for the filters, or None when no filter is set."""
    if not f.any():
        return None
    mask = np.ones(len(snap), dtype=bool)
    if f.report:
        mask &= _report_mask(snap, {f.report})
    if f.force:
        want = f.force.strip().lower()
        mask &= _report_mask(snap, {rid for rid, r in snap.reports.items() if want in (r.get("force") or "").lower()})
    if f.year:
        mask &= _report_mask(snap, {rid for rid, r in snap.reports.items() if year_matches(f.year, r)})
    if f.kind:
        kinds = {k.strip() for k in f.kind.split(",") if k.strip()}
        mask &= np.array([k in kinds for k in snap.kinds], dtype=bool)
    if f.theme:
        ids = store.theme_passages(_theme_ids(f.theme))
        mask &= np.array([p in ids for p in snap.ids], dtype=bool)
    if f.entity:
        found = entity_passages(f.entity) if entity_passages else None
        if found is None:  # no graph: passages that name the entity or one of its aliases
            pats = [re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)", 0 if n.isupper() else re.I)
                    for n in _entity_names(f.entity)]
            mask &= np.array([any(p.search(t) for p in pats) for t in snap.texts], dtype=bool)
        else:
            mask &= np.array([p in found for p in snap.ids], dtype=bool)
    return mask


# ------------------------------------------------------------------ search


@dataclass
class Candidate:
    row: int
    dense: float = 0.0  # passage cosine
    sentence: float = 0.0  # best sentence cosine
    keyword: float = 0.0  # BM25
    score: float = 0.0
    sentence_scores: list[tuple[float, int, int, str]] | None = None  # (cosine, start, end, text)


def validate(query: Any, k: Any, mode: Any, max_chars: int, max_k: int) -> str:
    if not isinstance(query, str) or not query.strip():
        raise BadInput("the query is empty")
    if len(query) > max_chars:
        raise InvalidParameter(f"the query is {len(query)} characters long; the limit is {max_chars}",
                               {"max_query_chars": max_chars})
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= max_k:
        raise InvalidParameter(f"k must be an integer from 1 to {max_k}", {"k": k, "max_k": max_k})
    if mode not in MODES:
        raise InvalidParameter(f"unknown mode {mode!r}; use one of {', '.join(MODES)}", {"mode": mode})
    return query.strip()


def _ranks(scores: dict[int, float]) -> dict[int, int]:
    return {row: r for r, row in enumerate(sorted(scores, key=lambda x: (-scores[x], x)))}


class Searcher:
    def __init__(self, index: VectorIndex, tuning: Tuning = DEFAULT_TUNING,
                 entity_passages: Callable[[str], set[str] | None] | None = None) -> None:
        self.index = index
        self.tuning = tuning
        self.entity_passages = entity_passages

    def query_vector(self, plan: Plan) -> np.ndarray:
        phrases = plan.phrases
        if not phrases:
            return self.index.encoder.encode([plan.question])[0]
        both = self.index.encoder.encode([plan.question, f"{plan.question} ({'; '.join(phrases)})"]).sum(axis=0)
        return both / max(float(np.linalg.norm(both)), 1e-9)

    def candidates(self, plan: Plan, mode: str = "hybrid", filters: Filters | None = None,
                   limit: int = 10, tuning: Tuning | None = None) -> tuple[Snapshot, list[Candidate]]:
        """Scored candidates, best first (no validation; ``search`` validates)."""
        t = tuning or self.tuning
        snap = self.index.snapshot()
        if len(snap) == 0:
            return snap, []
        mask = filter_mask(snap, self.index.store, filters or Filters(), self.entity_passages)
        # the reports in scope are searched on their own too: in a large store, the store-wide best matches
        # may hold none of theirs
        inside = _report_mask(snap, set(plan.scope)) if plan.scope and t.scope_first else None
        if inside is not None and mask is not None:
            inside &= mask
        kw: dict[int, float] = {}
        if mode in ("hybrid", "keyword"):
            expression = fts_expression(plan.terms, plan.phrases)
            for among in ([None] if mask is None else [mask]) + ([] if inside is None else [inside]):
                rowids = None if among is None else snap.rowids[among].tolist()
                for rowid, s in self.index.store.keyword_scores(expression, t.keyword_limit, rowids).items():
                    i = snap.pos.get(rowid)
                    if i is not None and (mask is None or mask[i]):
                        kw[i] = s
        qv = self.query_vector(plan) if mode in ("hybrid", "dense") else None
        pool = max(t.candidates, limit * 3)
        rows: set[int] = set(sorted(kw, key=kw.__getitem__, reverse=True)[:pool])
        if inside is not None:
            rows.update(sorted((i for i in kw if inside[i]), key=kw.__getitem__, reverse=True)[:pool])
        dense = None
        if qv is not None:
            dense = self.index.dense_scores(snap, qv)
            if mask is not None:
                dense = np.where(mask, dense, -np.inf)
            for scores in [dense] + ([] if inside is None else [np.where(inside, dense, -np.inf)]):
                top = np.argpartition(-scores, min(pool, len(scores) - 1))[:pool]
                rows.update(int(i) for i in top if np.isfinite(scores[i]))
        cands = [Candidate(row=i, dense=float(dense[i]) if dense is not None else 0.0, keyword=kw.get(i, 0.0))
                 for i in rows]
        if not cands:
            return snap, []
        if qv is not None:
            self._sentence_scores(snap, cands, qv)
        self._fuse(snap, plan, cands, mode, t)
        cands.sort(key=lambda c: (-c.score, c.row))
        return snap, _repeats_last(snap, cands, 3 * limit)

    def _fuse(self, snap: Snapshot, plan: Plan, cands: list[Candidate], mode: str, t: Tuning) -> None:
        s = t.sentence_weight
        dense = {c.row: (1 - s) * c.dense + s * c.sentence for c in cands}
        keyword = {c.row: c.keyword for c in cands if c.keyword > 0}
        lists = {"keyword": [keyword], "dense": [dense]}.get(mode, [dense, keyword])
        weights = [1.0] if mode != "hybrid" else [1.0, t.keyword_vote]
        for c in cands:
            c.score = 0.0
        for scores, w in zip(lists, weights):
            ranks = _ranks(scores)
            for c in cands:
                if c.row in ranks:
                    c.score += w / (t.rrf_k + ranks[c.row] + 1)
        if plan.kind == "recommendation" and mode == "hybrid":  # items vote as a third list
            items = {c.row: c.score for c in cands if snap.kinds[c.row] in ITEM_KINDS}
            for row, r in _ranks(items).items():
                next(c for c in cands if c.row == row).score += t.item_vote / (t.rrf_k + r + 1)
        if plan.scope and t.scope_first:
            for c in cands:
                if plan.in_scope(snap.report_ids[c.row]):
                    c.score += 1.0  # above every out-of-scope score (a fused score is below 1)

    def _sentence_scores(self, snap: Snapshot, cands: list[Candidate], qv: np.ndarray) -> None:
        units: list[tuple[int, int, int, str]] = []
        for n, c in enumerate(cands):
            units += [(n, a, b, s) for a, b, s in sentence_units(snap.texts[c.row])]
        for c in cands:
            c.sentence_scores = []
        if units:
            sims = self.index.sentence_vectors([u[3] for u in units]) @ qv
            for (n, a, b, s), sim in zip(units, sims):
                cands[n].sentence_scores.append((float(sim), a, b, s))  # type: ignore[union-attr]
        for c in cands:
            c.sentence = max((x[0] for x in c.sentence_scores or []), default=c.dense)

    def search(self, plan: Plan, k: int = 10, mode: str = "hybrid", filters: Filters | None = None) -> list[dict]:
        snap, cands = self.candidates(plan, mode, filters, k)
        return [hit(snap, c, set(plan.terms)) for c in cands[:k]]


REPEAT = 0.8  # share of the shorter passage's words that makes two passages say the same thing


def _repeats_last(snap: Snapshot, cands: list[Candidate], window: int) -> list[Candidate]:
    """A passage that repeats one of its report ranked above it (a summary and the paragraph it summarises)
    moves below the others of the first ``window``, so that each place in the results says something new.
    The same words in two reports stay: a finding repeated a year later is news."""
    kept: list[tuple[Candidate, set[str]]] = []
    repeats: list[Candidate] = []
    for c in cands[:window]:
        words = set(content_words(snap.texts[c.row]))
        rid = snap.report_ids[c.row]
        if any(snap.report_ids[k.row] == rid and len(words & w) >= REPEAT * min(len(words), len(w)) > 0
               for k, w in kept):
            repeats.append(c)
        else:
            kept.append((c, words))
    return [c for c, _ in kept] + repeats + cands[window:]


def best_quotes(snap: Snapshot, c: Candidate, terms: set[str], n: int = 2) -> list[str]:
    """The one or two sentences of the passage that best match the query, in reading order."""
    sents = c.sentence_scores or [(0.0, a, b, s) for a, b, s in sentence_units(snap.texts[c.row])]
    if not sents:
        return []

    def lexical(s: str) -> float:
        return len(set(content_words(s)) & terms) / max(1, len(terms))

    scored = sorted(((sim + 0.3 * lexical(s), a, s) for sim, a, _, s in sents), key=lambda x: -x[0])
    best = [scored[0]] + [x for x in scored[1:2] if n > 1 and x[0] >= scored[0][0] - 0.08]
    return [s for _, _, s in sorted(best, key=lambda x: x[1])]


def citation(snap: Snapshot, row: int) -> dict[str, Any]:
    """Where a passage stands in its report, as a reader checks it."""
    report = snap.reports.get(snap.report_ids[row], {})
    return {
        "passage_id": snap.ids[row],
        "report_id": snap.report_ids[row],
        "year": report.get("year"),
        "force": report.get("force"),
        "section": " > ".join(snap.sections[row]),
        "paragraph": snap.paragraphs[row],
        "page": snap.pages[row],
    }


def hit(snap: Snapshot, c: Candidate, terms: set[str]) -> dict[str, Any]:
    return {
        **citation(snap, c.row),
        "kind": snap.kinds[c.row],
        "text": snap.texts[c.row],
        "score": round(float(c.score), 6) if math.isfinite(c.score) else 0.0,
        "signals": {"dense": round(max(c.dense, c.sentence), 4), "keyword": round(c.keyword, 4)},
        "quotes": best_quotes(snap, c, terms),
    }
