"""PPTX: the scene as native shapes and glued connectors, then the evidence slides."""
from __future__ import annotations

import io
from typing import Any

from graph.export import layout
from graph.export.shape import _reports_by_id, citation


EMU_PER_PX = 12192000 // layout.WIDTH  # 13.333 in wide slide, 1600 px scene: 7620 EMU per px
PT_PER_PX = 0.6  # 1600 px across 13.333 in (960 pt): a 16 px label is about 10 pt


def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


def _textbox(slide: Any, x: float, y: float, w: float, h: float, text: str, size: float,
             colour: str = "#1a1a1a", bold: bool = False, name: str | None = None) -> Any:
    from pptx.util import Emu, Pt

    tb = slide.shapes.add_textbox(Emu(int(x * EMU_PER_PX)), Emu(int(y * EMU_PER_PX)),
                                  Emu(int(w * EMU_PER_PX)), Emu(int(h * EMU_PER_PX)))
    if name:
        tb.name = name
    tf = tb.text_frame
    tf.word_wrap = True
    tf.text = text
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
            r.font.color.rgb = _rgb(colour)
    return tb


def _cxn_points(a: layout.Box, b: layout.Box) -> tuple[int, int]:
    """Connection sites of a rectangle: 0 top, 1 left, 2 bottom, 3 right."""
    dx, dy = b.x - a.x, b.y - a.y
    if abs(dx) / ((a.w + b.w) / 2) >= abs(dy) / ((a.h + b.h) / 2):
        return (3, 1) if dx >= 0 else (1, 3)
    return (2, 0) if dy >= 0 else (0, 2)


def _arrowhead(connector: Any) -> None:
    """python-pptx has no arrowhead API; a:tailEnd goes last in a:ln."""
    from pptx.oxml.ns import qn

    ln = connector.line._get_or_add_ln()
    for old in ln.findall(qn("a:tailEnd")):
        ln.remove(old)
    tail = ln.makeelement(qn("a:tailEnd"), {"type": "triangle", "w": "med", "len": "med"})
    ext = ln.find(qn("a:extLst"))
    if ext is not None:
        ext.addprevious(tail)
    else:
        ln.append(tail)


def _evidence_pages(sg: dict[str, Any], budget: int = 1400) -> list[list[tuple[str, list[tuple[str, str]]]]]:
    """Relations with their (quote, citation) pairs, split into slide-sized pages."""
    reports = _reports_by_id(sg)
    labels = {n["id"]: layout.clean_text(n["label"]) for n in sg["nodes"]}
    pages: list[list[tuple[str, list[tuple[str, str]]]]] = [[]]
    used = 0
    for e in sg["edges"]:
        if not e["evidence"]:
            continue
        head = (f"{labels.get(e['source'], e['source'])} → {str(e.get('type') or 'related').replace('_', ' ')} → "
                f"{labels.get(e['target'], e['target'])}" + (f" ({e['polarity']})" if e.get("polarity") else ""))
        quotes = [(layout.clean_text(ev.get("quote") or ""), citation(ev, reports)) for ev in e["evidence"]]
        for q in quotes:
            cost = len(q[0]) + len(q[1]) + 80
            if used and used + cost > budget:
                pages.append([])
                used = 0
            if not pages[-1] or pages[-1][-1][0] != head:
                pages[-1].append((head, []))
                used += len(head) + 40
            pages[-1][-1][1].append(q)
            used += cost
    return pages if pages[0] else []


