"""SVG and PNG: the scene of ``layout`` painted as vector and raster pictures."""
from __future__ import annotations

import io
import math
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from graph.export import layout
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


def to_svg(sg: dict[str, Any]) -> bytes:
    sc = layout.scene(sg)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{sc.width}" height="{sc.height}" '
           f'viewBox="0 0 {sc.width} {sc.height}" font-family={_xa(layout.FONT_FAMILY)} role="img">',
           f"<title>{_x(sg['title'] or 'Subgraph')}</title>",
           f"<desc>{_x(layout.source_line(sg['reports']))}</desc>",
           f'<rect width="{sc.width}" height="{sc.height}" fill="#ffffff"/>']
    y = layout.MARGIN + sc.title_size
    for line in sc.title_lines:
        out.append(f'<text x="{layout.MARGIN}" y="{y}" font-size="{sc.title_size}" font-weight="bold" '
                   f'fill="#1a1a1a">{_x(line)}</text>')
        y += sc.title_size + 8
    out.append('<g class="edges" fill="none">')
    for s in sc.strokes:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in s.points)
        dash = f' stroke-dasharray="{" ".join(map(str, s.style.dash))}"' if s.style.dash else ""
        head = " ".join(f"{x:.1f},{y:.1f}" for x, y in _arrow(s.points[-2], s.points[-1], _arrow_size(s.style.width)))
        out.append(f'<g class="edge" data-id={_xa(s.id)} data-type={_xa(s.type or "")} '
                   f'data-polarity={_xa(s.polarity or "")}><title>{_x(s.type or "")}: {_x(s.source)} → '
                   f'{_x(s.target)}</title><polyline points="{pts}" stroke="{s.style.colour}" '
                   f'stroke-width="{s.style.width:g}"{dash} stroke-linecap="round"/>'
                   f'<polygon points="{head}" fill="{s.style.colour}"/></g>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for b in sc.boxes:
        out.append(f'<g class="node" data-id={_xa(b.id)} data-type={_xa(b.type or "")}>'
                   f"<title>{_x(b.label)}</title>"
                   f'<rect x="{b.left:.1f}" y="{b.top:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="8" '
                   f'fill="{b.fill}" stroke="#333333" stroke-width="1.2"/>')
        ty = b.top + 7 + sc.font_size
        for line in b.lines:
            out.append(f'<text x="{b.x:.1f}" y="{ty:.1f}" font-size="{sc.font_size}" text-anchor="middle" '
                       f'fill="{b.text}">{_x(line)}</text>')
            ty += sc.font_size + 5
        out.append("</g>")
    out.append("</g>")
    out.append('<g class="legend">')
    ly = sc.legend_y
    for item in sc.legend:
        cy = ly + sc.legend_row / 2
        if item.kind == "heading":
            out.append(f'<text x="{sc.legend_x}" y="{cy + 5:.1f}" font-size="15" font-weight="bold" '
                       f'fill="#1a1a1a">{_x(item.label)}</text>')
        elif item.kind == "node":
            out.append(f'<rect x="{sc.legend_x}" y="{cy - 8:.1f}" width="26" height="16" rx="4" '
                       f'fill="{item.fill}" stroke="#333333"/>')
            out.append(f'<text x="{sc.legend_x + 36}" y="{cy + 5:.1f}" font-size="14" fill="#1a1a1a">'
                       f"{_x(item.label)}</text>")
        elif item.style is not None:
            st = item.style
            dash = f' stroke-dasharray="{" ".join(map(str, st.dash))}"' if st.dash else ""
            head = " ".join(f"{x:.1f},{y:.1f}" for x, y in _arrow((sc.legend_x, cy), (sc.legend_x + 30, cy), 9))
            out.append(f'<line x1="{sc.legend_x}" y1="{cy:.1f}" x2="{sc.legend_x + 24}" y2="{cy:.1f}" '
                       f'stroke="{st.colour}" stroke-width="{st.width:g}"{dash}/>'
                       f'<polygon points="{head}" fill="{st.colour}"/>')
            out.append(f'<text x="{sc.legend_x + 36}" y="{cy + 5:.1f}" font-size="14" fill="#1a1a1a">'
                       f"{_x(item.label)}</text>")
        ly += sc.legend_row
    out.append("</g>")
    fy = sc.height - layout.MARGIN - (len(sc.footer_lines) - 1) * (sc.footer_size + 8)
    for line in sc.footer_lines:
        out.append(f'<text x="{layout.MARGIN}" y="{fy}" font-size="{sc.footer_size}" fill="#444444">'
                   f"{_x(line)}</text>")
        fy += sc.footer_size + 8
    if not sc.boxes:
        out.append(f'<text x="{sc.width / 2 - layout.LEGEND_W / 2:.0f}" y="{sc.height / 2:.0f}" font-size="20" '
                   f'text-anchor="middle" fill="#666666">No nodes to show</text>')
    out.append("</svg>")
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


def to_png(sg: dict[str, Any], supersample: int = 2) -> bytes:
    """The SVG's scene drawn with Pillow at 2x and scaled down, for smooth lines."""
    from PIL import Image, ImageDraw

    sc = layout.scene(sg)
    k = supersample
    img = Image.new("RGB", (sc.width * k, sc.height * k), "#ffffff")
    d = ImageDraw.Draw(img)

    def text(x: float, y: float, s: str, size: int, fill: str, bold: bool = False, anchor: str = "ls") -> None:
        d.text((x * k, y * k), s, font=layout.font(size * k, bold), fill=fill, anchor=anchor)

    y = layout.MARGIN + sc.title_size
    for line in sc.title_lines:
        text(layout.MARGIN, y, line, sc.title_size, "#1a1a1a", bold=True)
        y += sc.title_size + 8
    for s in sc.strokes:
        pts = [(x * k, y * k) for x, y in s.points]
        size = _arrow_size(s.style.width) * k
        # stop the shaft short of the tip so the line does not poke through the arrowhead
        (px, py), (qx, qy) = pts[-2], pts[-1]
        dist = math.hypot(qx - px, qy - py) or 1
        shaft = pts[:-1] + [(qx - (qx - px) / dist * size * 0.8, qy - (qy - py) / dist * size * 0.8)]
        _dashed(d, shaft, s.style.colour, max(1, round(s.style.width * k)), s.style.dash, k)
        d.polygon(_arrow(pts[-2], pts[-1], size), fill=s.style.colour)
    for b in sc.boxes:
        d.rounded_rectangle([b.left * k, b.top * k, (b.left + b.w) * k, (b.top + b.h) * k], radius=8 * k,
                            fill=b.fill, outline="#333333", width=max(1, round(1.2 * k)))
        ty = b.top + 7 + sc.font_size
        for line in b.lines:
            text(b.x, ty, line, sc.font_size, b.text, anchor="ms")
            ty += sc.font_size + 5
    ly = sc.legend_y
    for item in sc.legend:
        cy = ly + sc.legend_row / 2
        if item.kind == "heading":
            text(sc.legend_x, cy + 5, item.label, 15, "#1a1a1a", bold=True)
        elif item.kind == "node":
            d.rounded_rectangle([sc.legend_x * k, (cy - 8) * k, (sc.legend_x + 26) * k, (cy + 8) * k],
                                radius=4 * k, fill=item.fill, outline="#333333", width=k)
            text(sc.legend_x + 36, cy + 5, item.label, 14, "#1a1a1a")
        elif item.style is not None:
            st = item.style
            _dashed(d, [(sc.legend_x * k, cy * k), ((sc.legend_x + 24) * k, cy * k)], st.colour,
                    max(1, round(st.width * k)), st.dash, k)
            d.polygon(_arrow((sc.legend_x * k, cy * k), ((sc.legend_x + 30) * k, cy * k), 9 * k), fill=st.colour)
            text(sc.legend_x + 36, cy + 5, item.label, 14, "#1a1a1a")
        ly += sc.legend_row
    fy = sc.height - layout.MARGIN - (len(sc.footer_lines) - 1) * (sc.footer_size + 8)
    for line in sc.footer_lines:
        text(layout.MARGIN, fy, line, sc.footer_size, "#444444")
        fy += sc.footer_size + 8
    if not sc.boxes:
        text(sc.width / 2 - layout.LEGEND_W / 2, sc.height / 2, "No nodes to show", 20, "#666666", anchor="ms")
    if k != 1:
        img = img.resize((sc.width, sc.height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


