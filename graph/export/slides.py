"""PPTX for a board paper: the drawing as native shapes and glued connectors, then the evidence.

Slide 1 is ``layout.scene`` drawn with editable shapes: rounded rectangles for
nodes, connectors glued to their right and left sides (a relation that skips
columns goes through an invisible waypoint, so no connector crosses a box in
any renderer), the legend, an "Also mentioned" line and the sources. Then
one evidence slide per six relations at most (each quote with its report, year
and paragraph); relations without a quote of their own (``about_theme``,
``mentions``) are left out. Speaker notes carry the question and full citations.
Sizes are measured in scene pixels (1600 across 13.333 in: 1 px = 0.6 pt).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from graph.export import layout
from graph.export.shape import _reports_by_id, citation
from graph.export.style import FONT_NAME, INK, MUTED, OUTLINE, clean_text, wrap

EMU_PER_PX = 12192000 // layout.WIDTH  # 7620 EMU per scene pixel
PT_PER_PX = 0.6
NO_QUOTE_TYPES = {"about_theme", "mentions"}  # tags, not findings: their sentence is not about the link
PER_SLIDE = 6
HEAD_PX, QUOTE_PX, CITE_PX = 24, 22, 19
SITE_LEFT, SITE_RIGHT = 1, 3  # connection sites of a rectangle: 0 top, 1 left, 2 bottom, 3 right


def _emu(v: float) -> int:
    return int(round(v * EMU_PER_PX))


def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


def _style_runs(tf: Any, size_px: float, colour: str, bold: bool = False) -> None:
    from pptx.util import Pt

    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size, r.font.bold, r.font.name = Pt(size_px * PT_PER_PX), bold, FONT_NAME
            r.font.color.rgb = _rgb(colour)


def _frame(tf: Any, inset_x: float = 0, inset_y: float = 0, middle: bool = False) -> None:
    """Fixed text frames: the layout measured the text, so nothing is resized or re-fitted."""
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE

    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = _emu(inset_x)
    tf.margin_top = tf.margin_bottom = _emu(inset_y)
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE if middle else MSO_ANCHOR.TOP


def _textbox(slide: Any, rect: tuple[float, float, float, float], text: str, size_px: float,
             colour: str = INK, bold: bool = False, name: str = "") -> Any:
    x, y, w, h = rect
    tb = slide.shapes.add_textbox(_emu(x), _emu(y), _emu(w), _emu(h))
    tb.name = name or tb.name
    _frame(tb.text_frame)
    tb.text_frame.text = text
    _style_runs(tb.text_frame, size_px, colour, bold)
    return tb


def _node(slide: Any, b: layout.Box) -> Any:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    shp = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, _emu(b.left), _emu(b.top), _emu(b.w), _emu(b.h))
    shp.name = f"node:{b.id}"
    shp._element.nvSpPr.cNvPr.set("descr", b.label)  # the whole label, as alt text
    shp.fill.solid()
    shp.fill.fore_color.rgb = _rgb(b.fill)
    shp.line.color.rgb = _rgb(OUTLINE)
    shp.line.width = Pt(1)
    _frame(shp.text_frame, inset_x=layout.PAD - 2, inset_y=2, middle=True)
    shp.text_frame.text = " ".join(b.lines)
    shp.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER
    _style_runs(shp.text_frame, b.size, b.text)
    return shp


def _line_ends(connector: Any, start: bool, end: bool) -> None:
    """Arrowheads (python-pptx has no API for them): a:headEnd then a:tailEnd, before any a:extLst."""
    from pptx.oxml.ns import qn

    ln = connector.line._get_or_add_ln()
    for tag, on in (("a:headEnd", start), ("a:tailEnd", end)):
        for old in ln.findall(qn(tag)):
            ln.remove(old)
        if on:
            el = ln.makeelement(qn(tag), {"type": "triangle", "w": "med", "len": "med"})
            ext = ln.find(qn("a:extLst"))
            ext.addprevious(el) if ext is not None else ln.append(el)


def _stroke_line(conn: Any, style: Any) -> None:
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Pt

    conn.line.color.rgb = _rgb(style.colour)
    conn.line.width = Pt(max(0.75, style.width * 0.75))
    conn.line.dash_style = getattr(MSO_LINE_DASH_STYLE, style.pptx_dash)


def _connect(slide: Any, begin: Any, end: Any, curved: bool, s: layout.Stroke, arrows: tuple[bool, bool],
             name: str) -> Any:
    """A connector glued to the right side of ``begin`` and the left side of ``end`` (a curve bends mid-way)."""
    from pptx.enum.shapes import MSO_CONNECTOR

    conn = slide.shapes.add_connector(MSO_CONNECTOR.CURVE if curved else MSO_CONNECTOR.STRAIGHT, 0, 0, 0, 0)
    conn.name = name
    conn.begin_connect(begin, SITE_RIGHT)
    conn.end_connect(end, SITE_LEFT)
    _stroke_line(conn, s.style)
    _line_ends(conn, *arrows)
    return conn


def _waypoints(slide: Any, strokes: list[layout.Stroke], shapes: dict[str, Any]) -> dict[tuple[int, int], Any]:
    """Where a relation that skips columns turns: a tiny invisible shape both of its connectors are glued to,
    and one connector along the row from the source to it (shared by the relations leaving that way)."""
    from pptx.enum.shapes import MSO_SHAPE

    out: dict[tuple[int, int], Any] = {}
    for s in (s for s in strokes if len(s.points) == 5):
        x, y = s.points[1]
        key = (round(x), round(y))
        if key not in out:
            wp = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, _emu(x - 1), _emu(y - 1), _emu(2), _emu(2))
            wp.name = f"waypoint:{len(out)}"
            wp.fill.background()
            wp.line.fill.background()
            out[key] = wp
            back = any(t.arrow_start for t in strokes if len(t.points) == 5 and t.source == s.source
                       and (round(t.points[1][0]), round(t.points[1][1])) == key)
            _connect(slide, shapes[s.source], wp, False, s, (back, False), f"edge:{s.id}#lead")
    return out


def _connectors(slide: Any, strokes: list[layout.Stroke], shapes: dict[str, Any]) -> None:
    waypoints = _waypoints(slide, strokes, shapes)
    for s in strokes:
        if len(s.points) == 5:
            wp = waypoints[(round(s.points[1][0]), round(s.points[1][1]))]
            _connect(slide, wp, shapes[s.target], True, s, (False, s.arrow_end), f"edge:{s.id}")
        else:
            _connect(slide, shapes[s.source], shapes[s.target], len(s.points) == 4, s,
                     (s.arrow_start, s.arrow_end), f"edge:{s.id}")


def _legend(slide: Any, sc: layout.Scene) -> None:
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE

    for i, item in enumerate(sc.legend):
        cy, lx = sc.legend_y + (i + 0.5) * sc.legend_row, sc.legend_x
        rect = (lx + (0 if item.kind == "heading" else 36), cy - 11, layout.LEGEND_W - 52, 22)
        _textbox(slide, rect, item.label, 15 if item.kind == "heading" else 14, bold=item.kind == "heading",
                 name=f"legend:{i}")
        if item.kind == "node":
            key = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, _emu(lx), _emu(cy - 8), _emu(26), _emu(16))
            key.fill.solid()
            key.fill.fore_color.rgb = _rgb(item.fill)
            key.line.color.rgb = _rgb(OUTLINE)
        elif item.style is not None:
            key = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, _emu(lx), _emu(cy), _emu(lx + 30), _emu(cy))
            _stroke_line(key, item.style)
            _line_ends(key, False, True)
        else:
            continue
        key.name = f"legend-key:{i}"


def _drawing(prs: Any, sg: dict[str, Any], sc: layout.Scene) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _textbox(slide, sc.title_box, " ".join(sc.title_lines), sc.title_size, bold=True, name="Title")
    shapes = {b.id: _node(slide, b) for b in sc.boxes}
    _connectors(slide, sc.strokes, shapes)
    _legend(slide, sc)
    fy, step = sc.footer_y, round(layout.FOOTER_SIZE * 1.5)
    if sc.mentioned:
        _textbox(slide, (layout.MARGIN, fy, sc.width - 2 * layout.MARGIN, step), sc.mentioned,
                 layout.MENTION_SIZE, name="Also mentioned")
        fy += step
    if sc.footer_lines:
        _textbox(slide, (layout.MARGIN, fy, sc.width - 2 * layout.MARGIN, step), sc.footer_lines[0],
                 sc.footer_size, colour=MUTED, name="Sources")
    if not sc.boxes:
        _textbox(slide, (400, 420, 600, 40), "No relations to draw", 22, colour=MUTED, name="Empty")
    _flat(slide)
    return slide


def _flat(slide: Any) -> None:
    """Drop the theme style python-pptx gives shapes: its shadow (LibreOffice draws it even under an empty
    effect list) blurs boxes and lines on a projector; fills and lines are all set explicitly."""
    from pptx.oxml.ns import qn

    for shape in slide.shapes:
        style = shape._element.find(qn("p:style"))
        if style is not None:
            shape._element.remove(style)


@dataclass
class Quoted:
    """One relation on an evidence slide: its heading, first quote and where the quote is from."""

    head: str
    quote: str
    source: str
    notes: list[str]


def _source(ev: dict[str, Any], reports: dict[str, dict[str, Any]]) -> str:
    """Report, year and paragraph as printed (the full citation goes to the notes)."""
    rep = reports.get(str(ev.get("report_id")), {})
    parts = [clean_text(rep.get("title") or ev.get("report_id") or "unknown report")]
    year = ev.get("year") or rep.get("year")
    if year:
        parts.append(str(year))
    if ev.get("paragraph") not in (None, ""):
        parts.append(f"paragraph {ev['paragraph']}")
    return ", ".join(parts)


def _words(text: Any) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", clean_text(text).lower()) if len(w) > 3}


def _names(quote: Any, *labels: str) -> tuple[int, int]:
    """(ends named, label words found): the slide shows the quote that names both ends best, since an
    edge's first passage may only name its cause."""
    said = _words(quote)
    hits = [len(_words(label) & said) for label in labels]
    return sum(h > 0 for h in hits), sum(hits)


