"""The search side assembled: encoder, vector index, hybrid searcher and answerer.

The host (the API's Service) may offer optional providers the knowledge graph
adds later: ``subgraph_for(passage_ids)`` and ``passages_for_entity(name)``;
without them answers carry an empty graph and the entity filter falls back
to the entity's names in the passage text.
"""
from __future__ import annotations

from typing import Any

from graph.store import Store
from search.encoders import get_encoder
from search.retrieve import DEFAULT_TUNING, Filters, Searcher, Tuning
from search.index import VectorIndex


class SearchEngine:
    def __init__(self, store: Store, encoder: str = "minilm", max_query_chars: int = 1000, max_k: int = 100,
                 host: Any = None, tuning: Tuning = DEFAULT_TUNING) -> None:
        self.store = store
        self.host = host
        self.max_query_chars = max_query_chars
        self.max_k = max_k
        self.index = VectorIndex(store, get_encoder(encoder))
        self.searcher = Searcher(self.index, tuning, entity_passages=self._entity_passages)

    def _entity_passages(self, name: str) -> set[str] | None:
        provider = getattr(self.host, "passages_for_entity", None)
        if provider is None:
            return None
        found = provider(name)
        return None if found is None else set(found)

    def search(self, query: str, k: int = 10, mode: str = "hybrid", report: str | None = None,
               force: str | None = None, year: str | int | None = None, theme: str | None = None,
               kind: str | None = None, entity: str | None = None) -> dict[str, Any]:
        filters = Filters(report=report, force=force, year=None if year is None else str(year), theme=theme,
                          kind=kind, entity=entity)
        hits = self.searcher.search(query, k=k, mode=mode, filters=filters,
                                    max_chars=self.max_query_chars, max_k=self.max_k)
        return {"query": query, "mode": mode, "hits": hits}

    def ask(self, question: str, k: int = 8) -> dict[str, Any]:
        from search.compose import answer

        subgraph = getattr(self.host, "subgraph_for", None)
        causal = getattr(self.host, "causal_evidence", None)
        return answer(self.searcher, question, k=k, max_chars=self.max_query_chars, max_k=self.max_k,
                      subgraph_for=subgraph, causal_for=causal)
