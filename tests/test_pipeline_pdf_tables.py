"""PDF tables without grades (boards and their members, programmes and partners): every cell's words reach a
passage, and the headings around the table stay headings. The PDFs are made here with fpdf2, in several layouts."""
from __future__ import annotations

import re

import pytest

from graph.ingest.cell_table import table_text
from graph.ingest.load import load_bytes
from graph.ingest.pipeline import build_report
from graph.records import Report

INTRO = ("PEEL 2023-25: An inspection of Fenmoor Police. Published in May 2024. The force works with many "
         "partners across the county, and this section sets out the boards it sits on.")
AFTER = "Fenmoor Police answers most emergency calls quickly. The force has improved how it records crime."

TWO = [("Board", "Members"),
       ("Fenmoor Safeguarding Children Partnership Board", "Fenmoor County Council; Northdale Clinical Commissioning"
        " Group; Fenmoor Fire and Rescue Service"),
       ("Fenmoor Community Safety Partnership", "Fenmoor District Council; Abbeyfield Housing Trust"),
       ("Reducing Reoffending Board", "Probation Service")]
THREE = [("Programme", "Partners", "Chaired by"),
         ("Operation Lantern youth diversion scheme", "Fenmoor Youth Offending Service; Brightpath Charity",
          "Superintendent"),
         ("Safer Streets night-time economy programme", "Northdale Borough Council", "Council leader"),
         ("Drive domestic abuse perpetrator programme", "Hestia Refuge; Northdale Women's Aid", "Independent chair")]


def _pdf(rows: list[tuple[str, ...]], widths: tuple[int, ...], v_align: str = "MIDDLE", align: str = "LEFT",
         heading_after: str = "Investigating crime") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, INTRO, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 8, "Working with partners", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", size=10)
    with pdf.table(col_widths=widths, v_align=v_align, text_align=align) as table:
        for row in rows:
            cells = table.row()
            for c in row:
                cells.cell("\n".join(x.strip() for x in c.split(";")))
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 8, heading_after, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, AFTER, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)}


def _check(rep: Report, rows: list[tuple[str, ...]]) -> None:
    said = set().union(*(_words(p.text) for p in rep.passages))
    for row in rows:
        for cell in row:
            assert _words(cell) <= said, (cell, _words(cell) - said)
    tables = [p for p in rep.passages if p.kind == "table"]
    assert tables, [(p.kind, p.text) for p in rep.passages]
    # no cell became a heading: section paths hold only the document's own headings
    sections = {s for p in rep.passages for s in p.section}
    cells = {x.strip() for row in rows for c in row for x in c.split(";")}
    assert not sections & cells, sections & cells
    after = next(p for p in rep.passages if p.text.startswith("Fenmoor Police answers"))
    assert after.section[-1:] == ["Investigating crime"], after.section
    first = next(p for p in rep.passages if p.kind == "table")
    assert "Working with partners" in first.section, first.section


@pytest.mark.parametrize("v_align", ["MIDDLE", "TOP"])
def test_a_two_column_table_of_boards_and_members_is_a_table_passage(v_align: str) -> None:
    rep = build_report(load_bytes(_pdf(TWO, (80, 100), v_align), "fenmoor.pdf"))
    _check(rep, TWO)
    table = next(p for p in rep.passages if p.kind == "table")
    # a row's cells stay together, the wrapped members of one board in its row
    assert re.search(r"Fenmoor Community Safety Partnership \| Fenmoor District Council; Abbeyfield Housing Trust",
                     table.text), table.text


@pytest.mark.parametrize("v_align", ["MIDDLE", "TOP"])
def test_a_three_column_table_of_programmes_and_partners_is_a_table_passage(v_align: str) -> None:
    rep = build_report(load_bytes(_pdf(THREE, (85, 65, 35), v_align), "fenmoor.pdf"))
    _check(rep, THREE)


def test_a_table_whose_cells_are_centred_loses_no_text() -> None:
    rep = build_report(load_bytes(_pdf(TWO, (80, 100), align="CENTER"), "fenmoor.pdf"))
    _check(rep, TWO)


def test_a_table_of_one_line_rows_is_a_table_passage() -> None:
    rows = [("Board", "Chaired by"), ("Fenmoor Criminal Justice Board", "Chief Constable"),
            ("Fenmoor Health and Wellbeing Board", "Council leader")]
    rep = build_report(load_bytes(_pdf(rows, (100, 70)), "fenmoor.pdf"))
    _check(rep, rows)


