"""Read-only SPARQL: queries run, updates and remote access are refused."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from graph.errors import BadInput, InvalidParameter
from graph.sparql import run


@pytest.fixture()
def g() -> Graph:
    g = Graph()
    for i in range(30):
        g.add((URIRef(f"http://ex.org/n{i}"), URIRef("http://ex.org/label"), Literal(f"node {i}")))
    return g


def test_select_ask_construct_describe(g: Graph) -> None:
    sel = run(g, "SELECT ?s ?o WHERE { ?s <http://ex.org/label> ?o } ORDER BY ?o")
    assert sel["type"] == "select" and len(sel["rows"]) == 30 and sel["rows"][0]["o"]["value"] == "node 0"
    assert run(g, "ASK { ?s ?p 'node 3' }") == {"type": "ask", "boolean": True}
    assert run(g, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")["triples"] == 30
    assert run(g, "DESCRIBE <http://ex.org/n1>")["type"] == "graph"


def test_row_limit(g: Graph) -> None:
    out = run(g, "SELECT * WHERE { ?s ?p ?o }", max_rows=5)
    assert len(out["rows"]) == 5 and out["truncated"] is True


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <http://example.org/g>",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "not sparql at all",
    "   ",
])
def test_refused(g: Graph, query: str) -> None:
    with pytest.raises(BadInput):
        run(g, query)
    assert len(g) == 30  # nothing changed


def test_too_long(g: Graph) -> None:
    with pytest.raises(InvalidParameter):
        run(g, "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000)
