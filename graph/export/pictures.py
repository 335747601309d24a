"""SVG and PNG: the scene of ``layout`` painted as vector and raster pictures."""
from __future__ import annotations

import io
import math
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from graph.export import layout
from graph.export.style import FONT_FAMILY, OUTLINE, font
from graph.export.shape import _xml_safe


def _x(text: Any) -> str:
    return xml_escape(_xml_safe(str(text)))


def _xa(text: Any) -> str:
    """A quoted XML attribute value; newlines and tabs kept as character references."""
    return quoteattr(_xml_safe(str(text)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _arrow(p: tuple[float, float], q: tuple[float, float], size: float) -> list[tuple[float, float]]:
    """The triangle of an arrowhead pointing from p to q, tip on q."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    d = math.hypot(dx, dy) or 1
    ux, uy = dx / d, dy / d
    bx, by = q[0] - ux * size, q[1] - uy * size
    return [q, (bx - uy * size * 0.5, by + ux * size * 0.5), (bx + uy * size * 0.5, by - ux * size * 0.5)]


def _arrow_size(width: float) -> float:
    return 9 + 2.2 * width


def _heads(s: layout.Stroke) -> list[list[tuple[float, float]]]:
    """The arrowheads of a stroke: at the end, and at the start when a relation runs right to left."""
    size = _arrow_size(s.style.width)
    out = [_arrow(s.points[-2], s.points[-1], size)] if s.arrow_end else []
    return out + ([_arrow(s.points[1], s.points[0], size)] if s.arrow_start else [])


def _svg_text(t: layout.Text) -> str:
    weight = ' font-weight="bold"' if t.bold else ""
    anchor = ' text-anchor="middle"' if t.anchor == "middle" else ""
    return (f'<text x="{t.x:.1f}" y="{t.y:.1f}" font-size="{t.size}"{weight}{anchor} fill="{t.colour}">'
            f"{_x(t.text)}</text>")


def _svg_path(points: list[tuple[float, float]]) -> str:
    """M/L for straight runs, C for the closing curve (its four last points: ends and controls)."""
    xy = [f"{x:.1f},{y:.1f}" for x, y in points]
    if len(xy) < 4:
        return "M" + " L".join(xy)
    return "M" + " L".join(xy[:-3]) + " C" + " ".join(xy[-3:])


def _svg_dash(st: layout.EdgeStyle) -> str:
    return f' stroke-dasharray="{" ".join(map(str, st.dash))}"' if st.dash else ""


def _svg_legend(sc: layout.Scene) -> list[str]:
    out = ['<g class="legend">']
    for i, item in enumerate(sc.legend):
        cy, lx = sc.legend_y + (i + 0.5) * sc.legend_row, sc.legend_x
        if item.kind == "node":
            out.append(f'<rect x="{lx}" y="{cy - 8:.1f}" width="26" height="16" rx="4" '
                       f'fill="{item.fill}" stroke="{OUTLINE}"/>')
        elif item.kind == "edge" and item.style is not None:
            st = item.style
            head = " ".join(f"{x:.1f},{y:.1f}" for x, y in _arrow((lx, cy), (lx + 30, cy), 9))
            out.append(f'<line x1="{lx}" y1="{cy:.1f}" x2="{lx + 24}" y2="{cy:.1f}" stroke="{st.colour}" '
                       f'stroke-width="{st.width:g}"{_svg_dash(st)}/><polygon points="{head}" fill="{st.colour}"/>')
    return out + ["</g>"]


def to_svg(sg: dict[str, Any]) -> bytes:
    sc = layout.scene(sg)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{sc.width}" height="{sc.height}" '
           f'viewBox="0 0 {sc.width} {sc.height}" font-family={_xa(FONT_FAMILY)} role="img">',
           f"<title>{_x(sg['title'] or 'Subgraph')}</title>",
           f"<desc>{_x(layout.source_line(sg['reports']))}</desc>",
           f'<rect width="{sc.width}" height="{sc.height}" fill="#ffffff"/>', '<g class="edges" fill="none">']
    for s in sc.strokes:
        pts = _svg_path(s.points)
        heads = "".join(f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in h)}" fill="{s.style.colour}"/>'
                        for h in _heads(s))
        out.append(f'<g class="edge" data-id={_xa(s.id)} data-ids={_xa(" ".join(s.ids))} '
                   f'data-type={_xa(s.type or "")} data-polarity={_xa(s.polarity or "")}>'
                   f'<title>{_x(s.type or "")}: {_x(s.source)} → {_x(s.target)}</title>'
                   f'<path d="{pts}" stroke="{s.style.colour}" stroke-width="{s.style.width:g}"'
                   f'{_svg_dash(s.style)} stroke-linejoin="round"/>{heads}</g>')
    out.append('</g><g class="nodes">')
    for b in sc.boxes:
        out.append(f'<g class="node" data-id={_xa(b.id)} data-type={_xa(b.type or "")}>'
                   f"<title>{_x(b.label)}</title>"
                   f'<rect x="{b.left:.1f}" y="{b.top:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="8" '
                   f'fill="{b.fill}" stroke="{OUTLINE}" stroke-width="1.2"/></g>')
    out.append("</g>")
    out += _svg_legend(sc)
    out += ['<g class="text">'] + [_svg_text(t) for t in layout.texts(sc)] + ["</g>", "</svg>"]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(out) + "\n").encode("utf-8")


# -------------------------------------------------------------------- PNG --

def _dashed(draw: Any, pts: list[tuple[float, float]], colour: str, width: int,
            dash: tuple[int, ...], scale: float) -> None:
    """Pillow has no dashed lines: walk the polyline switching pen on and off."""
    if not dash:
        draw.line(pts, fill=colour, width=width, joint="curve")
        return
    pattern = [d * scale for d in dash]
    i, left, on = 0, pattern[0], True
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < seg:
            step = min(left, seg - pos)
            if on and step > 0:
                a, b = pos / seg, (pos + step) / seg
                draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                          fill=colour, width=width)
            pos += step
            left -= step
            if left <= 1e-9:
                i = (i + 1) % len(pattern)
                left, on = pattern[i], not on


def _png_strokes(d: Any, sc: layout.Scene, k: int) -> None:
    for s in sc.strokes:
        pts = [(x * k, y * k) for x, y in layout.curve_points(s.points)]
        size = _arrow_size(s.style.width) * k
        if s.arrow_end:  # stop the shaft short of the tip so the line does not poke through the arrowhead
            pts[-1] = (pts[-1][0] - size * 0.8 if pts[-1][0] > pts[-2][0] else pts[-1][0], pts[-1][1])
        if s.arrow_start:
            pts[0] = (pts[0][0] + size * 0.8 if pts[0][0] < pts[1][0] else pts[0][0], pts[0][1])
        _dashed(d, pts, s.style.colour, max(1, round(s.style.width * k)), s.style.dash, k)
        for head in _heads(s):
            d.polygon([(x * k, y * k) for x, y in head], fill=s.style.colour)


def _png_legend(d: Any, sc: layout.Scene, k: int) -> None:
    for i, item in enumerate(sc.legend):
        cy, lx = sc.legend_y + (i + 0.5) * sc.legend_row, sc.legend_x
        if item.kind == "node":
            d.rounded_rectangle([lx * k, (cy - 8) * k, (lx + 26) * k, (cy + 8) * k],
                                radius=4 * k, fill=item.fill, outline=OUTLINE, width=k)
        elif item.kind == "edge" and item.style is not None:
            st = item.style
            _dashed(d, [(lx * k, cy * k), ((lx + 24) * k, cy * k)], st.colour, max(1, round(st.width * k)), st.dash, k)
            d.polygon(_arrow((lx * k, cy * k), ((lx + 30) * k, cy * k), 9 * k), fill=st.colour)


def to_png(sg: dict[str, Any], supersample: int = 2) -> bytes:
    """The SVG's scene drawn with Pillow at 2x and scaled down, for smooth lines."""
    from PIL import Image, ImageDraw

    sc = layout.scene(sg)
    k = supersample
    img = Image.new("RGB", (sc.width * k, sc.height * k), "#ffffff")
    d = ImageDraw.Draw(img)
    _png_strokes(d, sc, k)
    for b in sc.boxes:
        d.rounded_rectangle([b.left * k, b.top * k, (b.left + b.w) * k, (b.top + b.h) * k], radius=8 * k,
                            fill=b.fill, outline=OUTLINE, width=max(1, round(1.2 * k)))
    _png_legend(d, sc, k)
    for t in layout.texts(sc):
        d.text((t.x * k, t.y * k), t.text, font=font(t.size * k, t.bold), fill=t.colour,
               anchor="ms" if t.anchor == "middle" else "ls")
    if k != 1:
        img = img.resize((sc.width, sc.height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
