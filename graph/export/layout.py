"""A slide-sized picture of a subgraph, computed once and drawn three ways.

SVG, PNG and PPTX must show the same diagram, so the geometry (node boxes,
wrapped labels, edge polylines, legend, title and footer) is decided here as a
plain ``Scene`` and the exporters only paint it. The layout is deterministic:
a layered left-to-right layout when the graph fits (cause -> effect chains read
best that way), otherwise a seeded spring layout with overlaps pushed apart.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
from PIL import ImageFont

from ontology import legend

WIDTH, HEIGHT = 1600, 900  # 16:9, the size of the PNG and the SVG viewBox
MAX_NODES = 60  # more than this is unreadable on one slide
MARGIN = 30
LEGEND_W = 270
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

_LEGEND = legend()
NODE_TYPES: dict[str, tuple[str, str]] = {  # type -> (legend name, fill colour), from ontology/legend.json
    k: (v["label"], v["fill"]) for k, v in _LEGEND["node_types"].items()}
OTHER_NODE = (_LEGEND["other_node"]["label"], _LEGEND["other_node"]["fill"])


@dataclass(frozen=True)
class EdgeStyle:
    """How one relation is stroked; ``pptx_dash`` names the nearest PowerPoint dash."""

    colour: str
    width: float
    dash: tuple[int, ...] = ()
    pptx_dash: str = "SOLID"


def _edge_style(d: dict[str, Any]) -> EdgeStyle:
    return EdgeStyle(d["colour"], float(d.get("width", 2.0)), tuple(d.get("dash", ())), d.get("pptx_dash", "SOLID"))


RELATION_STYLES: dict[str, tuple[str, EdgeStyle]] = {  # type -> (legend name, neutral style)
    k: (v["label"], _edge_style(v)) for k, v in _LEGEND["relation_types"].items()}
OTHER_RELATION = _edge_style(_LEGEND["other_relation"])
NEGATIVE = _LEGEND["polarity"]["negative"]["colour"]
POSITIVE = _LEGEND["polarity"]["positive"]["colour"]
NEGATIVE_DASH = tuple(_LEGEND["polarity"]["negative"]["dash"])


def node_style(ntype: str | None) -> tuple[str, str, str]:
    """(legend name, fill, text colour) for a node type; unknown types get a white box."""
    name, fill = NODE_TYPES.get(ntype or "", OTHER_NODE)
    return name, fill, text_colour(fill)


def edge_style(etype: str | None, polarity: str | None) -> EdgeStyle:
    """Colour says polarity (negative red and dashed, positive green); width and dash say type."""
    base = RELATION_STYLES.get(etype or "", ("", OTHER_RELATION))[1]
    if polarity == "negative":
        return EdgeStyle(NEGATIVE, base.width, NEGATIVE_DASH, "DASH")
    if polarity == "positive":
        return EdgeStyle(POSITIVE, base.width, base.dash, base.pptx_dash)
    return base


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with the fill (WCAG luminance)."""
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: Any) -> str:
    """Drawable text: control characters out, any whitespace run to one space."""
    return " ".join(_CONTROL.sub(" ", "" if text is None else str(text)).split())


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when installed (the SVG names it first), else Pillow's own scalable font."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size=size)


def text_width(text: str, size: int, bold: bool = False) -> float:
    return float(font(size, bold).getlength(text))


def wrap(text: str, size: int, max_width: float, max_lines: int, bold: bool = False) -> list[str]:
    """Greedy word wrap by measured width; the last line ends in an ellipsis if cut."""
    words = clean_text(text).split(" ")
    lines: list[str] = []
    cur = ""
    for word in words:
        while text_width(word, size, bold) > max_width and len(word) > 1:  # split a very long word
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > max_width:
                cut -= 1
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{cur} {word}" if cur else word
        if cur and text_width(trial, size, bold) > max_width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur or not lines:
        lines.append(cur)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size, bold) > max_width:
            last = last[:-1].rstrip()
        lines = lines[:max_lines - 1] + [last + "…"]
    return lines


def ellipsize(text: str, size: int, max_width: float, bold: bool = False) -> str:
    text = clean_text(text)
    if text_width(text, size, bold) <= max_width:
        return text
    while text and text_width(text + "…", size, bold) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


