"""DOCX -> body paragraphs and tables in document order, headings from styles or outline levels."""
from __future__ import annotations

import io
import re

from graph.ingest.load_pdf import good_title
from graph.records import HINT_HEADING, HINT_ITEM, HINT_PARA, HINT_TABLE, Line
from graph.text import collapse


def docx_lines(data: bytes) -> tuple[list[Line], str | None]:
    """Body paragraphs and tables in document order, read from the body XML."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    styles = {}
    for style in document.styles:
        try:
            styles[style.style_id] = style.name or ""
        except Exception:
            continue
    P, TBL, SDT, TR, TC = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:tr"), qn("w:tc")
    lines: list[Line] = []
    title_para = None
    stack = list(reversed(list(document.element.body.iterchildren())))
    while stack:
        el = stack.pop()
        if el.tag == SDT:  # content controls (e.g. a cover page) hold ordinary paragraphs
            content = el.find(qn("w:sdtContent"))
            if content is not None:
                stack.extend(reversed(list(content.iterchildren())))
        elif el.tag == TBL:
            for tr in el.iterchildren(TR):
                cells = [
                    "; ".join(collapse(p.text) for p in tc.iter(P) if p.text.strip())  # a paragraph each: a list
                    for tc in tr.iterchildren(TC)
                ]
                if any(cells):
                    lines.append(Line(" | ".join(cells), 1, HINT_TABLE))
        elif el.tag == P:
            text = collapse(el.text)
            if not text:
                continue
            style = styles.get(el.style or "", "")
            ppr = el.pPr
            outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
            level = _docx_level(style, outline.get(qn("w:val"), "") if outline is not None else "")
            if level:
                lines.append(Line(text, 1, HINT_HEADING, level))
                if style.lower() == "title":
                    title_para = title_para or text
            elif style.lower().startswith("list") or (ppr is not None and ppr.numPr is not None):
                lines.append(Line(text, 1, HINT_ITEM))
            else:
                lines.append(Line(text, 1, HINT_PARA))
    try:
        title = good_title(document.core_properties.title)
    except Exception:
        title = None
    return lines, title or (title_para[:300] if title_para else None)


def _docx_level(style: str, outline: str) -> int:
    """Heading level: 'Title' = 1, 'Heading N' = N, else the paragraph's outline level; 0 = none."""
    if style.lower() == "title":
        return 1
    if match := re.fullmatch(r"heading ([1-9])", style, re.I):
        return min(int(match[1]), 6)
    return int(outline) + 1 if re.fullmatch(r"[0-5]", outline) else 0