def _quoted(sg: dict[str, Any], sc: layout.Scene) -> list[Quoted]:
    """The drawn relations that have a quote of their own, in the drawing's order."""
    reports = _reports_by_id(sg)
    labels = {n["id"]: clean_text(n["label"]) for n in sg["nodes"]}
    edges = {e["id"]: e for e in sg["edges"]}
    out = []
    for eid in (i for s in sc.strokes for i in s.ids):
        e = edges[eid]
        ev = [x for x in e["evidence"] if clean_text(x.get("quote"))]
        if e.get("type") in NO_QUOTE_TYPES or not ev:
            continue
        ev.sort(key=lambda x: _names(x.get("quote"), labels[e["source"]], labels[e["target"]]), reverse=True)
        rel = str(e.get("type") or "related").replace("_", " ")
        pol = f" ({e['polarity']})" if e.get("polarity") in ("negative", "positive") else ""
        head = f"{labels[e['source']]} → {rel}{pol} → {labels[e['target']]}"
        more = f" (+{len(ev) - 1} more in the notes)" if len(ev) > 1 else ""
        notes = [f"{head}:"] + [f"  “{clean_text(x.get('quote'))}” — {citation(x, reports)}" for x in ev]
        out.append(Quoted(head, clean_text(ev[0]["quote"]), _source(ev[0], reports) + more, notes))
    return out


