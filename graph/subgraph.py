"""Pick part of the knowledge graph: for an answer's passages, around a node, and in export shape."""
from __future__ import annotations

import threading
import weakref
from typing import Any

import networkx as nx

HUBS = {"report", "force", "passage"}  # connect everything; never walked through
SKIP_IN_ANSWERS = {"report", "force", "passage", "finding"}
_Index = tuple[dict[str, list[tuple[str, str, Any]]], dict[str, list[str]]]
_BY_PASSAGE: weakref.WeakKeyDictionary[nx.MultiDiGraph, _Index] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _by_passage(G: nx.MultiDiGraph) -> _Index:
    """Edges evidenced by, and nodes mentioned in, each passage: built once per graph (beside it, not in it,
    and by one thread), so an answer's subgraph costs what its passages touch rather than a pass over the
    whole graph."""
    with _LOCK:
        cached = _BY_PASSAGE.get(G)
        if cached is None:
            cached = _BY_PASSAGE[G] = _index(G)
    return cached


def _index(G: nx.MultiDiGraph) -> _Index:
    edges: dict[str, list[tuple[str, str, Any]]] = {}
    for s, t, k in G.edges(keys=True):
        if G.nodes[s]["type"] in SKIP_IN_ANSWERS or G.nodes[t]["type"] in SKIP_IN_ANSWERS:
            continue
        for e in G.edges[s, t, k].get("evidence", []):
            if e.get("passage_id"):
                edges.setdefault(e["passage_id"], []).append((s, t, k))
    nodes: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        if d["type"] not in SKIP_IN_ANSWERS | {"theme", "metric"}:
            for m in d.get("mentions", []):
                nodes.setdefault(m.get("passage_id"), []).append(n)
    return edges, nodes


def for_passages(G: nx.MultiDiGraph, passage_ids: list[str], limit: int = 40) -> dict[str, Any]:
    """Relations evidenced by these passages, and the entities mentioned in them."""
    by_edge, by_node = _by_passage(G)
    wanted = set(passage_ids)
    rank = {pid: i for i, pid in enumerate(passage_ids)}
    found = {key for pid in passage_ids for key in by_edge.get(pid, [])}
    edges = []
    for s, t, k in found:
        d = G.edges[s, t, k]
        ev = [e["passage_id"] for e in d.get("evidence", []) if e.get("passage_id") in wanted]
        best = min(rank[p] for p in ev)
        edges.append((d["type"] not in ("causes", "affects"), best, s, t, d, sorted(set(ev), key=rank.__getitem__)))
    edges.sort(key=lambda x: (x[0], x[1], x[2], x[3]))
    nodes: dict[str, None] = {}
    out_edges = []
    for _, _, s, t, d, ev in edges:
        if len(nodes) >= limit and (s not in nodes or t not in nodes):
            continue
        nodes.setdefault(s)
        nodes.setdefault(t)
        out_edges.append({"source": s, "target": t, "type": d["type"], "polarity": d.get("polarity"), "evidence": ev})
    for pid in passage_ids:  # entities mentioned without a relation
        for n in sorted(by_node.get(pid, [])):
            if len(nodes) >= limit:
                break
            nodes.setdefault(n)
    return {"nodes": [{"id": n, "label": G.nodes[n]["label"], "type": G.nodes[n]["type"]} for n in nodes],
            "edges": out_edges, "node_ids": list(nodes)}


def around(G: nx.MultiDiGraph, seeds: list[str], depth: int) -> list[str]:
    """The neighbourhood of some nodes, without walking through hubs such as reports."""
    seen = dict.fromkeys(seeds)
    frontier = list(seeds)
    for _ in range(depth):
        nxt = []
        for n in frontier:
            for m in list(G.successors(n)) + list(G.predecessors(n)):
                if m not in seen and G.nodes[m]["type"] not in HUBS:
                    seen[m] = None
                    nxt.append(m)
        frontier = nxt
    return list(seen)


def export_shape(G: nx.MultiDiGraph, nodes: list[str], title: str, store: Any,
                 reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The plain dict graph/export writes: nodes, evidenced edges with citations, source reports."""
    keep = set(nodes)
    years: dict[str, Any] = {r["report_id"]: r.get("year") for r in reports}
    cache: dict[str, Any] = {}

    def cite(ev: dict[str, Any]) -> dict[str, Any]:
        pid = ev.get("passage_id")
        if pid and pid not in cache:
            try:
                cache[pid] = store.passage(pid)
            except Exception:  # noqa: BLE001 - a citation without its passage is still a citation
                cache[pid] = None
        p = cache.get(pid) if pid else None
        return {"passage_id": pid, "report_id": ev.get("report_id") or (p.report_id if p else None),
                "year": years.get(ev.get("report_id") or (p.report_id if p else "")),
                "section": " > ".join(p.section[-2:]) if p else None, "paragraph": p.paragraph if p else None,
                "quote": ev.get("quote", "")}

    out_nodes = []
    used_reports: set[str] = set()
    for n in nodes:
        d = G.nodes[n]
        rids = list(d.get("reports", []) or [])
        used_reports.update(rids)
        data = d.get("data") or {}
        out_nodes.append({"id": n, "label": d.get("label", n), "type": d.get("type"), "kind": d.get("kind"),
                          "themes": list(data.get("themes", []) or []), "reports": rids,
                          "years": sorted({years[r] for r in rids if years.get(r)}),
                          "polarity": data.get("polarity")})
    out_edges = []
    # the edges among the kept nodes in the graph's own edge order, without walking every edge of the graph
    ends = [(s, t, keyed) for s in G if s in keep for t, keyed in G.adj[s].items() if t in keep]
    for s, t, keyed in ends:
        for d in keyed.values():
            out_edges.append({"id": d.get("id"), "source": s, "target": t, "type": d.get("type"),
                              "polarity": d.get("polarity"), "rule": d.get("rule"),
                              "evidence": [cite(e) for e in (d.get("evidence") or [])[:5]]})
    out_reports = [{"report_id": r["report_id"], "title": r.get("title"), "year": r.get("year"),
                    "force": r.get("force")} for r in reports if r["report_id"] in used_reports]
    return {"title": title, "reports": out_reports, "nodes": out_nodes, "edges": out_edges}
