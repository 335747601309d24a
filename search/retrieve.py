"""Hybrid passage search: FTS5 BM25 and dense cosine, fused, with ontology expansion.

The keyword side turns any user text into a safe FTS5 expression (quoted
tokens joined by OR, stop words dropped), so no input can raise an FTS
syntax error. The dense side scores every passage (one matrix product) and
then re-scores the best candidates sentence by sentence, because a question
is usually answered by one sentence of a paragraph about several things.
"""
from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.errors import BadInput, InvalidParameter
from search.expand import Expansion, expand, norm_token
from search.index import Snapshot, VectorIndex, collapse, sentence_units

MODES = ("hybrid", "keyword", "dense")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_MAX_FTS_TERMS = 40

STOP_WORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can could did didn't do does doesn't doing don't down during each few for from further
had has have having he her here hers herself him himself his how i if in into is isn't it its itself just
let me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was wasn't we were weren't what when where which while who whom why
will with would you your yours yourself yourselves s t d ll m o re ve y also get got us per via
tell say said many much ever still yet well way ways within whether
""".split())


@dataclass(frozen=True)
class Tuning:
    """The method's knobs (set on the method, not on any one question)."""

    w_dense: float = 0.9  # dense carries paraphrase; keyword breaks ties on exact terms and names
    w_keyword: float = 0.1
    sentence_weight: float = 0.7  # dense score = (1-s) * passage cosine + s * best sentence cosine
    neighbour_weight: float = 0.0  # share of the best neighbouring passage's score added
    candidates: int = 100  # passages re-scored sentence by sentence
    keyword_limit: int = 400
    fusion: str = "weighted"  # weighted | rrf
    dense_norm: str = "minmax"  # raw | minmax: spread the candidates' dense scores over 0..1 before fusing
    window: bool = False  # also score two-sentence windows (no gain measured)
    year_boost: float = 0.2  # added when the query names the year of the passage's report
    rrf_k: int = 60


DEFAULT_TUNING = Tuning()


# ------------------------------------------------------------------ keyword query


def query_terms(text: str) -> list[str]:
    """Lower-case content words of the text, in order, deduplicated."""
    out: list[str] = []
    for t in _WORD_RE.findall(text.lower()):
        t = t.replace("_", "")
        if not t or t in STOP_WORDS or (len(t) == 1 and not t.isdigit()) or t in out:
            continue
        out.append(t)
    return out


def fts_expression(query: str, phrases: list[str] | tuple[str, ...] = ()) -> str | None:
    """A safe FTS5 MATCH expression: every token and phrase quoted, joined by OR.

    Returns None when nothing searchable is left (only stop words or punctuation).
    """
    parts = [f'"{t}"' for t in query_terms(query)[:_MAX_FTS_TERMS]]
    for p in phrases:
        words = [w.replace("_", "") for w in _WORD_RE.findall(p.lower())]
        words = [w for w in words if w]
        if words:
            q = '"' + " ".join(words) + '"'
            if q not in parts:
                parts.append(q)
    return " OR ".join(parts) if parts else None


def keyword_scores(con: sqlite3.Connection, expression: str | None, limit: int) -> dict[int, float]:
    """rowid -> BM25 score (higher is better) of the best ``limit`` matches."""
    if not expression:
        return {}
    try:
        rows = con.execute(
            "SELECT rowid, -bm25(passages_fts, 1.0, 0.3) FROM passages_fts WHERE passages_fts MATCH ?"
            " ORDER BY bm25(passages_fts, 1.0, 0.3) LIMIT ?", (expression, limit)).fetchall()
    except sqlite3.OperationalError:  # defensive: the expression is built to be valid
        return {}
    return {int(r[0]): float(r[1]) for r in rows}


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


def _year_matches(year_filter: str, report: dict[str, Any]) -> bool:
    y = year_filter.strip().replace("-", "/")
    year = (report.get("year") or "").replace("-", "/")
    if y == year or y == str(report.get("year_end") or ""):
        return True
    if "/" in y:  # "2018/19" or "2018/2019" against year_end
        head, tail = y.split("/", 1)
        if tail.isdigit() and head.isdigit():
            end = int(tail) if len(tail) == 4 else int(head[:2] + tail.zfill(2)) if len(head) == 4 else None
            return end is not None and end == report.get("year_end")
    return False


