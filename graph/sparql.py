"""Read-only SPARQL over the RDF view, with a time limit and a row limit.

Only SELECT, ASK, CONSTRUCT and DESCRIBE are run. Updates (INSERT, DELETE,
LOAD, CLEAR, ...) fail to parse as queries and are refused; SERVICE clauses
(network calls) and FROM / FROM NAMED (which would make rdflib read a URL
or a file) are refused before evaluation.
"""
from __future__ import annotations

import concurrent.futures
import threading
from typing import Any

from rdflib import Graph
from rdflib.query import ResultRow
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from graph.errors import BadInput, InvalidParameter, PeelgraphError

ALLOWED = {"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"}
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="sparql")
_BUSY = threading.BoundedSemaphore(2)


class QueryTimeout(PeelgraphError, code="timeout", status=503, exit_code=6):
    """A SPARQL query that ran past its time limit."""


def run(graph: Graph, query: str, *, timeout: float = 10.0, max_rows: int = 1000,
        max_chars: int = 20000) -> dict[str, Any]:
    if not query or not query.strip():
        raise BadInput("empty SPARQL query")
    if len(query) > max_chars:
        raise InvalidParameter(f"SPARQL query longer than {max_chars} characters")
    try:
        prepared = prepareQuery(query)
    except Exception as exc:  # noqa: BLE001 - any parse failure, including an update, is the user's
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadInput(f"not a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE): {first[:200]}") from exc
    kind = prepared.algebra.name
    if kind not in ALLOWED:
        raise BadInput(f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed, not {kind}")
    if _has(prepared.algebra, "ServiceGraphPattern") or prepared.algebra.get("datasetClause"):
        raise BadInput("SERVICE, FROM and FROM NAMED are not allowed: queries run only over the local graph")
    if not _BUSY.acquire(blocking=False):
        raise QueryTimeout("the SPARQL workers are busy; try again shortly")
    future = _POOL.submit(_evaluate, graph, prepared, kind, max_rows)
    future.add_done_callback(lambda _: _BUSY.release())
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError as exc:
        raise QueryTimeout(f"SPARQL query took longer than {timeout:g} s") from exc


def _evaluate(graph: Graph, prepared: Any, kind: str, max_rows: int) -> dict[str, Any]:
    result = graph.query(prepared)
    if kind == "AskQuery":
        return {"type": "ask", "boolean": bool(result.askAnswer)}
    if kind == "SelectQuery":
        names = [str(v) for v in result.vars or []]
        rows, truncated = [], False
        for i, row in enumerate(result):
            if i >= max_rows:
                truncated = True
                break
            assert isinstance(row, ResultRow)  # a SELECT result yields rows
            rows.append({n: _term(row[n]) for n in names if row[n] is not None})
        return {"type": "select", "vars": names, "rows": rows, "truncated": truncated}
    triples = list(result.graph)[: max_rows + 1] if result.graph is not None else []
    g = Graph()
    for t in triples[:max_rows]:
        g.add(t)
    return {"type": "graph", "turtle": g.serialize(format="turtle"), "triples": len(g),
            "truncated": len(triples) > max_rows}


def _term(t: Any) -> dict[str, Any]:
    kind = type(t).__name__.lower()
    out: dict[str, Any] = {"type": {"uriref": "uri", "bnode": "bnode"}.get(kind, "literal"), "value": str(t)}
    if getattr(t, "datatype", None):
        out["datatype"] = str(t.datatype)
    if getattr(t, "language", None):
        out["lang"] = t.language
    return out


def _has(node: Any, name: str) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            if n.name == name:
                return True
            stack.extend(n.values())
        elif isinstance(n, (list, tuple)):
            stack.extend(n)
        elif isinstance(n, dict):
            stack.extend(n.values())
    return False
