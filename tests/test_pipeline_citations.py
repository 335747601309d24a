"""Citations a reader can check: a page only where the source has pages, and the paragraph numbers it prints.

Documents written here: an invented force, invented sentences.
"""
from __future__ import annotations

import io

import docx
from fpdf import FPDF

from graph.ingest.load import load_bytes
from graph.ingest.pipeline import build_report
from graph.records import Report

PARAS = [f"The force reviewed {n} investigations in the Ashdown district and found that supervisors had checked "
         f"each file within a week, which meant that victims were kept informed of progress." for n in range(1, 9)]
HEAD = "Ashdown Police PEEL effectiveness 2016"
QUESTION = "How effective is the force at investigating crime?"


def build(data: bytes, name: str) -> Report:
    return build_report(load_bytes(data, name))


def test_text_with_one_paragraph_per_line_has_no_pages() -> None:
    rep = build("\n".join([HEAD, QUESTION, *PARAS]).encode(), "a.txt")
    assert rep.passages and all(p.page is None for p in rep.passages)


def test_text_with_form_feeds_keeps_its_pages() -> None:
    rep = build(("\n".join([HEAD, QUESTION, *PARAS[:4]]) + "\n\f" + "\n".join(PARAS[4:])).encode(), "a.txt")
    pages = {p.page for p in rep.passages}
    assert pages == {1, 2}


def test_html_and_docx_have_no_pages() -> None:
    html = f"<html><body><h1>{HEAD}</h1><h2>{QUESTION}</h2>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</body></html>"
    assert all(p.page is None for p in build(html.encode(), "a.html").passages)
    d = docx.Document()
    d.add_heading(HEAD, 1)
    d.add_heading(QUESTION, 2)
    for p in PARAS:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    assert all(p.page is None for p in build(buf.getvalue(), "a.docx").passages)


def _pdf(first_printed: int | None) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=25)
    for page, chunk in enumerate((PARAS[:4], PARAS[4:])):
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        if page == 0:
            pdf.multi_cell(0, 6, HEAD + "\n\n" + QUESTION, new_x="LMARGIN", new_y="NEXT")
        for text in chunk:
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        if first_printed is not None:  # the printed number in the page's foot
            pdf.set_auto_page_break(False)
            pdf.set_y(-15)
            pdf.cell(0, 8, str(first_printed + page), align="C")
            pdf.set_auto_page_break(True, margin=25)
    return bytes(pdf.output())


def test_pdf_cites_its_pages() -> None:
    rep = build(_pdf(None), "a.pdf")
    assert {p.page for p in rep.passages} == {1, 2}


def test_pdf_cites_the_page_numbers_it_prints() -> None:
    rep = build(_pdf(17), "a.pdf")
    assert {p.page for p in rep.passages} == {17, 18}
    page_of = {n: next(p.page for p in rep.passages if PARAS[n][:40] in p.text) for n in (0, 7)}
    assert page_of == {0: 17, 7: 18}
    assert not any(p.text.strip() in ("17", "18") for p in rep.passages)  # the number is not body text


def test_printed_paragraph_numbers_are_cited() -> None:
    lines = [HEAD, QUESTION] + [f"{n + 40}. {p}" for n, p in enumerate(PARAS)]
    rep = build("\n".join(lines).encode(), "a.txt")
    assert [p.paragraph for p in rep.passages] == list(range(40, 48))
    assert rep.passages[0].text.startswith("40. The force")


def test_unnumbered_paragraphs_are_numbered_in_their_section() -> None:
    rep = build("\n".join([HEAD, QUESTION, *PARAS[:3]]).encode(), "a.txt")
    assert [p.paragraph for p in rep.passages] == [1, 2, 3]