_YEAR_RE = re.compile(r"\b((?:19|20)\d\d)(?:\s*[/-]\s*(\d{2,4}))?\b")


def _years_named(text: str) -> list[str]:
    """Years a query names ("in 2015", "2018/19"), as year filters understand them."""
    return [m.group(0).replace(" ", "") for m in _YEAR_RE.finditer(text)]


def _table_columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


def _theme_passages(con: sqlite3.Connection, theme: str) -> set[str] | None:
    """Passage ids tagged with the theme, or None when the store has no theme tags."""
    cols = _table_columns(con, "passage_themes")
    if not cols or "passage_id" not in cols:
        return None
    col = next((c for c in ("theme_id", "theme", "theme_slug", "slug") if c in cols), None)
    if col is None:
        return None
    wanted = {theme.strip().lower()}
    try:
        from ontology import themes

        for t in themes():
            names = {t.id.lower(), t.label.lower(), *(a.lower() for a in t.alt_labels)}
            if wanted & names:
                wanted |= {t.id.lower(), t.label.lower(), str(t.iri).lower()}
    except Exception:  # noqa: BLE001
        pass
    rows = con.execute(f"SELECT passage_id, {col} FROM passage_themes").fetchall()
    return {r[0] for r in rows if str(r[1]).lower() in wanted or str(r[1]).lower().rsplit("/", 1)[-1] in wanted}


def _entity_names(entity: str) -> list[str]:
    names = {entity.strip()}
    try:
        from ontology import gazetteer

        low = entity.strip().lower()
        for t in gazetteer():
            if low in {n.lower() for n in t.names}:
                names.update(t.names)
    except Exception:  # noqa: BLE001
        pass
    return sorted(n for n in names if n)


def filter_mask(snap: Snapshot, con: sqlite3.Connection, f: Filters,
                entity_passages: Callable[[str], set[str] | None] | None = None) -> np.ndarray | None:
    """A boolean row mask for the filters, or None when no filter is set."""
    if not f.any():
        return None
    n = len(snap)
    mask = np.ones(n, dtype=bool)
    if f.report:
        mask &= np.array([r == f.report for r in snap.report_ids], dtype=bool)
    if f.force:
        want = f.force.strip().lower()
        ok = {rid for rid, r in snap.reports.items()
              if (r.get("force") or "").lower() == want or want in (r.get("force") or "").lower()}
        mask &= np.array([r in ok for r in snap.report_ids], dtype=bool)
    if f.year:
        ok = {rid for rid, r in snap.reports.items() if _year_matches(f.year, r)}
        mask &= np.array([r in ok for r in snap.report_ids], dtype=bool)
    if f.kind:
        kinds = {k.strip() for k in f.kind.split(",") if k.strip()}
        mask &= np.array([k in kinds for k in snap.kinds], dtype=bool)
    if f.theme:
        ids = _theme_passages(con, f.theme)
        if ids is not None:  # no theme tags in this store: the filter cannot apply
            mask &= np.array([p in ids for p in snap.ids], dtype=bool)
    if f.entity:
        ids = entity_passages(f.entity) if entity_passages else None
        if ids is None:  # no graph: passages that name the entity or one of its aliases
            names = [n.lower() for n in _entity_names(f.entity)]
            pats = [re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)", re.I if not n.isupper() else 0)
                    for n in names]
            mask &= np.array([any(p.search(t) for p in pats) for t in snap.texts], dtype=bool)
        else:
            mask &= np.array([p in ids for p in snap.ids], dtype=bool)
    return mask


# ------------------------------------------------------------------ search


@dataclass
class Candidate:
    row: int
    dense: float = 0.0  # passage cosine
    sentence: float = 0.0  # best sentence cosine
    keyword: float = 0.0  # BM25
    score: float = 0.0
    sentence_scores: list[tuple[float, int, int, str]] | None = None  # (score, start, end, text)


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


