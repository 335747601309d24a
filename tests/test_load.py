"""Loaders: every format, content sniffing, every error path, and a fuzz property."""
from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from graph.errors import BadInput, PeelgraphError, TooLarge, UnsupportedFormat
from graph.ingest.load import load, load_bytes, safe_name
from graph.records import (
    HINT_CAPTION,
    HINT_HEADING,
    HINT_ITEM,
    HINT_PARA,
    HINT_RULE,
    HINT_TABLE,
    RawDocument,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


# --- fixtures built in the tests ----------------------------------------------


def make_pdf(title: str | None = "Example Police: PEEL inspection 2024") -> bytes:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, f"Section {page}: keeping people safe", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, f"Page {page} first paragraph. The force is good at preventing crime. " * 3)
        pdf.ln(4)
        pdf.multi_cell(0, 6, f"Page {page} second paragraph about neighbourhood policing.")
    return bytes(pdf.output())


def make_docx(core_title: str = "") -> bytes:
    document = docx.Document()
    document.core_properties.title = core_title
    document.add_heading("Example Police inspection", 0)
    document.add_heading("Preventing crime", 1)
    document.add_paragraph("The force is good at preventing crime.")
    document.add_heading("Neighbourhood policing", 2)
    document.add_paragraph("Officers know their communities.")
    document.add_paragraph("Review the neighbourhood model", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("Measure", "Value"), ("Crime rate", "61.2")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Closing paragraph.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


HTML = b"""<!DOCTYPE html>
<html><head><title>  Example   Police inspection </title>
<style>p { color: red }</style><script>var noise = "SCRIPTNOISE";</script></head>
<body>
<header><div class="logo">HEADERNOISE</div><nav><ul><li><a href="/">NAVNOISE home</a></li></ul></nav></header>
<div role="navigation">ROLENOISE</div>
<main>
  <h1>Effectiveness</h1>
  <p>The force is <b>good</b> at
     keeping people<br>safe.</p>
  <h2>Preventing crime</h2>
  <ul>
    <li><p>Item with a nested paragraph</p></li>
    <li>Plain item</li>
  </ul>
  <table><caption>Table 1: crime rates</caption>
    <thead><tr><th>Force</th><th>Rate</th></tr></thead>
    <tbody><tr><td>Example</td><td>61.2</td></tr></tbody>
  </table>
  <figure><img src="x.png" alt=""><figcaption>Figure 1: trend</figcaption></figure>
  <blockquote>A quoted finding.</blockquote>
  <div hidden>HIDDENNOISE</div>
  <aside>ASIDENOISE</aside>
  <form><label>FORMNOISE</label></form>
</main>
<footer>FOOTERNOISE</footer>
</body></html>"""


def assert_one_line_naming(exc: PeelgraphError, name: str) -> None:
    message = str(exc)
    assert name in message
    assert "\n" not in message and "\r" not in message
    assert message == exc.message


# --- formats ------------------------------------------------------------------


def test_pdf_pages_and_text(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf())
    doc = load(path)
    assert doc.format == "pdf" and doc.wrapped is True
    assert doc.source == "report.pdf"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.title == "Example Police: PEEL inspection 2024"
    assert {line.page for line in doc.lines} == {1, 2}
    heading_pages = {line.text: line.page for line in doc.lines if line.text.startswith("Section")}
    assert heading_pages == {"Section 1: keeping people safe": 1, "Section 2: keeping people safe": 2}
    text_by_page = {p: " ".join(line.text for line in doc.lines if line.page == p) for p in (1, 2)}
    assert "Page 1 first paragraph" in text_by_page[1] and "Page 2" not in text_by_page[1]
    assert "Page 2 second paragraph about neighbourhood policing." in text_by_page[2]
    assert all(line.text == line.text.rstrip() for line in doc.lines)


def test_pdf_without_metadata_title_has_none() -> None:
    assert load_bytes(make_pdf(title=None), "r.pdf").title is None


def test_pdf_with_owner_password_only_is_readable() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password="", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    doc = load_bytes(buf.getvalue(), "open.pdf")
    assert doc.lines[0].text == "Section 1: keeping people safe"


def test_html_blocks_hints_and_noise() -> None:
    doc = load_bytes(HTML, "page.html")
    assert doc.format == "html" and doc.wrapped is False and doc.title == "Example Police inspection"
    got = [(line.hint, line.level, line.text) for line in doc.lines]
    assert got == [
        (HINT_HEADING, 1, "Effectiveness"),
        (HINT_PARA, 0, "The force is good at keeping people safe."),
        (HINT_HEADING, 2, "Preventing crime"),
        (HINT_ITEM, 0, "Item with a nested paragraph"),
        (HINT_ITEM, 0, "Plain item"),
        (HINT_CAPTION, 0, "Table 1: crime rates"),
        (HINT_TABLE, 0, "Force | Rate"),
        (HINT_TABLE, 0, "Example | 61.2"),
        (HINT_CAPTION, 0, "Figure 1: trend"),
        (HINT_PARA, 0, "A quoted finding."),
    ]
    assert all(line.page == 1 for line in doc.lines)
    text = " ".join(line.text for line in doc.lines)
    assert "NOISE" not in text


def test_html_without_main_nested_lists_and_div_text() -> None:
    html = (
        b"<html><body><h3>Title here</h3><div>Direct <span>text</span><p>Inner para</p>after</div>"
        b"<ul><li>outer<ul><li>inner</li></ul></li></ul><dl><dt>Term</dt><dd>Definition</dd></dl>"
        b"<article><header><h1>Article title</h1></header><p>Body</p></article></body></html>"
    )
    doc = load_bytes(html, "x.html")
    got = [(line.hint, line.text) for line in doc.lines]
    assert got == [
        (HINT_HEADING, "Article title"),
        (HINT_PARA, "Body"),
    ]  # a single <article> is preferred over the rest of the page
    doc = load_bytes(html.replace(b"article>", b"section>"), "x.html")
    got = [(line.hint, line.text) for line in doc.lines]
    assert got == [
        (HINT_HEADING, "Title here"),
        (HINT_PARA, "Direct text"),
        (HINT_PARA, "Inner para"),
        (HINT_PARA, "after"),
        (HINT_ITEM, "outer"),
        (HINT_ITEM, "inner"),
        (HINT_PARA, "Term"),
        (HINT_PARA, "Definition"),
        (HINT_HEADING, "Article title"),  # a <header> inside a section is content, not a banner
        (HINT_PARA, "Body"),
    ]
    assert doc.title == "Article title"  # no <title>: the first <h1>


def test_deeply_nested_html_does_not_crash() -> None:
    depth = 100_000
    html = ("<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "<p>after</p></body></html>").encode()
    doc = load_bytes(html, "deep.html")
    assert [line.text for line in doc.lines] == ["deep text", "after"]


def test_html_fallback_strips_tags() -> None:
    from graph.ingest.load_html import _html_fallback  # used when the tree walk hits RecursionError

    lines = _html_fallback("<div><script>x<y</script><p>One &amp; two</p><!-- c --><li>Three <b>four</b></li></div>")
    assert [(line.hint, line.text) for line in lines] == [(HINT_PARA, "One & two"), (HINT_PARA, "Three four")]


def test_docx_hints_in_order() -> None:
    doc = load_bytes(make_docx(), "report.docx")
    assert doc.format == "docx" and doc.wrapped is False
    got = [(line.hint, line.level, line.text) for line in doc.lines]
    assert got == [
        (HINT_HEADING, 1, "Example Police inspection"),
        (HINT_HEADING, 1, "Preventing crime"),
        (HINT_PARA, 0, "The force is good at preventing crime."),
        (HINT_HEADING, 2, "Neighbourhood policing"),
        (HINT_PARA, 0, "Officers know their communities."),
        (HINT_ITEM, 0, "Review the neighbourhood model"),
        (HINT_TABLE, 0, "Measure | Value"),
        (HINT_TABLE, 0, "Crime rate | 61.2"),
        (HINT_PARA, 0, "Closing paragraph."),
    ]
    assert doc.title == "Example Police inspection"  # from the Title paragraph
    assert load_bytes(make_docx("Core title of the report"), "r.docx").title == "Core title of the report"


# --- plain text -----------------------------------------------------------------


def test_txt_form_feed_pages(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("Page one line\n   indented  cells   here  \n\nafter blank\n\fPage two\n\fPage three\n\f", "utf-8")
    doc = load(path)
    assert doc.format == "txt" and doc.wrapped is None and doc.title is None
    assert [(line.page, line.text) for line in doc.lines] == [
        (1, "Page one line"),
        (1, "   indented  cells   here"),  # leading/internal spaces kept, trailing stripped
        (1, ""),
        (1, "after blank"),
        (2, "Page two"),
        (3, "Page three"),
    ]


def test_txt_single_space_page_starts_and_rule() -> None:
    rule = " " * 44
    text = "\n".join(
        [
            " First page heading ",
            "body text of page one ",
            "more body text ",
            rule,
            "1 A footnote ",
            " Second page starts here ",
            "and continues ",
            "  two spaces is not a page start ",
            "",
            " Third page ",
        ]
    )
    doc = load_bytes(text.encode("utf-8"), "extract.txt")
    got = [(line.page, line.hint, line.text) for line in doc.lines]
    assert got == [
        (1, None, "First page heading"),
        (1, None, "body text of page one"),
        (1, None, "more body text"),
        (1, HINT_RULE, ""),
        (1, None, "1 A footnote"),
        (2, None, "Second page starts here"),
        (2, None, "and continues"),
        (2, None, "  two spaces is not a page start"),
        (2, None, ""),
        (3, None, "Third page"),
    ]


def test_txt_without_trailing_spaces_has_no_page_convention() -> None:
    doc = load_bytes(b"Heading\n Indented line\nbody\nmore body\n", "plain.txt")
    assert {line.page for line in doc.lines} == {1}
    assert doc.lines[1].text == " Indented line"


@pytest.mark.parametrize(
    "encoded",
    [
        "Caf\u00e9 \u2019quoted\u2019 report\r\nsecond line".encode("utf-8"),
        "Caf\u00e9 \u2019quoted\u2019 report\r\nsecond line".encode("utf-8-sig"),
        "Caf\u00e9 \u2019quoted\u2019 report\r\nsecond line".encode("utf-16"),
        "Caf\u00e9 \u2019quoted\u2019 report\r\nsecond line".encode("cp1252"),
    ],
)
def test_txt_encodings(encoded: bytes) -> None:
    doc = load_bytes(encoded, "enc.txt")
    assert [line.text for line in doc.lines] == ["Caf\u00e9 \u2019quoted\u2019 report", "second line"]


def test_bundled_corpus_loads() -> None:
    files = sorted(CORPUS.glob("*.txt"))
    assert len(files) == 2
    for path in files:
        doc = load(path)
        assert doc.format == "txt" and len(doc.lines) > 100
    paged = load(CORPUS / "004_872d08147d1315cb.txt")
    assert max(line.page for line in paged.lines) > 20
    assert sum(line.hint == HINT_RULE for line in paged.lines) > 5


# --- sniffing -------------------------------------------------------------------


def test_pdf_saved_as_txt_is_a_pdf() -> None:
    assert load_bytes(make_pdf(), "really_a_pdf.txt").format == "pdf"


def test_text_saved_as_pdf_is_text() -> None:
    doc = load_bytes(b"Just a plain report.\nSecond line.\n", "fake.pdf")
    assert doc.format == "txt" and doc.lines[0].text == "Just a plain report."


def test_html_saved_as_txt_is_html() -> None:
    assert load_bytes(HTML, "page.txt").format == "html"
    assert load_bytes(b"<p>Fragment paragraph</p><p>Two</p>", "frag.txt").format == "html"


def test_markup_in_prose_stays_text_unless_extension_says_html() -> None:
    body = b"A report that mentions <b>bold</b> markup.\n"
    assert load_bytes(body, "notes.txt").format == "txt"
    assert load_bytes(body, "notes.html").format == "html"


def test_docx_saved_as_bin_is_docx() -> None:
    assert load_bytes(make_docx(), "upload.bin").format == "docx"


# --- errors ---------------------------------------------------------------------


def _raises(exc_type: type[PeelgraphError], data: bytes, name: str, **kw) -> PeelgraphError:
    with pytest.raises(exc_type) as info:
        load_bytes(data, name, **kw)
    assert_one_line_naming(info.value, safe_name(name))
    return info.value


def test_empty_and_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(BadInput) as info:
        load(path)
    assert_one_line_naming(info.value, "empty.txt")
    _raises(BadInput, b" \n\t\r\n  \f ", "blank.txt")
    _raises(BadInput, "\n \n".encode("utf-16"), "blank16.txt")


def test_binary_is_unsupported() -> None:
    rng = random.Random(1)
    png = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(4000))
    err = _raises(UnsupportedFormat, png, "picture.txt")
    assert "PNG" in str(err)
    _raises(UnsupportedFormat, bytes(rng.randrange(256) for _ in range(4000)), "noise.bin")


def test_zip_that_is_not_docx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _raises(UnsupportedFormat, buf.getvalue(), "archive.docx")


def test_damaged_docx() -> None:
    data = make_docx()
    _raises(BadInput, data[: len(data) // 2], "half.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # has the part but no content types, relationships...
        zf.writestr("word/document.xml", "<not really xml")
    _raises(BadInput, buf.getvalue(), "fake.docx")


def test_docx_zip_bomb_is_too_large() -> None:
    data = make_docx()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/padding.bin", b"\0" * 20_000_000)  # compresses to ~20 KB
    assert len(buf.getvalue()) < 1_000_000
    _raises(TooLarge, buf.getvalue(), "bomb.docx", max_bytes=1_000_000)


def test_truncated_pdf() -> None:
    data = make_pdf()
    err = _raises(BadInput, data[: len(data) // 2], "report.pdf")
    assert "damaged or truncated" in str(err)
    _raises(BadInput, data[: len(data) // 2] + b"\n%%EOF\n", "report.pdf")  # past the tail check


def test_encrypted_pdf() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    err = _raises(BadInput, buf.getvalue(), "locked.pdf")
    assert "encrypted" in str(err)


def test_pdf_without_text() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)  # a drawing, like a scanned page: no text layer
    err = _raises(BadInput, bytes(pdf.output()), "scan.pdf")
    assert "no extractable text" in str(err)


def test_html_without_text() -> None:
    _raises(BadInput, b"<html><body><script>x()</script><nav>menu</nav></body></html>", "empty.html")


def test_fifty_megabytes_of_one_line(tmp_path: Path) -> None:
    path = tmp_path / "one_line.txt"
    size = 50 * 1024 * 1024
    with path.open("wb") as fh:
        fh.write(b"a" * size)
    with pytest.raises(TooLarge) as info:
        load(path)
    assert_one_line_naming(info.value, "one_line.txt")
    with pytest.raises(BadInput) as info:
        load(path, max_bytes=60 * 1024 * 1024)
    assert type(info.value) is BadInput
    assert_one_line_naming(info.value, "one_line.txt")
    assert "line 1 is 52,428,800 characters long; not a report" in str(info.value)


def test_oversize_is_too_large(tmp_path: Path) -> None:
    _raises(TooLarge, b"x" * 101, "big.txt", max_bytes=100)
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 100)
    with pytest.raises(TooLarge) as info:
        load(path, max_bytes=100, name="upload/../shown.txt")
    assert_one_line_naming(info.value, "shown.txt")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.txt", tmp_path):
        with pytest.raises(BadInput) as info:
            load(path)
        assert "\n" not in str(info.value)


# --- safe_name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("rep\x00ort\n.pdf", "report.pdf"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        ("", "document"),
        ("..", "document"),
        ("dir/", "document"),
        ("\x00\x01", "document"),
        ("  spaced   name.txt ", "spaced name.txt"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


def test_safe_name_length_keeps_extension() -> None:
    name = safe_name("x" * 1000 + ".pdf")
    assert len(name) <= 255 and name.endswith(".pdf")
    assert len(safe_name("\u00e9" * 300 + ".txt").encode("utf-8")) <= 255


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_safe_name_property(raw: str) -> None:
    name = safe_name(raw)
    assert name and len(name) <= 255 and len(name.encode("utf-8")) <= 255
    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert all(ch.isprintable() or ch == " " for ch in name)
    assert safe_name(name) == name


# --- property: nothing but PeelgraphError ---------------------------------------


def _zip_with(member: str, payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(member, payload)
    return buf.getvalue()


_nested_html = st.builds(
    lambda depth, tag, text: (f"<{tag}>" * depth + text + f"</{tag}>" * depth).encode(),
    st.integers(1, 3000),
    st.sampled_from(["div", "p", "li", "span", "table", "blockquote", "ul", "h2"]),
    st.text(max_size=30),
)
_inputs = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8")),
    st.text(max_size=2000).map(lambda t: t.encode("utf-16")),
    st.text(st.characters(codec="cp1252"), max_size=2000).map(lambda t: t.encode("cp1252")),
    _nested_html,
    st.binary(max_size=2000).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF\n"),
    st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=2000).map(lambda b: _zip_with("word/document.xml", b)),
    st.text(max_size=500).map(lambda t: ("<html><body><p>" + t + "</li><tr><td>").encode()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_inputs, st.sampled_from(["fuzz.txt", "fuzz.pdf", "fuzz.html", "fuzz.docx", "fuzz"]))
def test_load_bytes_returns_or_raises_peelgraph_error(data: bytes, name: str) -> None:
    try:
        doc = load_bytes(data, name, max_bytes=1_000_000)
    except PeelgraphError as exc:
        assert_one_line_naming(exc, name)
        return
    assert isinstance(doc, RawDocument)
    assert doc.format in ("txt", "pdf", "html", "docx")
    assert any(line.text.strip() for line in doc.lines)
    for line in doc.lines:
        assert line.page >= 1 and len(line.text) <= 100_000
        assert not any(ch in line.text for ch in "\n\r\f\x00")
