"""Trace on a small graph written here (loose names, ranking by meaning, limits) and on the bundled corpus."""
from __future__ import annotations

import networkx as nx
import pytest

from graph.errors import BadInput, InvalidParameter, NotFound
from graph.extract import relations
from graph.trace import resolve, trace


def ev(pid: str, quote: str, year: str = "2020") -> dict:
    return {"passage_id": pid, "report_id": "r1", "quote": quote, "year": year, "question": "Q1"}


CUT = "The cut of patrol officers means that fewer drug raids happen."


@pytest.fixture()
def g() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("issue:cut-of-patrol-officers", label="cut of patrol officers", type="issue")
    g.add_node("issue:fewer-drug-raids", label="fewer drug raids", type="issue")
    g.add_node("theme:drug-crime", label="drug crime", type="theme")
    g.add_node("unit:patrol-team", label="patrol team", type="unit", aliases=["patrol officers"])
    g.add_node("report:r1", label="A report", type="report")
    g.add_edge("issue:cut-of-patrol-officers", "issue:fewer-drug-raids", type="affects", polarity="negative",
               evidence=[ev("p1", CUT)])
    g.add_edge("issue:fewer-drug-raids", "theme:drug-crime", type="about_theme",
               evidence=[ev("p1", CUT), ev("p2", "Drug raids fell.", "2021")])
    g.add_edge("unit:patrol-team", "issue:cut-of-patrol-officers", type="mentions", evidence=[ev("p1", "x")])
    # a shortcut through a report node must not count
    g.add_edge("report:r1", "theme:drug-crime", type="about_theme", evidence=[ev("p3", "y")])
    g.add_edge("report:r1", "unit:patrol-team", type="mentions", evidence=[ev("p3", "y")])
    return g


def test_resolve_loose_names(g: nx.MultiDiGraph) -> None:
    assert resolve(g, "Patrol officers")[0] == "unit:patrol-team"  # the alias matches exactly
    assert "issue:cut-of-patrol-officers" in resolve(g, "Patrol officers")  # an issue naming the phrase
    assert resolve(g, "drug crimes")[0] == "theme:drug-crime"
    with pytest.raises(NotFound):
        resolve(g, "helicopters")
    with pytest.raises(BadInput):
        resolve(g, "  ")


def test_exact_match_beats_a_longer_label_with_the_same_words() -> None:
    g = nx.MultiDiGraph()
    g.add_node("programme:strategic-threat-and-risk-assessment", label="strategic threat and risk assessment",
               type="programme")
    g.add_node("programme:risk-tool", label="risk assessment tool", type="programme",
               aliases=["risk assessments"])
    g.add_node("issue:delays", label="delays", type="issue")
    for n in list(g.nodes)[:2]:
        g.add_edge(n, "issue:delays", type="affects", evidence=[ev("p", n)])
    assert resolve(g, "risk assessment") == ["programme:risk-tool"]
    assert resolve(g, "threat assessment")[0] == "programme:strategic-threat-and-risk-assessment"


def test_path_lands_in_a_theme_without_theme_hops(g: nx.MultiDiGraph) -> None:
    out = trace(g, "cut of patrol officers", "drug crime")
    best = out["paths"][0]
    assert [n["id"] for n in best["nodes"]] == ["issue:cut-of-patrol-officers", "issue:fewer-drug-raids"]
    assert best["lands_in"]["id"] == "theme:drug-crime" and "drug crime" in best["why"]
    assert [e["type"] for e in best["edges"]] == ["affects"]
    assert best["edges"][0]["source"] == "issue:cut-of-patrol-officers"  # the relation's own direction
    themed = trace(g, "cut of patrol officers", "drug crime", via="themes")["paths"][0]
    assert [n["id"] for n in themed["nodes"]][-1] == "theme:drug-crime"
    assert all(n["type"] != "report" for p in out["paths"] for n in p["nodes"])