class Searcher:
    def __init__(self, index: VectorIndex, tuning: Tuning = DEFAULT_TUNING,
                 entity_passages: Callable[[str], set[str] | None] | None = None) -> None:
        self.index = index
        self.tuning = tuning
        self.entity_passages = entity_passages

    @property
    def con(self) -> sqlite3.Connection:
        return self.index.store.con

    def expansions(self, query: str, snap: Snapshot | None = None) -> list[Expansion]:
        snap = snap or self.index.snapshot()
        return expand(query, snap.defined_acronyms)

    def candidates(self, query: str, mode: str = "hybrid", filters: Filters | None = None,
                   limit: int = 10, tuning: Tuning | None = None) -> tuple[Snapshot, list[Candidate]]:
        """Scored candidates, best first (no validation; ``search`` validates)."""
        t = tuning or self.tuning
        snap = self.index.snapshot()
        if len(snap) == 0:
            return snap, []
        exps = self.expansions(query, snap)
        phrases = [p for e in exps for p in e.phrases]
        mask = filter_mask(snap, self.con, filters or Filters(), self.entity_passages)

        kw: dict[int, float] = {}
        if mode in ("hybrid", "keyword"):
            for rowid, s in keyword_scores(self.con, fts_expression(query, phrases), t.keyword_limit).items():
                i = snap.pos.get(rowid)
                if i is not None and (mask is None or mask[i]):
                    kw[i] = s
        dense = None
        qv = None
        if mode in ("hybrid", "dense"):
            text = query if not phrases else f"{query} ({'; '.join(phrases)})"
            qv = self.index.encoder.encode([text])[0]
            dense = snap.matrix @ qv
            if mask is not None:
                dense = np.where(mask, dense, -np.inf)

        pool = max(t.candidates, limit * 3)
        rows: set[int] = set()
        if dense is not None:
            top = np.argpartition(-dense, min(pool, len(dense) - 1))[:pool]
            rows.update(int(i) for i in top if np.isfinite(dense[i]))
        if kw:
            rows.update(sorted(kw, key=kw.get, reverse=True)[:pool])
        cands = [Candidate(row=i, dense=float(dense[i]) if dense is not None else 0.0, keyword=kw.get(i, 0.0))
                 for i in rows]
        if not cands:
            return snap, []

        if qv is not None:
            self._sentence_scores(snap, cands, qv, t)
            s = t.sentence_weight
            dscore = {c.row: (1 - s) * c.dense + s * c.sentence for c in cands}
        else:
            dscore = {c.row: 0.0 for c in cands}

        if mode == "keyword":
            for c in cands:
                c.score = c.keyword
        elif mode == "dense":
            for c in cands:
                c.score = dscore[c.row]
        elif t.fusion == "rrf":
            by_d = sorted(cands, key=lambda c: -dscore[c.row])
            by_k = sorted([c for c in cands if c.keyword > 0], key=lambda c: -c.keyword)
            rank_d = {c.row: r for r, c in enumerate(by_d)}
            rank_k = {c.row: r for r, c in enumerate(by_k)}
            for c in cands:
                c.score = t.w_dense / (t.rrf_k + rank_d[c.row] + 1)
                if c.row in rank_k:
                    c.score += t.w_keyword / (t.rrf_k + rank_k[c.row] + 1)
        else:
            kmax = max((c.keyword for c in cands), default=0.0) or 1.0
            if t.dense_norm == "minmax" and cands:
                lo, hi = min(dscore.values()), max(dscore.values())
                span = (hi - lo) or 1.0
                dn = {r: (v - lo) / span for r, v in dscore.items()}
            else:
                dn = dscore
            for c in cands:
                c.score = t.w_dense * dn[c.row] + t.w_keyword * (c.keyword / kmax)
        if t.year_boost and mode != "keyword":
            years = _years_named(query)
            if years:
                for c in cands:
                    r = snap.reports.get(snap.report_ids[c.row], {})
                    if any(_year_matches(y, r) for y in years):
                        c.score += t.year_boost * (abs(c.score) if t.fusion == "rrf" else 1.0)
        if t.neighbour_weight and mode != "keyword":
            base = {c.row: c.score for c in cands}
            for c in cands:
                nb = [base[j] for j in snap.neighbours(c.row) if j in base]
                if nb:
                    c.score += t.neighbour_weight * max(nb)
        cands.sort(key=lambda c: (-c.score, c.row))
        return snap, cands

    def _sentence_scores(self, snap: Snapshot, cands: list[Candidate], qv: np.ndarray, t: Tuning) -> None:
        units: list[tuple[int, int, int, str]] = []
        for n, c in enumerate(cands):
            for a, b, s in sentence_units(snap.texts[c.row]):
                units.append((n, a, b, s))
        if not units:
            return
        vecs = self.index.sentence_vectors([u[3] for u in units])
        sims = vecs @ qv
        for c in cands:
            c.sentence_scores = []
        for (n, a, b, s), sim in zip(units, sims):
            cands[n].sentence_scores.append((float(sim), a, b, s))
        # two-sentence windows (mean of the two unit vectors): a finding often states a fact in one
        # sentence and its consequence in the next
        window: dict[int, float] = {}
        if t.window:
            by_cand: dict[int, list[int]] = {}
            for j, u in enumerate(units):
                by_cand.setdefault(u[0], []).append(j)
            for n, js in by_cand.items():
                if len(js) > 1:
                    pair = vecs[js[:-1]] + vecs[js[1:]]
                    pair /= np.maximum(np.linalg.norm(pair, axis=1, keepdims=True), 1e-9)
                    window[n] = float((pair @ qv).max())
        for n, c in enumerate(cands):
            c.sentence = max(max((x[0] for x in c.sentence_scores), default=c.dense), window.get(n, -1.0))

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               max_chars: int = 1000, max_k: int = 100) -> list[dict[str, Any]]:
        query = validate(query, k, mode, max_chars, max_k)
        snap, cands = self.candidates(query, mode, filters, k)
        terms = {norm_token(t) for t in query_terms(query)}
        return [hit(snap, c, terms) for c in cands[:k]]