def test_layout_rows_are_cells_joined_and_prose_is_left_alone() -> None:
    layout = "\n".join([
        "Working with partners",
        "",
        "Board                          Members",
        "",
        "                               Fenmoor County Council",
        "Fenmoor Safeguarding Board",
        "                               Abbeyfield Housing Trust",
        "",
        "Reducing Reoffending Board     Probation Service",
        "",
        "Investigating crime",
        "The force works with partners on a joint approach to mental health calls across the county.",
    ])
    out = (table_text(layout) or "").split("\n")
    assert "Board | Members" in out
    assert "Fenmoor Safeguarding Board | Fenmoor County Council; Abbeyfield Housing Trust" in out
    assert "Reducing Reoffending Board | Probation Service" in out
    assert "Working with partners" in out and "Investigating crime" in out  # headings around it kept as lines


def test_prose_and_headings_without_columns_are_not_a_table() -> None:
    layout = "\n".join(["Investigating crime", "", "Too many investigations are allocated to officers who lack",
                        "the right skills.  Supervisors do not always review plans.", "Victim care"])
    assert table_text(layout) is None


def test_real_headings_over_short_paragraphs_stay_headings() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, INTRO, new_x="LMARGIN", new_y="NEXT")
    for head, body in (("Preventing crime", "The force works with the council."),
                       ("Investigating crime", "Supervisors review plans."),
                       ("Victim care", "Victims are kept informed.")):
        pdf.set_font("helvetica", "B", 15)
        pdf.multi_cell(0, 8, head, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    rep = build_report(load_bytes(bytes(pdf.output()), "fenmoor.pdf"))
    got = {p.text: p.section[-1:] for p in rep.passages}
    assert got.get("Supervisors review plans.") == ["Investigating crime"], got
    assert not any(p.kind == "table" for p in rep.passages)


def _blocks(texts: list[str]) -> list[tuple[str, str]]:
    from graph.ingest.wrapped import from_wrapped
    from graph.records import Line

    return [(b.kind, b.text) for b in from_wrapped([Line(t, 1) for t in texts])]


PROSE = ["The force works with many partners across the county, and this section sets out the boards that it",
         "sits on, who chairs each of them and which organisations send members to their meetings every month."]


def test_cells_read_as_short_lines_are_a_table_not_a_run_of_headings() -> None:
    """Without column positions (a table the layout text does not show as columns), cells come as lines."""
    cells = ["Board Members", "Fenmoor Safeguarding Board", "Fenmoor County Council", "Abbeyfield Housing Trust",
             "Reducing Reoffending Board", "Probation Service"]
    got = _blocks(PROSE + ["Working with partners", *cells] + PROSE)
    assert ("heading", "Working with partners") in got, got
    assert not any(kind == "heading" and text in cells for kind, text in got), got
    assert ("table", "\n".join(cells)) in got, got


def test_a_few_headings_in_a_row_stay_headings() -> None:
    """A title, a section and a subsection in a row are headings, as are a report's own sections."""
    heads = ["Fenmoor Police", "Effectiveness", "Preventing crime"]
    got = _blocks(PROSE + heads + PROSE + ["Areas for improvement", "Causes of concern", "Recommendations",
                                           "Summary for question 1", "Investigating crime"] + PROSE)
    for h in heads + ["Areas for improvement", "Recommendations", "Investigating crime"]:
        assert ("heading", h) in got, (h, got)
    assert not any(kind == "table" for kind, _ in got), got


def test_a_first_column_cell_wrapped_around_a_centred_cell_stays_one_name() -> None:
    layout = "\n".join([
        "Board or partnership                     Chaired by",
        "",
        "Fenmoor and Northdale Safeguarding",
        "                                         Independent chair",
        "Partnership Board",
        "",
        "                                         Council leader",
        "Fenmoor Community Safety Partnership",
        "                                         Police and crime commissioner",
        "",
        "Investigating crime",
    ])
    out = (table_text(layout) or "").split("\n")
    assert "Fenmoor and Northdale Safeguarding Partnership Board | Independent chair" in out, out
    assert "Fenmoor Community Safety Partnership | Council leader; Police and crime commissioner" in out, out
