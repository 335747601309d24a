"""Trace: how two concepts connect in the graph, or what one concept touches.

Concepts are named loosely ("neighbourhood officers", "organised crime"):
they resolve to the nodes whose label or aliases share the most words with
the name. Paths run over evidenced relations only (no passage or report
nodes in between), shortest first and, among equals, best evidenced first.
"""
from __future__ import annotations

import itertools
import re
from typing import Any

import networkx as nx

from graph.errors import BadInput, InvalidParameter, NotFound

STRUCTURAL = {"report", "passage", "force", "question"}  # hubs that would connect everything
_STOP = {"the", "of", "and", "a", "an", "in", "on", "to", "for", "by", "with", "at", "its", "force", "s"}


def words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in _STOP:
            continue
        out.add(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def resolve(g: nx.MultiDiGraph, name: str, limit: int = 5) -> list[str]:
    """Nodes a loose name refers to, best first."""
    if not name or not name.strip():
        raise BadInput("empty concept name")
    if name in g:
        return [name]
    want = words(name)
    if not want:
        raise BadInput(f"nothing to look up in {name!r}")
    scored = []
    for n, data in g.nodes(data=True):
        if data.get("type") in STRUCTURAL:
            continue
        names = [str(data.get("label", n))] + [str(a) for a in data.get("aliases", []) or []]
        best = 0.0
        for nm in names:
            have = words(nm)
            if not have:
                continue
            common = len(want & have)
            if common == 0:
                continue
            # cover the query first, then prefer tight labels
            best = max(best, common / len(want) + 0.25 * common / len(have))
        if best >= 0.5:
            scored.append((-best, -g.degree(n), str(n)))
    if not scored:
        raise NotFound(f"no concept in the graph matches {name!r}", {"name": name})
    scored.sort()
    top = -scored[0][0]
    return [n for score, _, n in scored[:limit] if -score >= 0.75 * top]  # only near the best match


def _evidence(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for ev in data.get("evidence", []) or []:
        if isinstance(ev, dict):
            out.append({"passage_id": ev.get("passage_id"), "report_id": ev.get("report_id"),
                        "quote": ev.get("quote", "")})
        else:
            out.append({"passage_id": str(ev), "report_id": None, "quote": ""})
    return out


def _node(g: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = g.nodes[n]
    return {"id": n, "label": d.get("label", n), "type": d.get("type")}


def _hop(g: nx.MultiDiGraph, a: str, b: str) -> dict[str, Any] | None:
    """The best-evidenced relation between two adjacent nodes, in its own direction."""
    best = None
    for u, v in ((a, b), (b, a)):
        for _, data in (g.get_edge_data(u, v) or {}).items():
            ev = _evidence(data)
            cand = {"source": u, "target": v, "type": data.get("type"), "polarity": data.get("polarity"),
                    "evidence": ev}
            if best is None or len(ev) > len(best["evidence"]):
                best = cand
    return best


def trace(g: nx.MultiDiGraph, source: str, target: str | None = None, depth: int = 4,
          max_paths: int = 10) -> dict[str, Any]:
    if not 1 <= depth <= 6:
        raise InvalidParameter("trace depth must be between 1 and 6")
    starts = resolve(g, source)
    if target is None:
        return _around(g, source, starts)
    ends = resolve(g, target)
    keep = [n for n, d in g.nodes(data=True) if d.get("type") not in STRUCTURAL]
    ug = nx.Graph(g.subgraph(keep).to_undirected(as_view=True))
    paths: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()
    for s, t in itertools.product(starts, ends):
        if s == t or s not in ug or t not in ug:
            continue
        try:
            found = itertools.islice(nx.shortest_simple_paths(ug, s, t), 20)
            for nodes in found:
                if len(nodes) - 1 > depth:
                    break
                key = tuple(nodes)
                if key in seen:
                    continue
                seen.add(key)
                hops = [_hop(g, a, b) for a, b in zip(nodes, nodes[1:])]
                if any(h is None or not h["evidence"] for h in hops):
                    continue
                paths.append({"nodes": [_node(g, n) for n in nodes], "edges": hops,
                              "length": len(hops), "evidence": sum(len(h["evidence"]) for h in hops)})
        except nx.NetworkXNoPath:
            continue
    paths.sort(key=lambda p: (p["length"], -p["evidence"]))
    return {"from": source, "to": target, "resolved": {"from": starts, "to": ends}, "paths": paths[:max_paths]}


def _around(g: nx.MultiDiGraph, name: str, starts: list[str]) -> dict[str, Any]:
    """What a concept affects and is affected by, with the themes, questions and years of the evidence."""
    out_edges, in_edges = [], []
    themes, questions, years = set(), set(), set()
    for n in starts[:3]:
        for u, v, data in itertools.chain(g.out_edges(n, data=True), g.in_edges(n, data=True)):
            other = v if u == n else u
            if g.nodes[other].get("type") in STRUCTURAL:
                continue
            edge = {"source": u, "target": v, "type": data.get("type"), "polarity": data.get("polarity"),
                    "evidence": _evidence(data)}
            if not edge["evidence"]:
                continue
            if g.nodes[other].get("type") == "theme":
                themes.add(g.nodes[other].get("label", other))
            for ev in data.get("evidence", []) or []:
                if isinstance(ev, dict):
                    questions.update(q for q in [ev.get("question")] if q)
                    years.update(y for y in [ev.get("year")] if y)
            (out_edges if u == n else in_edges).append(edge)
    rank = {"causes": 0, "affects": 1, "recurs": 2}
    out_edges.sort(key=lambda e: (rank.get(e["type"], 9), -len(e["evidence"])))
    in_edges.sort(key=lambda e: (rank.get(e["type"], 9), -len(e["evidence"])))
    paths = [{"nodes": [_node(g, e["source"]), _node(g, e["target"])], "edges": [e], "length": 1,
              "evidence": len(e["evidence"])} for e in out_edges + in_edges]
    return {"from": name, "to": None, "resolved": {"from": starts, "to": []}, "affects": out_edges,
            "affected_by": in_edges, "themes": sorted(themes), "questions": sorted(questions),
            "years": sorted(years), "paths": paths}
