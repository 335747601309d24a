"""File loading: bytes of a .txt, .pdf, .html or .docx -> a ``RawDocument``.

Plain text is read here; PDF, HTML and DOCX have a module each (``load_pdf``,
``load_html``, ``load_docx``).

The format is sniffed from the content (people rename files; uploads lie
about their type); the extension only breaks ties. Every failure, including
an unexpected exception inside a parser library, becomes a ``PeelgraphError``
whose one-line message names the file, so the API and CLI can show it as is.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from pathlib import Path

from graph.errors import BadInput, PeelgraphError, TooLarge, UnsupportedFormat
from graph.records import HINT_RULE, HINT_TABLE, Line, RawDocument
from graph.text import NEWLINES_RE

DEFAULT_MAX_BYTES = 40 * 1024 * 1024
MAX_LINE_CHARS = 100_000
DOCX_EXPANSION = 5  # a DOCX may unpack to this many times the byte limit (zip bombs)
DEFAULT_NAME = "document"

# Controls that do not belong in text; their share tells text from binary.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# What is removed from every emitted line (also lone surrogates and BOMs).
_STRIP = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")
_RULE = re.compile(r" {20,}")
_PAGE_START = re.compile(r" [^\s]")

# Binary formats worth naming in the error message.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "a legacy Office file (.doc/.xls); save it as .docx or PDF",
    b"{\\rtf": "an RTF document; save it as .docx or PDF",
    b"\x1f\x8b": "a gzip archive",
}
_HTML_STRONG = re.compile(r"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I)
_HTML_WEAK = re.compile(
    r"<(p|div|h[1-6]|table|ul|ol|li|article|main|section|span|a|br|meta|title|!--)[\s>/]", re.I
)
_HTML_EXTS = {".html", ".htm", ".xhtml"}


def safe_name(name: str) -> str:
    """A display/storage name that cannot traverse paths or break a log line."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).lstrip(". ").rstrip(". ")
    if not name:
        return DEFAULT_NAME
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 16:
        stem, dot, ext = name, "", ""
    stem = stem[:255]
    while len(stem + dot + ext) > 255 or len((stem + dot + ext).encode("utf-8")) > 255:
        stem = stem[:-1]
    return (stem.rstrip(". ") + dot + ext) or DEFAULT_NAME


