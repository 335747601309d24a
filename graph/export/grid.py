"""Layered grid placement and routing: causes left, effects right, no connector through a box.

Columns are longest-path layers of the graph with its cycles broken (a relation
that closes a cycle is drawn from left to right with its arrowhead at the
start). Within a column a node takes the free row nearest the mean row of its
predecessors. A relation that skips columns keeps its source's row, and that
row is kept empty in every column it crosses; it bends only in the gap just
before its target's column.
"""
from __future__ import annotations

import math
from typing import Any, Protocol

import networkx as nx

GAP_X_MIN = 90  # room for a few vertical tracks between two columns
MAX_STEP_EXTRA = 230  # columns are not stretched further apart than this


class Placeable(Protocol):
    id: str
    x: float
    y: float
    w: float
    h: float


def acyclic(g: nx.DiGraph) -> nx.DiGraph:
    """Drop the edges that close a cycle (depth-first, in input order)."""
    dag = nx.DiGraph()
    dag.add_nodes_from(g.nodes)
    state: dict[Any, int] = {}  # 1 on the stack, 2 done
    for root in g.nodes:
        if root in state:
            continue
        stack = [(root, iter(list(g.successors(root))))]
        state[root] = 1
        while stack:
            n, it = stack[-1]
            m = next(it, None)
            if m is None:
                state[n] = 2
                stack.pop()
            elif state.get(m) == 1:
                dag.add_edge(m, n)  # a back edge, turned round: still acyclic (m already reaches n)
            else:
                dag.add_edge(n, m)
                if m not in state:
                    state[m] = 1
                    stack.append((m, iter(list(g.successors(m)))))
    return dag


def layers(dag: nx.DiGraph) -> dict[Any, int]:
    layer: dict[Any, int] = {}
    for n in nx.topological_sort(dag):
        layer[n] = max((layer[p] + 1 for p in dag.predecessors(n)), default=0)
    return layer


def rows(dag: nx.DiGraph, layer: dict[Any, int], capacity: int) -> dict[Any, int] | None:
    """A row per node, with the rows that long relations run along kept free; None if a column overflows."""
    count = max(layer.values(), default=-1) + 1
    taken: list[set[int]] = [set() for _ in range(count)]
    row: dict[Any, int] = {}
    for li in range(count):
        members = [n for n in dag.nodes if layer[n] == li]
        if len(members) + len(taken[li]) > capacity:
            return None
        wanted = {n: _mean([row[p] for p in dag.predecessors(n)]) for n in members}
        start = (capacity - len(members)) / 2
        members.sort(key=lambda n: _or(wanted[n], math.inf))
        for i, n in enumerate(members):
            want = _or(wanted[n], start + i)
            free = [r for r in range(capacity) if r not in taken[li]]
            row[n] = min(free, key=lambda r: (abs(r - want), r))
            taken[li].add(row[n])
        for n in members:
            for m in dag.successors(n):
                for lj in range(li + 1, layer[m]):
                    taken[lj].add(row[n])
    return row


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _or(value: float | None, default: float) -> float:
    """``value``, or ``default`` where there is none (a node with no placed predecessor)."""
    return default if value is None else value


def place(g: nx.DiGraph, boxes: dict[Any, Placeable], area: tuple[float, float, float, float],
          gap_y: float) -> dict[tuple[Any, Any], list[tuple[float, float]]] | None:
    """Centre every box on its grid cell and route every relation; None when the grid does not fit."""
    x0, y0, x1, y1 = area
    bw = max(b.w for b in boxes.values())
    bh = max(b.h for b in boxes.values())
    dag = acyclic(g)
    layer = layers(dag)
    count = max(layer.values()) + 1
    if count * bw + (count - 1) * GAP_X_MIN > x1 - x0:
        return None
    capacity = max(1, int((y1 - y0 + gap_y) // (bh + gap_y)))
    row = rows(dag, layer, capacity)
    if row is None:
        return None
    step = min((x1 - x0 - bw) / (count - 1), bw + MAX_STEP_EXTRA) if count > 1 else 0
    left = (x0 + x1) / 2 - step * (count - 1) / 2
    used = sorted(set(row.values()))
    pitch = bh + gap_y
    top = (y0 + y1) / 2 - (used[-1] - used[0]) * pitch / 2
    for n, b in boxes.items():
        b.x = left + layer[n] * step
        b.y = top + (row[n] - used[0]) * pitch
    return _routes(dag, layer, boxes, step - bw)


def _routes(dag: nx.DiGraph, layer: dict[Any, int], boxes: dict[Any, Placeable],
            gap: float) -> dict[tuple[Any, Any], list[tuple[float, float]]]:
    """Paths from the right side of a box to the left side of another: straight along a row, or an
    S-curve inside one gap (four points: its ends and its two control points, mid-gap, where every
    renderer puts a curved connector's bend). A relation that skips columns runs along its source's
    row to a waypoint at the right edge of the column before its target, then curves: five points,
    the second one the waypoint.
    """
    paths: dict[tuple[Any, Any], list[tuple[float, float]]] = {}
    for a, b in dag.edges:
        pa, pb = boxes[a], boxes[b]
        start, end = (pa.x + pa.w / 2, pa.y), (pb.x - pb.w / 2, pb.y)
        mid = end[0] - gap / 2
        if pa.y == pb.y:
            paths[(a, b)] = [start, end]
        elif layer[b] - layer[a] == 1:
            paths[(a, b)] = [start, (mid, pa.y), (mid, pb.y), end]
        else:
            paths[(a, b)] = [start, (end[0] - gap, pa.y), (mid, pa.y), (mid, pb.y), end]
    return paths
