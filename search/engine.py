"""The search side assembled: encoder, vector index, question analysis, retrieval and composition.

The flow runs one way: ``analyse`` makes the question's plan, ``Searcher``
retrieves passages for the plan, ``compose`` picks the quotes. The knowledge
graph helps through a typed provider (``GraphProvider``), which the API's
Service implements; without one, answers carry an empty graph and the entity
filter matches the entity's names in the passage text.
"""
from __future__ import annotations

import math
import threading
from typing import Any, Protocol

from graph.store import Store
from search import compose as cmp
from search.encoders import get_encoder
from search.index import Snapshot, VectorIndex
from search.question import Plan, analyse
from search.retrieve import Candidate, Filters, Searcher, hit, validate
from search.tuning import DEFAULT_TUNING, Tuning

POOL = 8  # passages an answer quotes from


class GraphProvider(Protocol):
    """What the knowledge graph offers search."""

    def subgraph_for(self, passage_ids: list[str]) -> dict[str, Any]: ...

    def causal_evidence(self, question: str) -> list[dict[str, Any]]: ...

    def passages_for_entity(self, name: str) -> set[str] | None: ...


class SearchEngine:
    def __init__(self, store: Store, encoder: str = "minilm", max_query_chars: int = 1000, max_k: int = 100,
                 graph: GraphProvider | None = None, tuning: Tuning = DEFAULT_TUNING) -> None:
        self.store = store
        self.graph = graph
        self.max_query_chars = max_query_chars
        self.max_k = max_k
        self.index = VectorIndex(store, get_encoder(encoder))
        self.searcher = Searcher(self.index, tuning,
                                 entity_passages=graph.passages_for_entity if graph is not None else None)
        # (store generation, passage count, word -> passages containing it)
        self._df: tuple[int, int, dict[str, int]] = (-1, 0, {})
        self._df_lock = threading.Lock()

    @property
    def tuning(self) -> Tuning:
        return self.searcher.tuning

    @tuning.setter
    def tuning(self, value: Tuning) -> None:
        self.searcher.tuning = value

    def plan(self, question: str, snap: Snapshot | None = None) -> Plan:
        snap = snap or self.index.snapshot()
        return analyse(question, snap.reports, snap.defined_acronyms)

    def search(self, query: str, k: int = 10, mode: str = "hybrid", report: str | None = None,
               force: str | None = None, year: str | int | None = None, theme: str | None = None,
               kind: str | None = None, entity: str | None = None) -> dict[str, Any]:
        query = validate(query, k, mode, self.max_query_chars, self.max_k)
        filters = Filters(report=report, force=force, year=None if year is None else str(year), theme=theme,
                          kind=kind, entity=entity)
        return {"query": query, "mode": mode, "hits": self.searcher.search(self.plan(query), k, mode, filters)}

    def ask(self, question: str, k: int = 8, force: str | None = None, year: str | int | None = None,
            report: str | None = None) -> dict[str, Any]:
        question = validate(question, k, "hybrid", self.max_query_chars, self.max_k)
        snap = self.index.snapshot()
        plan = self.plan(question, snap)
        filters = Filters(report=report, force=force, year=None if year is None else str(year))
        result: dict[str, Any] = {"question": question, "type": plan.kind,
                                  "scope": {"years": list(plan.years), "forces": list(plan.forces),
                                            "report_ids": list(plan.scope)},
                                  "lead": None, "answer": cmp.NO_ANSWER, "quotes": [], "evidence": [],
                                  "graph": {"nodes": [], "edges": []}}
        quotes = cmp.items_in_scope(snap, plan) if plan.lists_items and not filters.any() else []  # the answer
        pool = [Candidate(row=q.row) for q in quotes]
        if not quotes:
            snap, cands = self.searcher.candidates(plan, "hybrid", filters, max(k, 20))
            pool = self._pool(snap, plan, cands, filters, min(k, POOL))
            if plan.kind == "why":
                pool += self._causal(snap, plan, cands, pool, filters)
            ranked = cmp.rank(cmp.sentences(snap, pool, plan, self._weights(plan)), plan, self.tuning)
            if cmp.is_weak(ranked):
                return result
            quotes = cmp.reading_order(snap, cmp.choose(snap, pool, ranked, plan, self.tuning), plan)
        result["quotes"] = [cmp.quote_json(snap, q) for q in quotes]
        result["lead"] = result["quotes"][0]
        result["answer"] = cmp.answer_text(snap, quotes)
        result["evidence"] = self._evidence(snap, pool, quotes, plan)
        result["graph"] = self._graph([e["passage_id"] for e in result["evidence"]])
        return result

    @staticmethod
    def _pool(snap: Snapshot, plan: Plan, cands: list[Candidate], filters: Filters, size: int) -> list[Candidate]:
        """The passages an answer quotes from: the best in scope; for a comparison, the best of each report
        in turn, so that every side is there to be quoted."""
        inside = [c for c in cands if plan.in_scope(snap.report_ids[c.row]) or filters.any()]
        if plan.kind != "compare":
            return inside[:size]
        by_report: dict[str, list[Candidate]] = {}
        for c in inside:
            by_report.setdefault(snap.report_ids[c.row], []).append(c)
        turns = [c for group in zip(*by_report.values()) for c in group]  # round robin, best first in each
        rest = [c for c in inside if c not in turns]
        return (turns + rest)[:size]

    def _causal(self, snap: Snapshot, plan: Plan, cands: list[Candidate], pool: list[Candidate],
                filters: Filters) -> list[Candidate]:
        """Passages that evidence a cause-and-effect relation between things the question names join the
        pool; their sentences then compete on the same terms as every other sentence."""
        if self.graph is None:
            return []
        have = {c.row for c in pool}
        by_row = {c.row: c for c in cands[:3 * POOL]}  # the same bar: a passage retrieval itself ranks high
        extra = []
        for ev in self.graph.causal_evidence(plan.question):
            row = snap.pos_by_id.get(ev.get("passage_id", ""))
            if row is None or row in have or not plan.in_scope(snap.report_ids[row]):
                continue
            c = by_row.get(row)
            if c is None:
                continue  # filtered out, or not even a retrieval candidate: not relevant enough
            extra.append(c)
            have.add(row)
        return extra

    def _weights(self, plan: Plan) -> dict[str, float]:
        """Inverse document frequency of the plan's words: rare words say more about a sentence."""
        gen = self.store.generation()
        with self._df_lock:
            if self._df[0] != gen:
                self._df = (gen, self.store.count("passages"), {})
            _, n, cache = self._df
        words = set(cmp.question_words(plan)) | {w for p in plan.phrases for w in cmp.content_words(p)}
        missing = [w for w in words if w not in cache]
        if missing:
            cache.update(self.store.doc_freq(missing))
        return {w: math.log(1 + max(1, n) / (1 + cache.get(w, 0))) for w in words}

    def _evidence(self, snap: Snapshot, pool: list[Candidate], quotes: list[cmp.Quote], plan: Plan) -> list[dict]:
        by_row = {c.row: c for c in pool}
        out: dict[int, dict[str, Any]] = {}
        for q in quotes:
            if q.row not in out:
                out[q.row] = hit(snap, by_row[q.row], set(plan.terms))
                out[q.row]["quotes"] = []
            out[q.row]["quotes"].append(q.text)
        return list(out.values())

    def _graph(self, passage_ids: list[str]) -> dict[str, Any]:
        if self.graph is None or not passage_ids:
            return {"nodes": [], "edges": []}
        sub = self.graph.subgraph_for(passage_ids)
        return {"nodes": list(sub.get("nodes", [])), "edges": list(sub.get("edges", []))}
