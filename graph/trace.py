"""Trace: how two concepts connect in the graph, or what one concept touches.

Concepts are named loosely ("neighbourhood officers", "organised crime").
An exact label or alias match wins, joined by the issues whose labels
contain the name as a phrase ("removal of neighbourhood officers"); only
when nothing matches exactly do labels that merely share words count,
tightest first. Paths are ranked by meaning, not hop count: cause-and-effect
and partner edges cost least, responsibility and recurrence more; theme and
"mentions" hops are walked only with ``via="themes"`` (by default a path may
end in a theme the target names, through the last node's own theme tag). No
quote appears in two returned paths, and each path says why it ranks.
"""
from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any

import networkx as nx

from graph.errors import BadInput, InvalidParameter, NotFound
from graph.text import fold_plural

STRUCTURAL = {"report", "passage", "force", "question"}  # hubs that would connect everything
_STOP = {"the", "of", "and", "a", "an", "in", "on", "to", "for", "by", "with", "at", "its", "force", "s"}
COST = {"causes": 1.0, "affects": 1.0, "partners_with": 1.5, "responsible_for": 2.0, "recurs": 3.0,
        "carried_over_from": 3.0, "metric_change": 3.0, "recommends": 3.0}
THEME_COST = {"about_theme": 3.0, "mentions": 3.0}
VIAS = ("meaning", "themes")
_SRC, _DST = "\x00source", "\x00target"


def words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in _STOP:
            continue
        out.add(fold_plural(w))
    return out


@lru_cache(maxsize=1 << 16)
def _label_words(text: str) -> frozenset[str]:
    """``words`` of a node name, remembered: every lookup compares the name against each node's label and
    aliases, and labels outlive graph versions (a write changes a few of them)."""
    return frozenset(words(text))


@lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    return " ".join(sorted(_label_words(text)))


def _names(data: dict[str, Any], n: str) -> list[str]:
    return [str(data.get("label", n))] + [str(a) for a in data.get("aliases", []) or []]


def resolve(g: nx.MultiDiGraph, name: str, limit: int = 5) -> list[str]:
    """Nodes a loose name refers to, best first: exact and alias matches before labels that only share words."""
    if not name or not name.strip():
        raise BadInput("empty concept name")
    if name in g:
        return [name]
    want = words(name)
    if not want:
        raise BadInput(f"nothing to look up in {name!r}")
    key, phrase = _norm(name), re.compile(r"\b" + r"\s+".join(map(re.escape, name.lower().split())) + r"s?\b")
    exact, within, scored = [], [], []
    for n, data in g.nodes(data=True):
        if data.get("type") in STRUCTURAL:
            continue
        names = _names(data, n)
        if any(_norm(nm) == key for nm in names):
            exact.append((-g.degree(n), str(n)))
        elif data.get("type") == "issue" and phrase.search(str(data.get("label", "")).lower()):
            within.append((len(str(data.get("label", ""))), -g.degree(n), str(n)))
        best = max((_overlap(want, _label_words(nm)) for nm in names), default=0.0)
        if best >= 0.5:
            scored.append((-best, -g.degree(n), str(n)))
    if exact:
        return [n for *_, n in sorted(exact)][:limit] + [n for *_, n in sorted(within)][:limit]
    if not scored:
        raise NotFound(f"no concept in the graph matches {name!r}", {"name": name})
    scored.sort()
    top = -scored[0][0]
    return [n for score, _, n in scored[:limit] if -score >= 0.75 * top]  # only near the best match


def _overlap(want: set[str], have: frozenset[str]) -> float:
    """Cover the query first, then prefer tight labels."""
    common = len(want & have)
    return common / len(want) + 0.25 * common / len(have) if common and have else 0.0


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


def _costs(via: str) -> dict[str, float]:
    return COST | THEME_COST if via == "themes" else COST


def _hop(g: nx.MultiDiGraph, a: str, b: str, costs: dict[str, float]) -> dict[str, Any] | None:
    """The most meaningful relation between two adjacent nodes (cheapest type, then best evidenced)."""
    best, key = None, None
    for u, v in ((a, b), (b, a)):
        for _, data in (g.get_edge_data(u, v) or {}).items():
            if data.get("type") not in costs:
                continue
            ev = _evidence(data)
            k = (costs[data["type"]], -len(ev))
            if ev and (key is None or k < key):
                best, key = {"source": u, "target": v, "type": data.get("type"), "polarity": data.get("polarity"),
                             "evidence": ev}, k
    return best


