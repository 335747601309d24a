"""Trace on a small graph written here: loose names, evidenced paths, ordering, limits."""
from __future__ import annotations

import networkx as nx
import pytest

from graph.errors import BadInput, InvalidParameter, NotFound
from graph.trace import resolve, trace


def ev(pid: str, quote: str, year: str = "2020") -> dict:
    return {"passage_id": pid, "report_id": "r1", "quote": quote, "year": year, "question": "Q1"}


@pytest.fixture()
def g() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("issue:cut-of-patrol-officers", label="cut of patrol officers", type="issue")
    g.add_node("issue:fewer-drug-raids", label="fewer drug raids", type="issue")
    g.add_node("theme:drug-crime", label="drug crime", type="theme")
    g.add_node("unit:patrol-team", label="patrol team", type="unit", aliases=["patrol officers"])
    g.add_node("report:r1", label="A report", type="report")
    g.add_edge("issue:cut-of-patrol-officers", "issue:fewer-drug-raids", type="affects", polarity="negative",
               evidence=[ev("p1", "The cut of patrol officers means that fewer drug raids happen.")])
    g.add_edge("issue:fewer-drug-raids", "theme:drug-crime", type="about_theme",
               evidence=[ev("p1", "The cut of patrol officers means that fewer drug raids happen."),
                         ev("p2", "Drug raids fell.", "2021")])
    g.add_edge("unit:patrol-team", "issue:cut-of-patrol-officers", type="mentions", evidence=[ev("p1", "x")])
    # a shortcut through a report node must not count
    g.add_edge("report:r1", "theme:drug-crime", type="about_theme", evidence=[ev("p3", "y")])
    g.add_edge("report:r1", "unit:patrol-team", type="mentions", evidence=[ev("p3", "y")])
    return g


def test_resolve_loose_names(g: nx.MultiDiGraph) -> None:
    assert resolve(g, "Patrol officers")[0] in {"unit:patrol-team", "issue:cut-of-patrol-officers"}
    assert resolve(g, "drug crimes")[0] == "theme:drug-crime"
    with pytest.raises(NotFound):
        resolve(g, "helicopters")
    with pytest.raises(BadInput):
        resolve(g, "  ")


def test_path_with_evidence_at_each_hop(g: nx.MultiDiGraph) -> None:
    out = trace(g, "cut of patrol officers", "drug crime")
    assert out["paths"], out
    best = out["paths"][0]
    assert [n["id"] for n in best["nodes"]] == ["issue:cut-of-patrol-officers", "issue:fewer-drug-raids",
                                                "theme:drug-crime"]
    assert all(e["evidence"] and e["evidence"][0]["quote"] for e in best["edges"])
    assert all(n["type"] != "report" for p in out["paths"] for n in p["nodes"])
    assert best["edges"][0]["source"] == "issue:cut-of-patrol-officers"  # the relation's own direction


def test_depth_limits(g: nx.MultiDiGraph) -> None:
    assert trace(g, "cut of patrol officers", "drug crime", depth=1)["paths"] == []
    with pytest.raises(InvalidParameter):
        trace(g, "cut of patrol officers", "drug crime", depth=9)


def test_around_one_concept(g: nx.MultiDiGraph) -> None:
    out = trace(g, "fewer drug raids")
    assert out["to"] is None
    assert {e["target"] for e in out["affects"]} == {"theme:drug-crime"}
    assert {e["source"] for e in out["affected_by"]} == {"issue:cut-of-patrol-officers"}
    assert out["themes"] == ["drug crime"] and out["years"] == ["2020", "2021"]
