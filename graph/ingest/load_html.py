"""HTML -> one line per block (headings, list items, table rows, captions) in document order.

Navigation, scripts and hidden elements are dropped; ``<main>`` or a single
``<article>`` is preferred over the whole body.
"""
from __future__ import annotations

import html as htmllib
import re
from typing import TYPE_CHECKING

from graph.records import HINT_CAPTION, HINT_HEADING, HINT_ITEM, HINT_PARA, HINT_TABLE, Line
from graph.text import collapse

if TYPE_CHECKING:  # bs4 is imported when HTML is read
    from bs4.element import Tag

_NOISE = {
    "script", "style", "nav", "footer", "aside", "form", "noscript", "svg", "template",
    "head", "title", "iframe", "object", "embed", "canvas", "button", "select", "textarea",
}  # fmt: skip
_NOISE_ROLES = {"navigation", "banner", "contentinfo", "search"}
_SECTIONING = {"article", "main", "section"}
_BLOCK = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "header", "hgroup", "hr", "html",
    "legend", "li", "main", "menu", "ol", "p", "pre", "section", "summary", "ul",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
# Elements that form one line and take in the text of their non-structural children
# (the text of a <p> inside an <li> belongs to the li) ...
_ABSORBING = {"li", "p", "figcaption", "caption", "dt", "summary", "h1", "h2", "h3", "h4", "h5", "h6"}
# ... except these, which always start lines of their own.
_STRUCTURAL = {
    "ul", "ol", "menu", "dl", "li", "blockquote", "figure", "figcaption", "pre", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def html_lines(text: str) -> tuple[list[Line], str | None]:
    from bs4 import BeautifulSoup

    try:
        try:
            soup = BeautifulSoup(text, "lxml")
        except Exception:
            soup = BeautifulSoup(text, "html.parser")
        title_tag = soup.find("title")
        title = collapse(title_tag.get_text(" ")) if title_tag else ""
        if not title:
            h1 = soup.find("h1")
            title = collapse(h1.get_text(" ")) if h1 else ""
        body = soup.find("body") or soup
        lines: list[Line] = []
        articles = soup.find_all("article", limit=2)  # several: a listing, not one text
        for root in (soup.find("main"), articles[0] if len(articles) == 1 else None, body):
            if root is not None:
                lines = _walk_html(root)
                if lines:
                    break
        return lines, title[:300] or None
    except RecursionError:
        return _html_fallback(text), None



def _is_noise(tag, in_section: bool) -> bool:
    if tag.name in _NOISE or (tag.name == "header" and not in_section):
        return True
    attrs = tag.attrs
    role = attrs.get("role")
    if isinstance(role, str) and role.strip().lower() in _NOISE_ROLES:
        return True
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))


def _hint_for(name: str) -> tuple[str, int]:
    if len(name) == 2 and name[0] == "h" and name[1] in "123456":
        return HINT_HEADING, int(name[1])
    if name in ("li", "ul", "ol", "menu"):
        return HINT_ITEM, 0
    if name in ("figcaption", "caption"):
        return HINT_CAPTION, 0
    return HINT_PARA, 0


def _walk_html(root) -> list[Line]:
    """One line per block in document order, walked with an explicit stack (deep markup cannot recurse);
    the text between block boundaries takes the hint of the innermost open block; tables go row by row."""
    from bs4.element import NavigableString, PreformattedString, Tag

    lines: list[Line] = []
    run: list[str] = []
    blocks: list[tuple[str, int, bool]] = [(HINT_PARA, 0, False)]  # (hint, level, absorbing)
    sections = [1 if root.name in _SECTIONING else 0]  # a <header> inside them is content
    space, leave_block, leave_section = object(), object(), object()

    def flush() -> None:
        text = collapse("".join(run))
        run.clear()
        if text:
            hint, level, _ = blocks[-1]
            lines.append(Line(text, 1, hint, level))

    stack: list = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if node is space:
            run.append(" ")
        elif node is leave_block:
            flush()
            blocks.pop()
        elif node is leave_section:
            sections[0] -= 1
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctypes, CDATA
                run.append(str(node))
        elif isinstance(node, Tag):
            name = (node.name or "").lower()
            if _is_noise(node, sections[0] > 0):
                continue
            if name == "br":
                run.append(" ")
                continue
            if name in ("table", "tr"):
                rows = _table_lines(node)
                if rows:
                    flush()
                    lines.extend(rows)
                    continue
            if name in _SECTIONING:
                sections[0] += 1
                stack.append(leave_section)
            if name in _BLOCK or name in ("table", "tr", "td", "th", "tbody", "thead", "tfoot"):
                if blocks[-1][2] and name not in _STRUCTURAL:
                    run.append(" ")  # absorbed: a <p> inside an <li> is part of the item
                    stack.append(space)
                else:
                    flush()
                    hint, level = _hint_for(name)
                    blocks.append((hint, level, name in _ABSORBING))
                    stack.append(leave_block)
            stack.extend(reversed(node.contents))
    flush()
    return lines


def _table_lines(node) -> list[Line]:
    """A table's caption and rows (cells joined by ' | '); nested tables flatten into cells."""
    from bs4.element import Tag

    def row_line(tr) -> Line | None:
        cells = [_cell_text(c) for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th")]
        return Line(" | ".join(cells), 1, HINT_TABLE) if any(cells) else None

    if node.name == "tr":
        row = row_line(node)
        return [row] if row else []
    out: list[Line | None] = []
    for child in node.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "caption":
            text = collapse(child.get_text(" "))
            out.append(Line(text, 1, HINT_CAPTION) if text else None)
        elif child.name == "tr":
            out.append(row_line(child))
        elif child.name in ("thead", "tbody", "tfoot"):
            out.extend(row_line(tr) for tr in child.children if isinstance(tr, Tag) and tr.name == "tr")
    return [line for line in out if line is not None]


def _cell_text(cell: Tag) -> str:
    """A cell's text; a list or several paragraphs in one cell (areas under a grade) are joined by "; "."""
    parts = [collapse(x.get_text(" ")) for x in cell.find_all(("li", "p"))]
    parts = [p for p in parts if p]
    return "; ".join(parts) if len(parts) > 1 else collapse(cell.get_text(" "))


def _html_fallback(text: str) -> list[Line]:
    """Tag-stripping text extraction for markup too deep for the tree walk."""
    text = re.sub(r"(?is)<(script|style|template|noscript|svg)\b.*?</\1\s*>", " ", text)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?i)</?(p|div|h[1-6]|li|tr|br|table|section|article|blockquote|dd|dt|ul|ol|figcaption)"
                  r"\b[^>]*>", "\n", text)
    text = htmllib.unescape(re.sub(r"<[^>]*>", " ", text))
    return [Line(line, 1, HINT_PARA) for line in map(collapse, text.split("\n")) if line]