@dataclass
class Box:
    id: str
    label: str  # the full label (PPTX keeps it whole); ``lines`` is what fits the picture
    type: str | None
    lines: list[str]
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


@dataclass
class Stroke:
    id: str
    source: str
    target: str
    type: str | None
    polarity: str | None
    style: EdgeStyle
    points: list[tuple[float, float]]  # polyline; the arrowhead sits on the last point


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
    font_size: int
    footer_lines: list[str]
    footer_size: int
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


def _keep(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], cap: int) -> set[str]:
    """The best-connected nodes when there are too many: they carry the story."""
    ids = [n["id"] for n in nodes]
    if len(ids) <= cap:
        return set(ids)
    degree = {i: 0 for i in ids}
    for e in edges:
        for end in (e["source"], e["target"]):
            if end in degree:
                degree[end] += 1
    order = sorted(range(len(ids)), key=lambda i: (-degree[ids[i]], i))
    return {ids[i] for i in order[:cap]}


def _acyclic(g: nx.DiGraph) -> nx.DiGraph:
    """Drop the edges that close a cycle (depth-first, in input order) so every
    relation can point rightwards except the few drawn backwards."""
    dag = nx.DiGraph()
    dag.add_nodes_from(g.nodes)
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(n: str) -> None:
        state[n] = 1
        for m in g.successors(n):
            if state.get(m) == 1:
                continue  # back edge
            dag.add_edge(n, m)
            if m not in state:
                visit(m)
        state[n] = 2

    for n in g.nodes:
        if n not in state:
            visit(n)
    return dag


def _layers(g: nx.DiGraph) -> list[list[str]]:
    """Left-to-right layers by longest path in the graph made acyclic, ordered
    within each layer by a few barycentre sweeps to cut crossings."""
    dag = _acyclic(g)
    layer_of: dict[str, int] = {}
    for n in nx.topological_sort(dag):
        layer_of[n] = max((layer_of[p] + 1 for p in dag.predecessors(n)), default=0)
    order = {n: i for i, n in enumerate(g.nodes)}
    layers: list[list[str]] = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
    for n in g.nodes:
        layers[layer_of[n]].append(n)
    und = g.to_undirected(as_view=True)
    for sweep in range(4):
        seq = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for li in seq:
            ref = layers[li - 1] if sweep % 2 == 0 else layers[li + 1]
            pos = {n: i for i, n in enumerate(ref)}

            def bary(n: str, pos: dict[str, int] = pos) -> tuple[float, int]:
                near = [pos[m] for m in und.neighbors(n) if m in pos]
                return (sum(near) / len(near) if near else math.inf, order[n])

            layers[li].sort(key=bary)
    return layers


