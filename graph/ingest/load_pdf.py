"""PDF -> lines with their printed page numbers, and the document's declared title."""
from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING

from graph.errors import BadInput, PeelgraphError
from graph.ingest import cell_table
from graph.ingest.grade_grid import GRID_HINT, grid_text
from graph.ingest.grade_table import TABLE_HINT, table_text
from graph.records import Line
from graph.text import NEWLINES_RE

if TYPE_CHECKING:  # pypdf is imported when a PDF is read
    from pypdf import PageObject

# pypdf reports every repaired defect as a warning; with no handler configured they
# would go to stderr through logging's last resort. An app that configures logging still sees them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def pdf_lines(data: bytes, label: str) -> tuple[list[Line], str | None]:
    from pypdf import PasswordType, PdfReader

    damaged = f"{label}: the PDF is damaged or truncated"
    if b"%%EOF" not in data[-1024:]:  # what Acrobat requires; a cut-off download lacks it
        raise BadInput(damaged)
    reader = None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise BadInput(f"{label}: the PDF is encrypted with a password")
        pages = [_page_text(page) for page in reader.pages]
    except PeelgraphError:
        raise
    except Exception as exc:
        if reader is not None and _encrypted(reader):  # e.g. AES without a crypto library
            raise BadInput(f"{label}: the PDF is encrypted and cannot be opened") from None
        raise BadInput(damaged, detail={"error": type(exc).__name__}) from None
    if not any(page.strip() for page in pages):
        raise BadInput(f"{label}: the PDF has no extractable text (a scanned document?)")
    lines: list[Line] = []
    for number, text in enumerate(pages, 1):
        raw = NEWLINES_RE.sub("\n", text).split("\n")
        if raw and raw[-1] == "":
            raw.pop()
        lines.extend(Line(line.rstrip(), number) for line in raw)
    try:
        meta = reader.metadata
        title = good_title(meta.get("/Title") if meta else None)
    except Exception:
        title = None
    return lines, title


def _page_text(page: PageObject) -> str:
    """The page's text in reading order; a page with a PEEL grade grid, a table of graded rows or another
    table (cells read as short lines) is read by column (see ``grade_grid``, ``grade_table``, ``cell_table``)."""
    plain = page.extract_text(extraction_mode="plain") or ""
    readers = [read for read, hint in ((grid_text, GRID_HINT), (table_text, TABLE_HINT)) if hint.search(plain)]
    # a grade grid's columns of areas are not a table of rows: its page is left to ``grade_grid``
    cells = not GRID_HINT.search(plain) and bool(cell_table.TABLE_HINT.search(plain))
    if not readers and not cells:
        return plain
    try:
        layout = page.extract_text(extraction_mode="layout") or ""
        tabled = cell_table.with_rows(layout) if cells else layout
        text = next((text for read in readers if (text := read(tabled))), None)
        return text or (cell_table.collapsed(tabled) if tabled != layout else plain)
    except Exception:  # layout mode is newer and less tried: the plain text stands
        return plain


def _encrypted(reader) -> bool:
    try:
        return bool(reader.is_encrypted)
    except Exception:
        return False


def good_title(value: object) -> str | None:
    """A metadata title worth showing: not empty, not a file name, not 'Untitled'."""
    title = " ".join(str(value or "").split())[:300]
    if title.lower().startswith("microsoft word - "):
        return None
    if len(title) < 4 or not re.search(r"[^\W\d_]{3}", title):
        return None
    if title.lower() in {"untitled", "title", "document", "report"}:
        return None
    if re.search(r"\.(docx?|pdf|rtf|txt|indd|pptx?|odt)$", title, re.I):
        return None
    return title

