"""A slide-sized drawing of a subgraph, computed once and painted three ways (SVG, PNG, PPTX).

The drawing is decided here as a plain ``Scene`` so the three pictures agree:

- only nodes joined by a relation are drawn, the best-connected first and as
  many as stay legible; every other node is named on one "Also mentioned" line;
- columns run left to right, causes before effects (longest-path layers of the
  graph with its cycles broken), on a grid of rows;
- connectors leave a box's right side and enter the target's left side: straight
  along a row, or as an S-curve inside the gap before the target's column (a
  relation that skips columns first runs along its row, kept free in the
  columns it crosses); so no connector runs through a box, and two never merge
  into one line;
- the title is wrapped and its box sized to its lines; labels wrap between words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.export import grid
from graph.export.style import (NODE_TYPES, OTHER_NODE, OTHER_RELATION, RELATION_STYLES, EdgeStyle,  # noqa: F401
                                clean_text, edge_style, fit, node_style, shorten, text_width, wrap)

WIDTH, HEIGHT = 1600, 900  # 16:9, the size of the PNG and the SVG viewBox (1 px = 0.6 pt on the slide)
MARGIN = 36
LEGEND_W = 240
MAX_NODES = 24  # the most boxes that stay legible on one slide
GAP_Y = 22
PAD = 8
SLACK = 0.94  # text is wrapped to 94% of its box: renderers round font sizes and break a little earlier
TITLE_SIZES = (36, 32, 28)
MENTION_SIZE, FOOTER_SIZE = 16, 14
# (box width, label sizes tried largest first, most lines): tried in turn until the drawing fits
PRESETS: tuple[tuple[int, tuple[int, ...], int], ...] = (  # wider two-line boxes before smaller type
    (250, (22, 21, 20), 3), (300, (21, 20, 19), 2), (230, (20, 19, 18), 3), (280, (19, 18), 2),
    (210, (18, 17), 3), (190, (17, 16), 3), (170, (16, 15), 3))
PRIORITY = {t: i for i, t in enumerate(RELATION_STYLES)}  # the legend's order: causes first


@dataclass
class Box:
    id: str
    label: str  # the full label; ``lines`` is what is drawn
    type: str | None
    lines: list[str]
    size: int
    x: float  # centre
    y: float
    w: float
    h: float
    fill: str
    text: str

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2


@dataclass
class Stroke:
    """One connector between two boxes, drawn left to right; it stands for every relation between them."""

    id: str
    ids: list[str]
    source: str  # the left box
    target: str  # the right box
    type: str | None
    polarity: str | None
    style: EdgeStyle
    points: list[tuple[float, float]]  # 2: straight; 4: a curve (start, two controls, end); 5: a run, then a curve
    arrow_start: bool  # some relation points from right to left
    arrow_end: bool


def curve_points(points: list[tuple[float, float]], steps: int = 24) -> list[tuple[float, float]]:
    """A stroke's path as a polyline: a bend is drawn as the cubic curve its four last points control
    (what a curved connector is on the slide); the curve stays inside the hull of those points."""
    if len(points) < 4:
        return list(points)
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[-4:]
    out = list(points[:-4])
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


@dataclass
class LegendItem:
    kind: str  # "node" | "edge" | "heading"
    label: str
    fill: str = ""
    text: str = ""
    style: EdgeStyle | None = None


@dataclass
class Scene:
    width: int
    height: int
    title_lines: list[str]
    title_size: int
    title_box: tuple[float, float, float, float]  # x, y, w, h
    mentioned: str = ""  # the "Also mentioned" line
    footer_lines: list[str] = field(default_factory=list)
    footer_size: int = FOOTER_SIZE
    footer_y: float = 0  # top of the footer block
    boxes: list[Box] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    legend_x: float = 0
    legend_y: float = 0
    legend_row: int = 24
    shown_nodes: int = 0
    total_nodes: int = 0
    shown_edges: int = 0
    total_edges: int = 0

    @property
    def truncated(self) -> bool:
        return self.shown_nodes < self.total_nodes or self.shown_edges < self.total_edges

    @property
    def font_size(self) -> int:
        return max((b.size for b in self.boxes), default=PRESETS[0][1][0])


def source_line(reports: list[dict[str, Any]]) -> str:
    parts = []
    for r in reports:
        title = clean_text(r.get("title") or r.get("report_id") or "")
        extra = ", ".join(clean_text(v) for v in (r.get("year"), r.get("force")) if v)
        parts.append(f"{title} ({extra})" if extra and title else title or extra)
    return "Sources: " + "; ".join(p for p in parts if p) if any(parts) else ""


def _order(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> list[str]:
    """Nodes joined by a relation, best-connected first (ties in input order)."""
    degree: dict[str, int] = {}
    for e in edges:
        if e["source"] != e["target"]:
            for end in (e["source"], e["target"]):
                degree[end] = degree.get(end, 0) + 1
    index = {n["id"]: i for i, n in enumerate(nodes)}
    return sorted((i for i in degree if i in index), key=lambda i: (-degree[i], index[i]))


def _joined(kept: list[str], edges: list[dict[str, Any]]) -> nx.DiGraph:
    """The graph of the kept nodes (in order) without the ones left with no relation among them."""
    g = nx.DiGraph()
    g.add_nodes_from(kept)
    g.add_edges_from((e["source"], e["target"]) for e in edges
                     if e["source"] != e["target"] and e["source"] in g and e["target"] in g)
    g.remove_nodes_from([n for n in kept if g.degree(n) == 0])
    return g


def _boxes(ids: list[str], by_id: dict[str, dict[str, Any]], preset: tuple[int, tuple[int, ...], int]) -> list[Box]:
    width, sizes, max_lines = preset
    boxes = []
    for i in ids:
        n = by_id[i]
        _, fill, text = node_style(n.get("type"))
        label = clean_text(n.get("label")) or i
        size, lines = fit(label, sizes, (width - 2 * PAD) * SLACK, max_lines)
        boxes.append(Box(i, label, n.get("type"), list(lines), size, 0, 0, width, 0, fill, text))
    h = max((len(b.lines) * round(b.size * 1.22) for b in boxes), default=0) + 2 * PAD
    for b in boxes:
        b.h = h
    return boxes


def _arrange(g: nx.DiGraph, by_id: dict[str, dict[str, Any]], area: tuple[float, float, float, float]
             ) -> tuple[list[Box], dict[tuple[str, str], list[tuple[float, float]]]] | None:
    """Boxes and connector paths for the first preset at which the whole graph fits the area."""
    for preset in PRESETS:
        boxes = _boxes(list(g.nodes), by_id, preset)
        placed = grid.place(g, {b.id: b for b in boxes}, area, GAP_Y)
        if placed is not None:
            return boxes, placed
    return None


def _strokes(edges: list[dict[str, Any]], paths: dict[tuple[str, str], list[tuple[float, float]]]) -> list[Stroke]:
    """One stroke per drawn pair of boxes, styled by its strongest relation (the legend's order)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in edges:
        key = (e["source"], e["target"]) if (e["source"], e["target"]) in paths else (e["target"], e["source"])
        if key in paths:
            groups.setdefault(key, []).append(e)
    out = []
    for (a, b), group in groups.items():
        rep = min(group, key=lambda e: (PRIORITY.get(e.get("type") or "", len(PRIORITY)),
                                        e.get("polarity") != "negative"))
        out.append(Stroke(rep["id"], [e["id"] for e in group], a, b, rep.get("type"), rep.get("polarity"),
                          edge_style(rep.get("type"), rep.get("polarity")), paths[(a, b)],
                          arrow_start=any(e["source"] == b for e in group),
                          arrow_end=any(e["source"] == a for e in group)))
    # painted weakest first, so where connectors share a run the strongest relation shows on top
    return sorted(out, key=lambda s: (-PRIORITY.get(s.type or "", len(PRIORITY)), s.polarity == "negative"))


def _legend(boxes: list[Box], strokes: list[Stroke]) -> list[LegendItem]:
    items: list[LegendItem] = []
    present = {b.type for b in boxes}
    if present:
        items.append(LegendItem("heading", "Nodes"))
    for t in (t for t in NODE_TYPES if t in present):
        name, fill, text = node_style(t)
        items.append(LegendItem("node", name, fill, text))
    if any(t not in NODE_TYPES for t in present):
        items.append(LegendItem("node", OTHER_NODE[0], OTHER_NODE[1], "#000000"))
    rel_present = {s.type for s in strokes}
    if strokes:
        items.append(LegendItem("heading", "Relations"))
    for t, (name, style) in RELATION_STYLES.items():
        if t in rel_present:
            items.append(LegendItem("edge", name, style=style))
    for t in sorted(str(t) for t in rel_present if t not in RELATION_STYLES):
        items.append(LegendItem("edge", clean_text(t).replace("_", " ") or "relation", style=OTHER_RELATION))
    pols = {s.polarity for s in strokes}
    if pols & {"negative", "positive"}:
        items.append(LegendItem("heading", "Polarity"))
    for pol in ("negative", "positive"):
        if pol in pols:
            items.append(LegendItem("edge", pol, style=edge_style("affects", pol)))
    return items


def mentioned_line(labels: list[str], max_width: float) -> str:
    """ "Also mentioned: a, b, c and 12 more", each name whole or cut after a word, the list cut between names."""
    names = [shorten(x, MENTION_SIZE, 320) for x in labels]
    for k in range(len(names), 0, -1):
        line = "Also mentioned: " + ", ".join(names[:k]) + (f" and {len(names) - k} more" if k < len(names) else "")
        if text_width(line, MENTION_SIZE) <= max_width:
            return line
    return f"Also mentioned: {len(names)} more nodes" if names else ""


def _frame(subgraph: dict[str, Any], width: int, height: int) -> Scene:
    """Title (its box sized to its wrapped lines) and footer; the graph goes between them."""
    title = clean_text(subgraph.get("title")) or "Subgraph"
    size, fitted = fit(title, TITLE_SIZES, (width - 2 * MARGIN) * SLACK, 2, bold=True)
    lines = list(fitted)
    title_h = len(lines) * line_height(size) + 8
    footer = source_line(subgraph.get("reports") or [])
    footer_lines = [shorten(footer, FOOTER_SIZE, (width - 2 * MARGIN) * SLACK)] if footer else []
    return Scene(width, height, lines, size, (MARGIN, MARGIN, width - 2 * MARGIN, title_h),
                 footer_lines=footer_lines)


def scene(subgraph: dict[str, Any], width: int = WIDTH, height: int = HEIGHT,
          max_nodes: int = MAX_NODES) -> Scene:
    """Lay out a normalised subgraph (every edge end is a node, every edge has an id)."""
    nodes: list[dict[str, Any]] = subgraph.get("nodes") or []
    edges: list[dict[str, Any]] = subgraph.get("edges") or []
    by_id = {n["id"]: n for n in nodes}
    sc = _frame(subgraph, width, height)
    rows = 1 + len(sc.footer_lines)  # the "Also mentioned" line and the sources
    sc.footer_y = height - MARGIN + 8 - rows * round(FOOTER_SIZE * 1.5)
    x, y, w, h = sc.title_box
    area = (MARGIN, y + h + 24, width - MARGIN - LEGEND_W - 24, sc.footer_y - 16)
    order = _order(nodes, edges)
    boxes: list[Box] = []
    paths: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for k in range(min(len(order), max_nodes), 1, -1):
        arranged = _arrange(_joined(order[:k], edges), by_id, area)
        if arranged is not None:
            boxes, paths = arranged
            break
    shown = {b.id for b in boxes}
    sc.boxes = boxes
    sc.strokes = _strokes(edges, paths)
    others = [clean_text(n.get("label")) or n["id"] for n in nodes if n["id"] not in shown]
    sc.mentioned = mentioned_line(others, (width - 2 * MARGIN) * SLACK)
    sc.shown_nodes, sc.total_nodes = len(boxes), len(nodes)
    sc.shown_edges = sum(len(s.ids) for s in sc.strokes)
    sc.total_edges = len(edges)
    sc.legend = _legend(sc.boxes, sc.strokes)
    sc.legend_x, sc.legend_y = width - MARGIN - LEGEND_W + 16, area[1]
    sc.legend_row = max(18, min(26, int((area[3] - area[1]) // max(1, len(sc.legend)))))
    return sc


__all__ = ["Box", "Stroke", "LegendItem", "Scene", "scene", "source_line", "wrap", "WIDTH", "HEIGHT", "MARGIN",
           "LEGEND_W", "MAX_NODES", "NODE_TYPES", "RELATION_STYLES", "node_style", "edge_style", "clean_text"]


@dataclass(frozen=True)
class Text:
    """One line of text to paint: baseline position, anchor "start" or "middle"."""

    x: float
    y: float
    text: str
    size: int
    colour: str
    bold: bool = False
    anchor: str = "start"


def line_height(size: int) -> int:
    return round(size * 1.22)


def _lines(x: float, top: float, lines: list[str], size: int, colour: str, bold: bool = False,
           anchor: str = "start") -> list[Text]:
    lh = line_height(size)
    return [Text(x, top + i * lh + (lh - size) / 2 + size * 0.9, line, size, colour, bold, anchor)
            for i, line in enumerate(lines)]


def texts(sc: Scene) -> list[Text]:
    """Every line of text of the picture (title, labels, legend, footer), for SVG and PNG alike."""
    from graph.export.style import INK, MUTED

    x, y, _, _ = sc.title_box
    out = _lines(x, y + 4, sc.title_lines, sc.title_size, INK, bold=True)
    for b in sc.boxes:
        out += _lines(b.x, b.y - len(b.lines) * line_height(b.size) / 2, b.lines, b.size, b.text, anchor="middle")
    for i, item in enumerate(sc.legend):
        cy = sc.legend_y + (i + 0.5) * sc.legend_row
        if item.kind == "heading":
            out.append(Text(sc.legend_x, cy + 5, item.label, 15, INK, bold=True))
        else:
            out.append(Text(sc.legend_x + 36, cy + 5, item.label, 14, INK))
    fy = sc.footer_y
    for line in ([sc.mentioned] if sc.mentioned else []) + sc.footer_lines:
        size = MENTION_SIZE if line is sc.mentioned else sc.footer_size
        out += _lines(MARGIN, fy, [line], size, INK if line is sc.mentioned else MUTED)
        fy += round(FOOTER_SIZE * 1.5)
    if not sc.boxes:
        out.append(Text((sc.width - LEGEND_W) / 2, sc.height / 2, "No relations to draw", 20, MUTED, anchor="middle"))
    return out
