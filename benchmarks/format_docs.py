"""The PEEL-format test documents of ``benchmarks/formats/`` rendered as text, HTML, PDF and DOCX.

Each document is written once in a small markup (``#`` headings, ``-`` list
items, ``|`` table rows, anything else a paragraph) and rendered the way
users bring reports: plain text with one paragraph per line (table cells
separated by tabs), an HTML page, a PDF laid out by fpdf2 (hard-wrapped
when read back) and a DOCX with heading and list styles and real tables.
The forces, places and sentences are written for these
tests from public knowledge of how each PEEL round is laid out.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent / "formats"
# documents kept apart: ``heldout`` is scored only before and after a round of rule changes, never to fix
# a rule; ``dev`` holds documents written to develop rules on; ``unseen`` was written by someone who had not
# read the rules, ``unseen2`` and ``unseen3`` after each later round of rule changes, ``unseen4`` after the third
# (by the rules' author); scored, never fixed to
SETS = {"formats": DOCS, "heldout": DOCS.parent / "heldout", "dev": DOCS.parent / "dev",
        "unseen": DOCS.parent / "unseen", "unseen2": DOCS.parent / "unseen2", "unseen3": DOCS.parent / "unseen3",
        "unseen4": DOCS.parent / "unseen4"}
FORMATS = ("txt", "html", "pdf", "docx")


@dataclass
class Piece:
    kind: str  # heading | item | table | para
    text: str = ""
    level: int = 0
    rows: list[list[str]] | None = None


def parse(markup: str) -> list[Piece]:
    """The markup -> pieces; consecutive ``|`` rows make one table."""
    out: list[Piece] = []
    for line in markup.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(Piece("heading", line[level:].strip(), level))
        elif line.startswith("- "):
            out.append(Piece("item", line[2:].strip()))
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if out and out[-1].kind == "table" and out[-1].rows is not None:
                out[-1].rows.append(cells)
            else:
                out.append(Piece("table", rows=[cells]))
        else:
            out.append(Piece("para", line))
    return out


def to_text(pieces: list[Piece]) -> str:
    lines = []
    for p in pieces:
        if p.kind == "item":
            lines.append("• " + p.text)
        elif p.kind == "table":
            lines.extend("\t".join(row) for row in p.rows or [])
        else:
            lines.append(p.text)
    return "\n".join(lines) + "\n"


def _cell_html(cell: str, tag: str) -> str:
    parts = [c.strip() for c in cell.split(";") if c.strip()]
    if len(parts) > 1:  # several areas in one cell: a list, as the published pages show them
        return f"<{tag}><ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in parts) + f"</ul></{tag}>"
    return f"<{tag}>{html.escape(cell)}</{tag}>"


def to_html(pieces: list[Piece]) -> str:
    body = []
    in_list = False
    for p in pieces:
        if in_list and p.kind != "item":
            body.append("</ul>")
            in_list = False
        if p.kind == "heading":
            body.append(f"<h{p.level}>{html.escape(p.text)}</h{p.level}>")
        elif p.kind == "item":
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{html.escape(p.text)}</li>")
        elif p.kind == "table":
            rows = p.rows or []
            head = "<tr>" + "".join(_cell_html(c, "th") for c in rows[0]) + "</tr>"
            rest = "".join("<tr>" + "".join(_cell_html(c, "td") for c in r) + "</tr>" for r in rows[1:])
            body.append(f"<table><thead>{head}</thead><tbody>{rest}</tbody></table>")
        else:
            body.append(f"<p>{html.escape(p.text)}</p>")
    if in_list:
        body.append("</ul>")
    title = next((p.text for p in pieces if p.kind == "heading"), "Report")
    return (f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/publications'>Publications</a></nav><main>"
            + "\n".join(body) + "</main><footer>Published under the Open Government Licence</footer></body></html>")


def _latin(text: str) -> str:
    """fpdf2's core fonts are Latin-1: typographic dashes and quotes become plain ones."""
    table = {"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "•": "-"}
    return "".join(table.get(ch, ch) for ch in text)


def to_pdf(pieces: list[Piece]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for p in pieces:
        if p.kind == "heading":
            pdf.set_font("helvetica", "B", {1: 18, 2: 15, 3: 13}.get(p.level, 12))
            pdf.multi_cell(0, 8, _latin(p.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif p.kind == "table":
            pdf.set_font("helvetica", size=10)
            with pdf.table() as table:
                for row in p.rows or []:
                    cells = table.row()
                    for c in row:
                        cells.cell(_latin("\n".join(x.strip() for x in c.split(";"))))
            pdf.ln(3)
        else:
            pdf.set_font("helvetica", size=11)
            text = ("- " if p.kind == "item" else "") + _latin(p.text)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def to_docx(pieces: list[Piece]) -> bytes:
    import io

    import docx

    d = docx.Document()
    for p in pieces:
        if p.kind == "heading":
            d.add_heading(p.text, min(p.level, 4))
        elif p.kind == "item":
            d.add_paragraph(p.text, style="List Bullet")
        elif p.kind == "table":
            rows = p.rows or []
            table = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    parts = [x.strip() for x in cell.split(";") if x.strip()] or [""]
                    target = table.cell(r, c)
                    target.text = parts[0]
                    for extra in parts[1:]:  # several areas in one cell: one paragraph each
                        target.add_paragraph(extra)
        else:
            d.add_paragraph(p.text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def names(folder: Path = DOCS) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.md") if p.stem != "README")


def expected(folder: Path = DOCS) -> dict[str, dict]:  # type: ignore[type-arg]
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def render(name: str, fmt: str, folder: Path = DOCS) -> bytes:
    """The document ``name`` as the bytes of a ``fmt`` file."""
    pieces = parse((folder / f"{name}.md").read_text(encoding="utf-8"))
    if fmt == "txt":
        return to_text(pieces).encode("utf-8")
    if fmt == "html":
        return to_html(pieces).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(pieces)
    if fmt == "docx":
        return to_docx(pieces)
    raise ValueError(fmt)