def _layered(g: nx.DiGraph, boxes: dict[str, Box], area: tuple[float, float, float, float]) -> bool:
    """Place boxes in columns; False when the columns do not fit the area."""
    x0, y0, x1, y1 = area
    bw = max(b.w for b in boxes.values())
    bh = max(b.h for b in boxes.values())
    pitch_y = bh + 18
    per_col = max(1, int((y1 - y0) // pitch_y))
    columns: list[list[str]] = []
    for layer in _layers(g):
        for i in range(0, len(layer), per_col):
            columns.append(layer[i:i + per_col])
    gap = 50
    if len(columns) * bw + (len(columns) - 1) * gap > x1 - x0:
        return False
    step = (x1 - x0 - bw) / max(1, len(columns) - 1) if len(columns) > 1 else 0
    step = min(step, bw + 220)  # do not stretch a short chain across the whole slide
    left = (x0 + x1) / 2 - step * (len(columns) - 1) / 2
    for ci, col in enumerate(columns):
        span = min(y1 - y0 - bh, (len(col) - 1) * (bh + 60))
        sy = span / (len(col) - 1) if len(col) > 1 else 0
        top = (y0 + y1) / 2 - span / 2
        for ri, n in enumerate(col):
            boxes[n].x = left + ci * step
            boxes[n].y = top + ri * sy
    return True


def _spring(g: nx.DiGraph, boxes: dict[str, Box], area: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = area
    und = nx.Graph(g.to_undirected())
    pos = nx.spring_layout(und, seed=42, iterations=200, k=2.2 / math.sqrt(max(1, len(und))))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    bw = max(b.w for b in boxes.values()) / 2
    bh = max(b.h for b in boxes.values()) / 2
    sx = (x1 - x0 - 2 * bw) / ((max(xs) - min(xs)) or 1)
    sy = (y1 - y0 - 2 * bh) / ((max(ys) - min(ys)) or 1)
    for n, (px, py) in pos.items():
        boxes[n].x = x0 + bw + (px - min(xs)) * sx
        boxes[n].y = y0 + bh + (py - min(ys)) * sy
    _separate(list(boxes.values()), area)


def _separate(boxes: list[Box], area: tuple[float, float, float, float], pad: float = 14) -> None:
    """Push overlapping boxes apart along the axis of least overlap, inside the area."""
    x0, y0, x1, y1 = area
    for _ in range(120):
        moved = False
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                dx, dy = b.x - a.x, b.y - a.y
                ox = (a.w + b.w) / 2 + pad - abs(dx)
                oy = (a.h + b.h) / 2 + pad - abs(dy)
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                if ox / (a.w + b.w) < oy / (a.h + b.h):
                    s = (1 if dx >= 0 else -1) * ox / 2
                    a.x, b.x = a.x - s, b.x + s
                else:
                    s = (1 if dy >= 0 else -1) * oy / 2
                    a.y, b.y = a.y - s, b.y + s
        for b in boxes:
            b.x = min(max(b.x, x0 + b.w / 2), x1 - b.w / 2)
            b.y = min(max(b.y, y0 + b.h / 2), y1 - b.h / 2)
        if not moved:
            return


def _clip(box: Box, tx: float, ty: float, gap: float = 2) -> tuple[float, float]:
    """Where the ray from the box centre towards (tx, ty) leaves the box."""
    dx, dy = tx - box.x, ty - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    hw, hh = box.w / 2 + gap, box.h / 2 + gap
    t = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    return box.x + dx * t, box.y + dy * t


def _route(edges: list[dict[str, Any]], boxes: dict[str, Box]) -> list[Stroke]:
    """Straight arrows between box borders; parallel relations fan out, self-relations loop."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for e in edges:
        groups.setdefault(frozenset((e["source"], e["target"])), []).append(e)
    strokes = []
    for e in edges:
        a, b = boxes[e["source"]], boxes[e["target"]]
        style = edge_style(e.get("type"), e.get("polarity"))
        if a is b:
            x, y = a.x + a.w / 2 - 12, a.top - 2
            pts = [(x, y)] + [(x + 16 * math.sin(t / 8 * math.pi), y - 26 * math.sin(t / 16 * math.pi))
                              for t in range(1, 17)]
            pts[-1] = (a.x + a.w / 2 + 2, a.top + 10)
            strokes.append(Stroke(e["id"], e["source"], e["target"], e.get("type"), e.get("polarity"), style, pts))
            continue
        group = groups[frozenset((e["source"], e["target"]))]
        k = group.index(e) - (len(group) - 1) / 2
        dx, dy = b.x - a.x, b.y - a.y
        norm = math.hypot(dx, dy) or 1
        # the perpendicular of the canonical direction, so opposite edges do not cancel out
        sign = 1 if (e["source"], e["target"]) == tuple(sorted((e["source"], e["target"]))) else -1
        px, py = -dy / norm * sign, dx / norm * sign
        off = 12 * k
        ax, ay = a.x + px * off, a.y + py * off
        bx, by = b.x + px * off, b.y + py * off
        sx_, sy_ = _clip(Box("", "", None, [], ax, ay, a.w, a.h, "", ""), bx, by)
        ex, ey = _clip(Box("", "", None, [], bx, by, b.w, b.h, "", ""), ax, ay, gap=4)
        strokes.append(Stroke(e["id"], e["source"], e["target"], e.get("type"), e.get("polarity"), style,
                              [(sx_, sy_), (ex, ey)]))
    return strokes


def _legend(boxes: list[Box], strokes: list[Stroke]) -> list[LegendItem]:
    items: list[LegendItem] = []
    present = {b.type for b in boxes}
    node_types = [t for t in NODE_TYPES if t in present]
    if node_types or any(t not in NODE_TYPES for t in present):
        items.append(LegendItem("heading", "Nodes"))
    for t in node_types:
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
    others = sorted(str(t) for t in rel_present if t not in RELATION_STYLES)
    for t in others:
        items.append(LegendItem("edge", clean_text(t).replace("_", " ") or "relation", style=OTHER_RELATION))
    pols = {s.polarity for s in strokes}
    if pols & {"negative", "positive"}:
        items.append(LegendItem("heading", "Polarity"))
    if "negative" in pols:
        items.append(LegendItem("edge", "negative", style=EdgeStyle(NEGATIVE, 2.5, NEGATIVE_DASH, "DASH")))
    if "positive" in pols:
        items.append(LegendItem("edge", "positive", style=EdgeStyle(POSITIVE, 2.5)))
    return items


def source_line(reports: list[dict[str, Any]]) -> str:
    parts = []
    for r in reports:
        title = clean_text(r.get("title") or r.get("report_id") or "")
        extra = ", ".join(clean_text(v) for v in (r.get("year"), r.get("force")) if v)
        parts.append(f"{title} ({extra})" if extra and title else title or extra)
    return "Sources: " + "; ".join(p for p in parts if p) if any(parts) else ""


def scene(subgraph: dict[str, Any], width: int = WIDTH, height: int = HEIGHT,
          max_nodes: int = MAX_NODES) -> Scene:
    """Lay out a normalised subgraph (every edge end is a node, every edge has an id)."""
    nodes: list[dict[str, Any]] = subgraph.get("nodes") or []
    edges: list[dict[str, Any]] = subgraph.get("edges") or []
    keep = _keep(nodes, edges, max_nodes)
    shown = [n for n in nodes if n["id"] in keep]
    shown_edges = [e for e in edges if e["source"] in keep and e["target"] in keep]

    title_size, footer_size = 30, 14
    font_size = 18 if len(shown) <= 12 else 16 if len(shown) <= 25 else 14
    title_lines = wrap(subgraph.get("title") or "Subgraph", title_size, width - 2 * MARGIN, 2, bold=True)
    footer = source_line(subgraph.get("reports") or [])
    footer_lines = [ellipsize(footer, footer_size, width - 2 * MARGIN)] if footer else []
    if len(shown) < len(nodes) or len(shown_edges) < len(edges):
        footer_lines.append(f"Showing {len(shown)} of {len(nodes)} nodes and {len(shown_edges)} of "
                            f"{len(edges)} relations (the best-connected); export a data format for all.")
    sc = Scene(width, height, title_lines, title_size, font_size, footer_lines, footer_size,
               shown_nodes=len(shown), total_nodes=len(nodes),
               shown_edges=len(shown_edges), total_edges=len(edges))

    top = MARGIN + len(title_lines) * (title_size + 8) + 14
    bottom = height - MARGIN - len(footer_lines) * (footer_size + 8) - 6
    area = (MARGIN, top, width - MARGIN - LEGEND_W - 20, bottom)

    box_w = 230 if len(shown) <= 12 else 180 if len(shown) <= 30 else 140
    max_lines = 3 if len(shown) <= 30 else 2
    boxes: dict[str, Box] = {}
    for n in shown:
        _, fill, text = node_style(n.get("type"))
        label = "" if n.get("label") is None else str(n.get("label"))
        lines = wrap(label or n["id"], font_size, box_w - 16, max_lines)
        h = len(lines) * (font_size + 5) + 14
        boxes[n["id"]] = Box(n["id"], label, n.get("type"), lines, 0, 0, box_w, h, fill, text)

    if boxes:
        g = nx.DiGraph()
        g.add_nodes_from(boxes)
        g.add_edges_from((e["source"], e["target"]) for e in shown_edges if e["source"] != e["target"])
        if len(boxes) > 40 or not _layered(g, boxes, area):
            _spring(g, boxes, area)
    sc.boxes = list(boxes.values())
    sc.strokes = _route(shown_edges, boxes)
    sc.legend = _legend(sc.boxes, sc.strokes)
    sc.legend_x = width - MARGIN - LEGEND_W + 10
    sc.legend_y = top
    sc.legend_row = max(20, min(26, int((bottom - top) // max(1, len(sc.legend)))))
    return sc