def load(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, name: str | None = None) -> RawDocument:
    """Load a file from disk; the size is checked before anything is read."""
    path = Path(path)
    label = safe_name(name or path.name)
    try:
        if not path.is_file():
            raise BadInput(f"{label}: not a readable file")
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLarge(_too_large(label, size, max_bytes), detail={"bytes": size, "limit": max_bytes})
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise BadInput(f"{label}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    return load_bytes(data, label, max_bytes=max_bytes)


def load_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Load an uploaded file's bytes; ``name`` is only used for messages and the source."""
    label = safe_name(name)
    data = bytes(data)  # a no-op for bytes; bytearray/memoryview uploads work too
    if len(data) > max_bytes:
        raise TooLarge(_too_large(label, len(data), max_bytes), detail={"bytes": len(data), "limit": max_bytes})
    if not data.strip():
        raise BadInput(f"{label}: the file is empty" if not data else f"{label}: the file contains only whitespace")
    fmt = "unknown"
    try:
        fmt, text = _sniff(data, label, max_bytes)
        if fmt == "pdf":
            from graph.ingest.load_pdf import pdf_lines

            lines, title = pdf_lines(data, label)
        elif fmt == "docx":
            from graph.ingest.load_docx import docx_lines

            lines, title = docx_lines(data)
        elif fmt == "html":
            from graph.ingest.load_html import html_lines

            lines, title = html_lines(text)
        else:
            lines, title = _txt_lines(text, label), None
    except PeelgraphError:
        raise
    except Exception as exc:  # a parser library failed in a way we did not foresee
        what = {"pdf": "the PDF", "docx": "the DOCX", "html": "the HTML"}.get(fmt, "the file")
        raise BadInput(f"{label}: {what} could not be read", detail={"error": type(exc).__name__}) from None
    return _finish(label, fmt, data, lines, title)


def _too_large(label: str, size: int, limit: int) -> str:
    return f"{label}: the file is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.1f} MB"


# --- sniffing -----------------------------------------------------------------


def _sniff(data: bytes, label: str, max_bytes: int) -> tuple[str, str]:
    """Return (format, decoded text for txt/html); content decides, the extension breaks ties."""
    ext = Path(label).suffix.lower()
    head = data[:1024]
    pdf_at = head.find(b"%PDF-")
    if pdf_at == 0:
        return "pdf", ""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                is_docx = "word/document.xml" in zf.namelist()
                unpacked = sum(info.file_size for info in zf.infolist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            if ext == ".docx":
                raise BadInput(f"{label}: the DOCX is damaged or truncated") from None
            raise UnsupportedFormat(f"{label}: a damaged ZIP archive, not a supported document") from None
        if is_docx and unpacked > DOCX_EXPANSION * max_bytes:  # zipfile never inflates past this
            raise TooLarge(f"{label}: the DOCX unpacks to {unpacked / 2**20:.1f} MB; the limit is "
                           f"{DOCX_EXPANSION * max_bytes / 2**20:.1f} MB", detail={"unpacked": unpacked})
        if is_docx:
            return "docx", ""
        raise UnsupportedFormat(f"{label}: a ZIP archive that is not a DOCX document")
    text = _decode_text(data)
    if pdf_at > 0 and (text is None or ext == ".pdf"):
        return "pdf", ""  # a PDF behind some junk bytes
    if text is None:
        kind = next((what for magic, what in _MAGIC.items() if data.startswith(magic)), "a binary file")
        raise UnsupportedFormat(f"{label}: {kind}, not text, PDF, HTML or DOCX")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):  # e.g. RTF decodes as text but is not prose
            raise UnsupportedFormat(f"{label}: {what}")
    if _delimited(text):
        raise UnsupportedFormat(f"{label}: rows of delimited values (a CSV or spreadsheet export), not a report")
    start = text[:4096].lstrip()
    if (
        _HTML_STRONG.search(start[:1024])
        or (start.startswith("<") and _HTML_WEAK.search(start[:1024]))
        or (ext in _HTML_EXTS and re.search(r"<[a-zA-Z!/]", start))
    ):
        return "html", text
    return "txt", text


def _delimited(text: str) -> bool:
    """CSV/TSV: most of the first lines split into the same number (2+) of fields by one delimiter."""
    lines = [ln for ln in text[:20_000].split("\n") if ln.strip()][:50]
    if len(lines) < 5:
        return False
    for delim in (",", ";", "\t", "|"):
        counts = [ln.count(delim) for ln in lines]
        common = max(set(counts), key=counts.count)
        same = counts.count(common)
        if common >= 1 and same * 10 >= len(lines) * 8 and sum(len(ln.split()) > 25 for ln in lines) * 5 < len(lines):
            return True
    return False


def _decode_text(data: bytes) -> str | None:
    """Decode as text, or None when it is binary (more than 1% control characters)."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = NEWLINES_RE.sub("\n", text)
    bad = len(_CONTROL.findall(text))
    if bad * 100 > len(text):
        return None
    return text


# --- text ---------------------------------------------------------------------


def _txt_lines(text: str, label: str) -> list[Line]:
    """Plain text, possibly extracted from a PDF by another tool (pages, rules)."""
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    for i, line in enumerate(raw, 1):
        if len(line) > MAX_LINE_CHARS:
            raise BadInput(_long_line(label, i, len(line)))
    lines: list[Line] = []
    if "\f" in text:
        pages = text.split("\f")
        if len(pages) > 1 and not pages[-1].strip():
            pages.pop()  # a trailing form feed opens no page
        for number, chunk in enumerate(pages, 1):
            chunk_lines = chunk.split("\n")
            if len(chunk_lines) > 1 and chunk_lines[-1] == "":
                chunk_lines.pop()  # the newline before the form feed
            lines.extend(_txt_line(line, number) for line in chunk_lines)
        return lines
    pdf_like = _pdf_like(raw)
    page, seen_text = 1, False
    for line in raw:
        if pdf_like and _PAGE_START.match(line):
            if seen_text:
                page += 1
            line = line[1:]
        lines.append(_txt_line(line, page))
        seen_text = seen_text or bool(line.strip())
    return lines


def _pdf_like(raw: list[str]) -> bool:
    """Text another tool extracted from a PDF: most lines keep a trailing space, and a page opens with one."""
    non_blank = [line for line in raw if line.strip()]
    return len(non_blank) >= 3 and sum(line.endswith(" ") for line in non_blank) * 2 > len(non_blank)


def _txt_line(line: str, page: int) -> Line:
    if _RULE.fullmatch(line):
        return Line("", page, HINT_RULE)
    cells = [c.strip() for c in line.rstrip().split("\t")]
    if len([c for c in cells if c]) >= 2:  # tab-separated cells: a table row copied from a page or sheet
        return Line(" | ".join(cells), page, HINT_TABLE)
    return Line(line.rstrip(), page)


def _long_line(label: str, number: int, length: int) -> str:
    return f"{label}: line {number} is {length:,} characters long; not a report"



# --- common -------------------------------------------------------------------


def _finish(label: str, fmt: str, data: bytes, lines: list[Line], title: str | None) -> RawDocument:
    """Clean every line, enforce the limits every format shares, build the record."""
    for i, line in enumerate(lines, 1):
        if len(line.text) > MAX_LINE_CHARS:
            raise BadInput(_long_line(label, i, len(line.text)))
        line.text = _STRIP.sub("", line.text)
    if not any(line.text.strip() for line in lines):
        raise BadInput(f"{label}: no text found in the {fmt.upper()} file")
    if title is not None:
        title = _STRIP.sub("", title).strip() or None
    wrapped = {"pdf": True, "html": False, "docx": False}.get(fmt)
    # text has pages when it keeps a PDF's page breaks (form feeds, or an extractor's page-opening space)
    paged = fmt == "pdf" or (fmt == "txt" and any(line.page > 1 for line in lines))
    return RawDocument(
        source=label,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        lines=lines,
        wrapped=wrapped,
        title=title,
        paged=paged,
    )