def to_pptx(sg: dict[str, Any]) -> bytes:
    """Slide 1: the diagram as native shapes and glued connectors; then the evidence quotes."""
    from pptx import Presentation
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Emu, Pt

    sc = layout.scene(sg)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(sc.width * EMU_PER_PX), Emu(sc.height * EMU_PER_PX)
    blank = prs.slide_layouts[6]
    slide = prs.slides.add_slide(blank)

    def emu(v: float) -> Any:
        return Emu(int(round(v * EMU_PER_PX)))

    title_h = len(sc.title_lines) * (sc.title_size + 8) + 8
    _textbox(slide, layout.MARGIN, layout.MARGIN - 8, sc.width - 2 * layout.MARGIN, title_h,
             sg["title"] or "Subgraph", 24, bold=True, name="Title")
    node_pt = max(9.0, sc.font_size * PT_PER_PX + 0.5)
    shapes: dict[str, Any] = {}
    for b in sc.boxes:
        shp = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, emu(b.left), emu(b.top), emu(b.w), emu(b.h))
        shp.name = f"node:{b.id}"
        shp.fill.solid()
        shp.fill.fore_color.rgb = _rgb(b.fill)
        shp.line.color.rgb = _rgb("#333333")
        shp.line.width = Pt(1)
        tf = shp.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # the picture truncates; the slide keeps the whole label
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(tf, side, emu(4))
        tf.text = layout._CONTROL.sub(" ", b.label)
        for p in tf.paragraphs:
            p.alignment = PP_ALIGN.CENTER
            for r in p.runs:
                r.font.size = Pt(node_pt)
                r.font.color.rgb = _rgb(b.text)
        shapes[b.id] = (shp, b)
    for s in sc.strokes:
        (sa, a), (sb, b) = shapes[s.source], shapes[s.target]
        conn = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT if a is not b else MSO_CONNECTOR.ELBOW,
                                          0, 0, 0, 0)
        conn.name = f"edge:{s.id}"
        ia, ib = _cxn_points(a, b) if a is not b else (0, 3)
        conn.begin_connect(sa, ia)
        conn.end_connect(sb, ib)
        conn.line.color.rgb = _rgb(s.style.colour)
        conn.line.width = Pt(max(0.75, s.style.width * 0.75))
        conn.line.dash_style = getattr(MSO_LINE_DASH_STYLE, s.style.pptx_dash)
        _arrowhead(conn)
    ly = sc.legend_y
    for i, item in enumerate(sc.legend):
        cy = ly + sc.legend_row / 2
        if item.kind == "heading":
            _textbox(slide, sc.legend_x - 8, cy - 12, 240, 24, item.label, 11, bold=True, name=f"legend:{i}")
        elif item.kind == "node":
            r = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, emu(sc.legend_x), emu(cy - 8), emu(26), emu(16))
            r.name = f"legend-key:{i}"
            r.fill.solid()
            r.fill.fore_color.rgb = _rgb(item.fill)
            r.line.color.rgb = _rgb("#333333")
            _textbox(slide, sc.legend_x + 30, cy - 12, 220, 24, item.label, 10, name=f"legend:{i}")
        elif item.style is not None:
            ln = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, emu(sc.legend_x), emu(cy),
                                            emu(sc.legend_x + 28), emu(cy))
            ln.name = f"legend-key:{i}"
            ln.line.color.rgb = _rgb(item.style.colour)
            ln.line.width = Pt(max(0.75, item.style.width * 0.75))
            ln.line.dash_style = getattr(MSO_LINE_DASH_STYLE, item.style.pptx_dash)
            _arrowhead(ln)
            _textbox(slide, sc.legend_x + 30, cy - 12, 220, 24, item.label, 10, name=f"legend:{i}")
        ly += sc.legend_row
    if sc.footer_lines:
        fh = len(sc.footer_lines) * (sc.footer_size + 8) + 6
        _textbox(slide, layout.MARGIN, sc.height - layout.MARGIN - fh + 8, sc.width - 2 * layout.MARGIN, fh,
                 "\n".join(sc.footer_lines), 9, colour="#444444", name="Sources")
    if not sc.boxes:
        _textbox(slide, 400, 400, 600, 60, "No nodes to show", 18, colour="#666666", name="Empty")

    pages = _evidence_pages(sg)
    for pi, page in enumerate(pages or [[]]):
        s2 = prs.slides.add_slide(blank)
        suffix = f" ({pi + 1}/{len(pages)})" if len(pages) > 1 else ""
        _textbox(s2, layout.MARGIN, layout.MARGIN - 8, sc.width - 2 * layout.MARGIN, 50,
                 f"Evidence{suffix}", 24, bold=True, name="Title")
        tb = _textbox(s2, layout.MARGIN, 90, sc.width - 2 * layout.MARGIN, sc.height - 120,
                      "" if page else "No evidence quotes in this subgraph.", 14, name="Evidence")
        tf = tb.text_frame
        first = True
        for head, quotes in page:
            p = tf.paragraphs[0] if first else tf.add_paragraph()
            first = False
            p.space_before = Pt(8)
            r = p.add_run()
            r.text = head
            r.font.bold, r.font.size = True, Pt(14)
            for q, cite in quotes:
                p = tf.add_paragraph()
                r = p.add_run()
                r.text = f"“{q}”"
                r.font.italic, r.font.size = True, Pt(13)
                p = tf.add_paragraph()
                r = p.add_run()
                r.text = f"— {cite}"
                r.font.size = Pt(11)
                r.font.color.rgb = _rgb("#444444")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