def _height(q: Quoted, width: float) -> float:
    width *= layout.SLACK
    lines = [(len(wrap(q.head, HEAD_PX, width, 99, bold=True)), HEAD_PX),
             (len(wrap(f"“{q.quote}”", QUOTE_PX, width, 99)), QUOTE_PX), (1, CITE_PX)]
    return sum(n * layout.line_height(px) * 1.05 for n, px in lines) + 14


def _pages(quoted: list[Quoted], width: float, room: float) -> list[list[Quoted]]:
    """At most six relations a slide, and no more than its measured height holds."""
    pages: list[list[Quoted]] = []
    used = room
    for q in quoted:
        h = _height(q, width)
        if used + h > room or len(pages[-1]) >= PER_SLIDE:
            pages.append([])
            used = 0.0
        pages[-1].append(q)
        used += h
    return pages


def _evidence_slide(prs: Any, page: list[Quoted], title: str, sc: layout.Scene) -> Any:
    from pptx.util import Pt

    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = sc.width - 2 * layout.MARGIN
    _textbox(slide, (layout.MARGIN, layout.MARGIN, width, layout.line_height(32) + 8), title, 32, bold=True,
             name="Title")
    top = layout.MARGIN + layout.line_height(32) + 28
    tb = _textbox(slide, (layout.MARGIN, top, width, sc.height - top - layout.MARGIN), "", QUOTE_PX,
                  name="Evidence")
    tf = tb.text_frame
    for i, q in enumerate(page):
        for j, (text, px, style) in enumerate(((q.head, HEAD_PX, "bold"), (f"“{q.quote}”", QUOTE_PX, "italic"),
                                               (f"— {q.source}", CITE_PX, "muted"))):
            p = tf.paragraphs[0] if i == j == 0 else tf.add_paragraph()
            p.space_before = Pt(10 if j == 0 and i else 2)
            r = p.add_run()
            r.text = text
            r.font.size, r.font.name = Pt(px * PT_PER_PX), FONT_NAME
            r.font.bold, r.font.italic = style == "bold", style == "italic"
            r.font.color.rgb = _rgb(MUTED if style == "muted" else INK)
    _notes(slide, [line for q in page for line in q.notes])
    return slide


def _notes(slide: Any, lines: list[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(clean_text(x) if not x.startswith("  ") else x
                                                        for x in lines)


def to_pptx(sg: dict[str, Any]) -> bytes:
    """Slide 1: the drawing as native shapes and glued connectors; then the evidence, six relations a slide."""
    from pptx import Presentation
    from pptx.util import Emu

    sc = layout.scene(sg)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(_emu(sc.width)), Emu(_emu(sc.height))
    slide = _drawing(prs, sg, sc)
    quoted = _quoted(sg, sc)
    width = sc.width - 2 * layout.MARGIN
    room = (sc.height - 2 * layout.MARGIN - layout.line_height(32) - 28) * 0.92
    pages = _pages(quoted, width, room)
    intro = [f"Question: {clean_text(sg['title'])}" if sg["title"] else "Subgraph",
             f"The drawing shows {sc.shown_nodes} of {sc.total_nodes} nodes and {sc.shown_edges} of "
             f"{sc.total_edges} relations; relations without a quote of their own (about theme, mentions) "
             "have no evidence slide.", sc.mentioned, layout.source_line(sg["reports"]), ""]
    _notes(slide, [x for x in intro if x is not None] + [line for q in quoted for line in q.notes])
    for i, page in enumerate(pages):
        suffix = f" ({i + 1} of {len(pages)})" if len(pages) > 1 else ""
        _evidence_slide(prs, page, f"Evidence{suffix}", sc)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