def test_theme_and_mentions_hops_only_when_asked() -> None:
    g = nx.MultiDiGraph()
    for n in ("issue:a", "issue:b"):
        g.add_node(n, label=n[6:] + " backlog", type="issue")
    g.add_node("theme:t", label="custody", type="theme")
    g.add_node("unit:u", label="custody unit", type="unit")
    g.add_edge("issue:a", "theme:t", type="about_theme", evidence=[ev("p1", "A is about custody.")])
    g.add_edge("issue:b", "theme:t", type="about_theme", evidence=[ev("p2", "B is about custody.")])
    g.add_edge("issue:b", "unit:u", type="mentions", evidence=[ev("p2", "B names the unit.")])
    assert trace(g, "a backlog", "b backlog")["paths"] == []
    assert trace(g, "a backlog", "b backlog", via="themes")["paths"]
    with pytest.raises(InvalidParameter):
        trace(g, "a backlog", "b backlog", via="anything")


def test_causal_chain_beats_a_shorter_weaker_link_and_quotes_are_not_repeated() -> None:
    g = nx.MultiDiGraph()
    for n in ("x", "m", "y", "k"):
        g.add_node(f"issue:{n}", label=f"{n} problem", type="issue")
    g.add_edge("issue:x", "issue:y", type="recurs", evidence=[ev("p0", "X recurs as Y.")])
    g.add_edge("issue:x", "issue:m", type="causes", evidence=[ev("p1", "X causes M.")])
    g.add_edge("issue:m", "issue:y", type="affects", evidence=[ev("p2", "M affects Y.")])
    g.add_edge("issue:x", "issue:k", type="causes", evidence=[ev("p1", "X causes M.")])  # the same quote again
    g.add_edge("issue:k", "issue:y", type="affects", evidence=[ev("p3", "K affects Y.")])
    paths = trace(g, "x problem", "y problem")["paths"]
    assert [e["type"] for e in paths[0]["edges"]] == ["causes", "affects"]
    assert "2 cause-and-effect hops" in paths[0]["why"]
    quotes = [ev_["quote"] for p in paths for e in p["edges"] for ev_ in e["evidence"]]
    assert len(quotes) == len(set(quotes)), quotes
    assert any(e["type"] == "recurs" for p in paths for e in p["edges"])


def test_depth_limits(g: nx.MultiDiGraph) -> None:
    assert trace(g, "patrol team", "drug crime", depth=1, via="themes")["paths"] == []
    assert trace(g, "patrol team", "drug crime", depth=3, via="themes")["paths"]
    with pytest.raises(InvalidParameter):
        trace(g, "cut of patrol officers", "drug crime", depth=9)


def test_around_one_concept(g: nx.MultiDiGraph) -> None:
    out = trace(g, "fewer drug raids")
    assert out["to"] is None
    assert {e["target"] for e in out["affects"]} == {"theme:drug-crime"}
    assert {e["source"] for e in out["affected_by"]} == {"issue:cut-of-patrol-officers"}
    assert out["themes"] == ["drug crime"] and out["years"] == ["2020", "2021"]


def test_bundled_corpus_neighbourhood_officers_to_organised_crime(corpus_service) -> None:  # noqa: ANN001
    G = corpus_service.knowledge()
    out = corpus_service.trace("neighbourhood officers", "organised crime")
    best = out["paths"][0]
    assert best["edges"] and all(e["type"] in relations.CAUSAL_TYPES for e in best["edges"])
    for e in best["edges"]:
        s, t = G.nodes[e["source"]]["label"], G.nodes[e["target"]]["label"]
        assert all(relations.supports(G.edges[e["source"], e["target"], k]["rule"], x["quote"], s, t)
                   for k in G[e["source"]][e["target"]] for x in e["evidence"]
                   if G.edges[e["source"], e["target"], k]["type"] == e["type"])
    first = G.nodes[best["nodes"][0]["id"]]["label"]
    assert "neighbourhood officers" in first and "remov" in first
    assert best["lands_in"]["type"] == "theme" and "organised crime" in best["lands_in"]["label"].lower()
    quotes = [x["quote"] for p in out["paths"] for e in p["edges"] for x in e["evidence"]]
    assert len(quotes) == len(set(quotes))
