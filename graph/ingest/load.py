"""File loaders: bytes of a .txt, .pdf, .html or .docx -> a ``RawDocument``.

The format is sniffed from the content (people rename files; uploads lie
about their type); the extension only breaks ties. Every failure, including
an unexpected exception inside a parser library, becomes a ``PeelgraphError``
whose one-line message names the file, so the API and CLI can show it as is.
"""
from __future__ import annotations

import hashlib
import html as htmllib
import io
import logging
import re
import unicodedata
import zipfile
from pathlib import Path

from graph.errors import BadInput, PeelgraphError, TooLarge, UnsupportedFormat
from graph.records import (
    HINT_CAPTION,
    HINT_HEADING,
    HINT_ITEM,
    HINT_PARA,
    HINT_RULE,
    HINT_TABLE,
    Line,
    RawDocument,
)

# pypdf reports every repaired defect as a warning; with no handler configured they
# would go to stderr through logging's last resort. An app that configures logging still sees them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

DEFAULT_MAX_BYTES = 40 * 1024 * 1024
MAX_LINE_CHARS = 100_000
DOCX_EXPANSION = 5  # a DOCX may unpack to this many times the byte limit (zip bombs)
DEFAULT_NAME = "document"

# Controls that do not belong in text; their share tells text from binary.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# What is removed from every emitted line (also lone surrogates and BOMs).
_STRIP = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85\x0b]")
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
            lines, title = _pdf_lines(data, label)
        elif fmt == "docx":
            lines, title = _docx_lines(data)
        elif fmt == "html":
            lines, title = _html_lines(text)
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
    start = text[:4096].lstrip()
    if (
        _HTML_STRONG.search(start[:1024])
        or (start.startswith("<") and _HTML_WEAK.search(start[:1024]))
        or (ext in _HTML_EXTS and re.search(r"<[a-zA-Z!/]", start))
    ):
        return "html", text
    return "txt", text


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
    text = _NEWLINES.sub("\n", text)
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
    non_blank = [line for line in raw if line.strip()]
    pdf_like = len(non_blank) >= 3 and sum(line.endswith(" ") for line in non_blank) * 2 > len(non_blank)
    page, seen_text = 1, False
    for line in raw:
        if pdf_like and _PAGE_START.match(line):
            if seen_text:
                page += 1
            line = line[1:]
        lines.append(_txt_line(line, page))
        seen_text = seen_text or bool(line.strip())
    return lines


def _txt_line(line: str, page: int) -> Line:
    if _RULE.fullmatch(line):
        return Line("", page, HINT_RULE)
    return Line(line.rstrip(), page)


def _long_line(label: str, number: int, length: int) -> str:
    return f"{label}: line {number} is {length:,} characters long; not a report"


# --- PDF ----------------------------------------------------------------------


def _pdf_lines(data: bytes, label: str) -> tuple[list[Line], str | None]:
    from pypdf import PasswordType, PdfReader

    damaged = f"{label}: the PDF is damaged or truncated"
    if b"%%EOF" not in data[-1024:]:  # what Acrobat requires; a cut-off download lacks it
        raise BadInput(damaged)
    reader = None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise BadInput(f"{label}: the PDF is encrypted with a password")
        pages = [page.extract_text(extraction_mode="plain") or "" for page in reader.pages]
    except PeelgraphError:
        raise
    except Exception as exc:
        if reader is not None and _encrypted(reader):  # e.g. AES without a crypto library
            raise BadInput(f"{label}: the PDF is encrypted and cannot be opened") from None
        raise BadInput(damaged, detail={"error": type(exc).__name__}) from None
    if not any(page.strip() for page in pages):
        raise BadInput(f"{label}: the PDF has no extractable text (a scanned document?)")
    lines = []
    for number, text in enumerate(pages, 1):
        raw = _NEWLINES.sub("\n", text).split("\n")
        if raw and raw[-1] == "":
            raw.pop()
        lines.extend(Line(line.rstrip(), number) for line in raw)
    try:
        title = _good_title((reader.metadata or {}).get("/Title"))
    except Exception:
        title = None
    return lines, title


def _encrypted(reader) -> bool:
    try:
        return bool(reader.is_encrypted)
    except Exception:
        return False


def _good_title(value: object) -> str | None:
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


# --- HTML ---------------------------------------------------------------------

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


def _html_lines(text: str) -> tuple[list[Line], str | None]:
    from bs4 import BeautifulSoup

    try:
        try:
            soup = BeautifulSoup(text, "lxml")
        except Exception:
            soup = BeautifulSoup(text, "html.parser")
        title_tag = soup.find("title")
        title = _collapse(title_tag.get_text(" ")) if title_tag else ""
        if not title:
            h1 = soup.find("h1")
            title = _collapse(h1.get_text(" ")) if h1 else ""
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


def _collapse(text: str) -> str:
    return " ".join(text.split())


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
    """Emit one line per block, in document order, with an explicit stack (no recursion).

    Text between block boundaries is one "run"; a run is emitted with the hint
    of the innermost open block. Tables are emitted row by row and skipped.
    """
    from bs4.element import NavigableString, PreformattedString, Tag

    lines: list[Line] = []
    run: list[str] = []
    blocks: list[tuple[str, int, bool]] = [(HINT_PARA, 0, False)]  # (hint, level, absorbing)
    sections = [1 if root.name in _SECTIONING else 0]  # a <header> inside them is content
    space, leave_block, leave_section = object(), object(), object()

    def flush() -> None:
        text = _collapse("".join(run))
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
        cells = [_collapse(c.get_text(" ")) for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th")]
        return Line(" | ".join(cells), 1, HINT_TABLE) if any(cells) else None

    if node.name == "tr":
        row = row_line(node)
        return [row] if row else []
    out: list[Line | None] = []
    for child in node.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "caption":
            text = _collapse(child.get_text(" "))
            out.append(Line(text, 1, HINT_CAPTION) if text else None)
        elif child.name == "tr":
            out.append(row_line(child))
        elif child.name in ("thead", "tbody", "tfoot"):
            out.extend(row_line(tr) for tr in child.children if isinstance(tr, Tag) and tr.name == "tr")
    return [line for line in out if line is not None]


def _html_fallback(text: str) -> list[Line]:
    """Tag-stripping text extraction for markup too deep for the tree walk."""
    text = re.sub(r"(?is)<(script|style|template|noscript|svg)\b.*?</\1\s*>", " ", text)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?i)</?(p|div|h[1-6]|li|tr|br|table|section|article|blockquote|dd|dt|ul|ol|figcaption)\b[^>]*>", "\n", text)
    text = htmllib.unescape(re.sub(r"<[^>]*>", " ", text))
    return [Line(line, 1, HINT_PARA) for line in map(_collapse, text.split("\n")) if line]


# --- DOCX ---------------------------------------------------------------------


def _docx_lines(data: bytes) -> tuple[list[Line], str | None]:
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
                    " ".join(_collapse(p.text) for p in tc.iter(P) if p.text.strip())
                    for tc in tr.iterchildren(TC)
                ]
                if any(cells):
                    lines.append(Line(" | ".join(cells), 1, HINT_TABLE))
        elif el.tag == P:
            text = _collapse(el.text)
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
        title = _good_title(document.core_properties.title)
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
    return RawDocument(
        source=label,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        lines=lines,
        wrapped=wrapped,
        title=title,
    )