def _walk_graph(g: nx.MultiDiGraph, starts: list[str], ends: list[str], costs: dict[str, float]) -> nx.Graph:
    """An undirected graph of the allowed relations, each pair weighted by its cheapest edge, with a virtual
    source joined to the starts and a virtual target joined to the ends (and, when an end is a theme, to the
    nodes tagged with it: a path may land in a theme without walking through theme hops)."""
    ug = nx.Graph()
    for u, v, d in g.edges(data=True):
        if u == v or d.get("type") not in costs or not d.get("evidence"):
            continue
        if g.nodes[u].get("type") in STRUCTURAL or g.nodes[v].get("type") in STRUCTURAL:
            continue
        w = costs[d["type"]]
        if not ug.has_edge(u, v) or ug[u][v]["weight"] > w:
            ug.add_edge(u, v, weight=w)
    for s in starts:
        ug.add_edge(_SRC, s, weight=0.0)
    for t in ends:
        ug.add_edge(t, _DST, weight=0.0)
        if g.nodes[t].get("type") == "theme" and "about_theme" not in costs:
            for u, _, d in g.in_edges(t, data=True):
                if d.get("type") == "about_theme" and g.nodes[u].get("type") == "issue" and u not in starts:
                    ug.add_edge(u, _DST, weight=0.0, lands_in=t)
    return ug


def _path_json(g: nx.MultiDiGraph, nodes: list[str], hops: list[dict[str, Any]], lands: str | None) -> dict[str, Any]:
    quotes = {ev["quote"] for h in hops for ev in h["evidence"]}
    kinds = [h["type"] for h in hops]
    causal = sum(k in ("causes", "affects") for k in kinds)
    parts = [f"{causal} cause-and-effect hop" + ("" if causal == 1 else "s")]
    if len(kinds) > causal:
        parts.append(f"{len(kinds) - causal} other hop" + ("" if len(kinds) - causal == 1 else "s") +
                     f" ({', '.join(sorted(set(kinds) - {'causes', 'affects'}))})")
    parts.append(f"{len(quotes)} distinct quote" + ("" if len(quotes) == 1 else "s"))
    out = {"nodes": [_node(g, n) for n in nodes], "edges": hops, "length": len(hops),
           "evidence": sum(len(h["evidence"]) for h in hops), "cost": sum(_costs("themes")[k] for k in kinds)}
    if lands:
        parts.append(f"ends in the theme {g.nodes[lands].get('label', lands)!r}")
        out["lands_in"] = _node(g, lands)
    out["why"] = " · ".join(parts)
    return out


def trace(g: nx.MultiDiGraph, source: str, target: str | None = None, depth: int = 4,
          max_paths: int = 10, via: str | None = None) -> dict[str, Any]:
    """Evidenced paths between two concepts, most meaningful first; or what one concept touches."""
    if not 1 <= depth <= 6:
        raise InvalidParameter("trace depth must be between 1 and 6")
    via = via or "meaning"
    if via not in VIAS:
        raise InvalidParameter(f"unknown trace via {via!r}; use one of {', '.join(VIAS)}")
    starts = resolve(g, source)
    if target is None:
        return _around(g, source, starts)
    ends = resolve(g, target)
    costs = _costs(via)
    ug = _walk_graph(g, starts, [e for e in ends if e not in starts], costs)
    paths: list[dict[str, Any]] = []
    used: set[str] = set()
    if _SRC in ug and _DST in ug:
        try:
            for full in itertools.islice(nx.shortest_simple_paths(ug, _SRC, _DST, weight="weight"), 60):
                nodes = full[1:-1]
                lands = ug[nodes[-1]][_DST].get("lands_in") if nodes else None
                if not 1 <= len(nodes) - 1 <= depth or any(n in starts for n in nodes[1:]):
                    continue
                hops = [_hop(g, a, b, costs) for a, b in zip(nodes, nodes[1:])]
                if any(h is None for h in hops):
                    continue
                quotes = {ev["quote"] for h in hops for ev in h["evidence"]}  # type: ignore[index]
                if quotes & used:
                    continue
                used |= quotes
                paths.append(_path_json(g, nodes, hops, lands))  # type: ignore[arg-type]
                if len(paths) >= max_paths:
                    break
        except nx.NetworkXNoPath:
            pass
    return {"from": source, "to": target, "via": via, "resolved": {"from": starts, "to": ends}, "paths": paths}


def _around(g: nx.MultiDiGraph, name: str, starts: list[str]) -> dict[str, Any]:
    """What a concept affects and is affected by, with the themes, questions and years of the evidence."""
    out_edges: list[dict[str, Any]] = []
    in_edges: list[dict[str, Any]] = []
    themes: set[str] = set()
    questions: set[str] = set()
    years: set[str] = set()
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