def best_quotes(snap: Snapshot, c: Candidate, terms: set[str], n: int = 2) -> list[str]:
    """The one or two sentences of the passage that best match the query."""
    sents = c.sentence_scores
    if not sents:
        sents = [(0.0, a, b, s) for a, b, s in sentence_units(snap.texts[c.row])]
    if not sents:
        return []

    def lexical(s: str) -> float:
        words = {norm_token(w) for w in _WORD_RE.findall(s.lower())}
        return len(words & terms) / max(1, len(terms))

    scored = sorted(((sim + 0.3 * lexical(s), a, s) for sim, a, _, s in sents), key=lambda x: -x[0])
    best = [scored[0]]
    if n > 1 and len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.08:
        best.append(scored[1])
    best.sort(key=lambda x: x[1])  # reading order
    return [s for _, _, s in best]


def hit(snap: Snapshot, c: Candidate, terms: set[str]) -> dict[str, Any]:
    i = c.row
    report = snap.reports.get(snap.report_ids[i], {})
    return {
        "passage_id": snap.ids[i],
        "report_id": snap.report_ids[i],
        "year": report.get("year"),
        "force": report.get("force"),
        "section": " > ".join(snap.sections[i]),
        "paragraph": snap.paragraphs[i],
        "page": snap.pages[i],
        "kind": snap.kinds[i],
        "text": snap.texts[i],
        "score": round(float(c.score), 6) if math.isfinite(c.score) else 0.0,
        "signals": {"dense": round(max(c.dense, c.sentence), 4), "keyword": round(c.keyword, 4)},
        "quotes": best_quotes(snap, c, terms),
    }


__all__ = ["MODES", "Filters", "Searcher", "Tuning", "DEFAULT_TUNING", "fts_expression", "query_terms",
           "keyword_scores", "validate", "collapse"]
