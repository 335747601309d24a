"""Every PEEL round's layout, as text, HTML and PDF: judgments, items, force and period.

The documents are ``benchmarks/formats/*.md`` (written for these tests; no
sentence comes from the bundled reports), rendered by
``benchmarks/format_docs.py``. The judgment rules are also checked one by
one on sentences written here, including the ones that must not count.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from graph.ingest import judgments
from graph.ingest.grade_grid import grid_text
from graph.ingest.grade_table import table_text
from graph.ingest.load import load_bytes
from graph.ingest.pipeline import build_report
from graph.records import Report

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from format_docs import FORMATS, expected, names, render  # noqa: E402

EXPECTED = expected()


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, str], Report]:
    return {(n, f): build_report(load_bytes(render(n, f), f"{n}.{f}")) for n in names() for f in FORMATS}


def _found(rep: Report, want: dict) -> bool:  # type: ignore[type-arg]
    keys = [k.lower() for k in want["keys"]]
    return any(i.kind == "judgment" and i.grade == want["grade"]
               and (all(k in (i.question or "").lower() for k in keys) or (want.get("overall") and i.overall))
               for i in rep.items)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", names())
def test_force_period_and_items(reports, name: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    rep, want = reports[(name, fmt)], EXPECTED[name]
    assert rep.meta.force == want["force"]
    assert rep.meta.year == want["year"]
    for kind, n in want.get("items", {}).items():
        assert sum(1 for i in rep.items if i.kind == kind) == n, kind


@pytest.mark.parametrize("fmt", FORMATS)
def test_graded_judgments_recall(reports, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """At least 0.8 of the graded judgments of each document in each format (the 2021 grade grid of a
    PDF is read by column)."""
    found = total = 0
    for name in names():
        want = EXPECTED[name]["judgments"]
        hits = [_found(reports[(name, fmt)], w) for w in want]
        assert sum(hits) / len(hits) >= 0.8, (name, [w for w, ok in zip(want, hits) if not ok])
        found, total = found + sum(hits), total + len(hits)
    assert found / total >= 0.8


def test_no_judgment_grades_something_twice_differently(reports) -> None:  # type: ignore[no-untyped-def]
    for (name, fmt), rep in reports.items():
        seen: dict[str, str] = {}
        for i in rep.items:
            if i.kind == "judgment" and i.question:
                assert seen.setdefault(i.question.lower(), i.grade or "") == i.grade, (name, fmt, i.question)


def test_grid_table_lists_areas_under_their_grade() -> None:
    rows = ["Outstanding | Good | Adequate | Requires improvement | Inadequate",
            " | Tackling fraud; Road safety | Custody | Call handling | "]
    got = {(g.area, g.grade) for g in judgments.table(rows)}
    assert got == {("Tackling fraud", "good"), ("Road safety", "good"), ("Custody", "adequate"),
                   ("Call handling", "requires improvement")}


def test_area_grade_rows_with_and_without_separators() -> None:
    assert [(g.area, g.grade) for g in judgments.table(["Area | Grade", "Road safety | Inadequate"])] == [
        ("Road safety", "inadequate")]
    assert [(g.area, g.grade) for g in judgments.table(["Custody Requires improvement"])] == [
        ("Custody", "requires improvement")]


@pytest.mark.parametrize("rows, want", [
    (["Grade | Pillar | Question", "Good | Efficiency | Planning for the future"], ("Planning for the future", "good")),
    (["Rating | Area of policing | Change", "Adequate | Custody | Improved since last year"], ("Custody", "adequate")),
    (["Inadequate | Legitimacy | Road safety | 2016"], ("Road safety", "inadequate")),
    (["Pillar | Judgment | Last inspected", "Legitimacy | Good | 2017"], ("Legitimacy", "good")),
])
def test_a_graded_row_names_its_area_not_its_pillar(rows: list[str], want: tuple[str, str]) -> None:
    """A row with a pillar, a date or a comment beside the area: the area is the "Question"/"Area" column,
    else the first cell that is more than a pillar name; a pillar alone is the area when nothing else is."""
    assert [(g.area, g.grade) for g in judgments.table(rows)] == [want]


def test_one_grade_for_a_list_of_areas() -> None:
    got = judgments.prose("It is also adequate at tackling fraud, at road safety and at managing its custody suites.")
    assert [(g.area, g.grade) for g in got] == [("Tackling fraud", "adequate"), ("Road safety", "adequate"),
                                               ("Managing its custody suites", "adequate")]


def test_plain_grades_after_a_count_of_graded_areas() -> None:
    """After "graded good in two areas ...", plain "It is good at X" sentences are the gradings; the same
    words in a section with no count describe and do not grade."""
    text = ("Westmarch Police PEEL 2022/23\nOverall summary\n"
            "We inspected Westmarch Police in three areas. It was graded good in two areas and inadequate in one.\n"
            "It is good at tackling fraud and at road safety. It is inadequate at managing custody.\n"
            "Neighbourhoods\nThe force is good at working with schools. It runs a cadet scheme.\n")
    rep = build_report(load_bytes(text.encode(), "w.txt"))
    graded = {(i.question, i.grade) for i in rep.items if i.kind == "judgment"}
    assert graded == {("Tackling fraud", "good"), ("Road safety", "good"), ("Managing custody", "inadequate")}


@pytest.mark.parametrize("line, area, grade, overall", [
    ("Overall judgment: Outstanding", "", "outstanding", True),
    ("Judgment – Adequate", "", "adequate", False),
    ("Efficiency: Requires improvement", "Efficiency", "requires improvement", False),
])
def test_labelled_lines(line: str, area: str, grade: str, overall: bool) -> None:
    assert judgments.labelled(line) == [judgments.Graded(area, grade, overall)]


def test_grade_first_line_lists_its_areas() -> None:
    got = judgments.labelled("Good: tackling fraud; road safety")
    assert [(g.area, g.grade) for g in got] == [("tackling fraud", "good"), ("road safety", "good")]


@pytest.mark.parametrize("sentence, area, grade", [
    ("Westmarch Police is 'adequate' at tackling fraud.", "Tackling fraud", "adequate"),
    ("The constabulary requires improvement in how it manages its custody suites.",
     "How it manages its custody suites", "requires improvement"),
    ("Lowfield Constabulary has been assessed as outstanding at protecting children, and it shares data well.",
     "Protecting children", "outstanding"),
    ("The force is judged to require improvement in how it plans its workforce.",
     "How it plans its workforce", "requires improvement"),
    ("We graded Harrow Vale Police as ‘good’ at road safety.", "Road safety", "good"),
    ("HMIC judges Lowfield Constabulary to be good at tackling fraud.", "Tackling fraud", "good"),
    ("The extent to which the force is effective at protecting children is requires improvement.",
     "Protecting children", "requires improvement"),
    ("Westmarch Police’s performance in managing offenders is adequate.", "Managing offenders", "adequate"),
])
def test_graded_prose(sentence: str, area: str, grade: str) -> None:
    assert [(g.area, g.grade) for g in judgments.prose(sentence)] == [(area, grade)]


@pytest.mark.parametrize("sentence", [
    "The force is not yet good at tackling fraud.",
    "The force is no longer outstanding at protecting children.",
    "Officers are good at building relationships with schools.",
    "Westmarch Police was graded as 'good' in two areas and 'adequate' in five.",
    "The force would be good at road safety if it had more officers.",
    "The extent to which the force is effective at road safety is not yet good.",
    "The force’s performance in answering calls is good but slow.",
])
def test_prose_that_does_not_grade(sentence: str) -> None:
    assert judgments.prose(sentence) == []


def test_plain_prose_grades_only_where_it_opens_its_area() -> None:
    text = ("Westmarch Police PEEL 2022/23\nTackling fraud\n"
            "Westmarch Police is good at tackling fraud. Its economic crime unit works with banks.\n"
            "Summary\nWestmarch Police is good at working with schools. It runs a cadet scheme.\n")
    rep = build_report(load_bytes(text.encode(), "w.txt"))
    graded = {(i.question, i.grade) for i in rep.items if i.kind == "judgment"}
    assert graded == {("Tackling fraud", "good")}


def test_cause_of_concern_recommendations_after_a_lead_in() -> None:
    text = ("Dunmore Police PEEL legitimacy 2016\n"
            "How legitimate is the force at keeping people safe and reducing crime?\n"
            "Cause of concern\nThe force does not vet its staff to the national standard.\n"
            "To address this cause of concern, we recommend that the force should:\n"
            "• complete vetting of all staff within a year;\n• audit its vetting decisions.\n")
    rep = build_report(load_bytes(text.encode(), "d.txt"))
    assert [i.kind for i in rep.items if i.kind != "judgment"] == ["cause_of_concern", "recommendation",
                                                                    "recommendation"]


GRID_LAYOUT = """Our judgments
Our inspection assessed how good Ashby Police is in six areas of policing, graded as follows:

                                                      Requires
Outstanding        Good              Adequate                          Inadequate
                                                      improvement

                   Tackling fraud    Custody suites   Call handling
                   Road safety and   Vetting of                        Victim
                   traffic           new staff                         care

We also inspected how the force records crime. This is an ungraded inspection.
"""


def test_grade_grid_of_a_pdf_page_is_read_by_column() -> None:
    text = grid_text(GRID_LAYOUT)
    assert text is not None
    rows = [line for line in text.split("\n") if " | " in line]
    got = {(g.area, g.grade) for g in judgments.table(rows)}
    assert got == {("Tackling fraud", "good"), ("Road safety and traffic", "good"), ("Custody suites", "adequate"),
                   ("Vetting of new staff", "adequate"), ("Call handling", "requires improvement"),
                   ("Victim care", "inadequate")}
    assert "We also inspected how the force records crime." in text  # the prose after the grid is kept


def test_no_grid_without_a_header_of_grades() -> None:
    assert grid_text("Good work was done.\n    Outstanding    results   came   in.\n") is None


@pytest.mark.parametrize("line, got", [
    ("Leadership and force management Requires improvement", [("Leadership and force management",
                                                               "requires improvement")]),
    ("Victims told us the service was Good", []),
    ("Outstanding Good Adequate", []),
])
def test_a_pdf_table_row_is_an_area_then_its_grade(line: str, got: list) -> None:  # type: ignore[type-arg]
    assert [(g.area, g.grade) for g in judgments.line(line)] == got


GLUED_LAYOUT = """Our judgments
                                                                        Requires
Outstanding             Good                    Adequate                                        Inadequate
                                                                        improvement

                        Road safety             Custody suites and      Call handling
                                                detention               Supporting staff
                                                Vetting of new staffand wellbeing

Victim care

The force is good at road safety. It works with the council and a charity to run speed checks on rural roads.
"""


def test_grade_grid_cells_that_touch_and_a_heading_after_the_grid() -> None:
    """Two cells whose words the layout glued ("staffand wellbeing") part at the column they crossed; a
    heading at the margin with prose after it ends the grid rather than joining the first column."""
    text = grid_text(GLUED_LAYOUT)
    assert text is not None
    rows = [line for line in text.split("\n") if " | " in line]
    got = {(g.area, g.grade) for g in judgments.table(rows)}
    assert got == {("Road safety", "good"), ("Custody suites and detention", "adequate"),
                   ("Vetting of new staff", "adequate"), ("Call handling", "requires improvement"),
                   ("Supporting staff and wellbeing", "requires improvement")}
    assert "\nVictim care\n" in text


def test_a_pdf_table_whose_rows_fill_the_line_keeps_one_row_per_area() -> None:
    """Table rows read from a PDF without cell borders stay rows though a long one fills the text width."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "PEEL 2023-25: An inspection of Fenmoor Police. Published in May 2024.",
                   new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(120, 50)) as table:
        for area, grade in (("Area", "Grade"), ("Preventing crime", "Good"),
                            ("Building, supporting and protecting the workforce", "Requires improvement"),
                            ("Leadership and force management", "Adequate")):
            row = table.row()
            row.cell(area)
            row.cell(grade)
    pdf.multi_cell(0, 6, "Fenmoor Police is good at preventing crime. The force works well with its partners.",
                   new_x="LMARGIN", new_y="NEXT")
    rep = build_report(load_bytes(bytes(pdf.output()), "fenmoor.pdf"))
    got = {(i.question, i.grade) for i in rep.items if i.kind == "judgment"}
    assert ("Building, supporting and protecting the workforce", "requires improvement") in got, got
    assert ("Leadership and force management", "adequate") in got, got


def test_a_footnote_marker_on_the_judgment_label_does_not_hide_the_grade() -> None:
    text = ("PEEL: Police effectiveness 2016\nAn inspection of Fenmoor Police\nMarch 2017\n"
            "How effective is the force at keeping people safe and reducing crime?\nOverall judgement1\nGood\n"
            "Fenmoor Police works with the council. Fenmoor Police answers calls quickly.\n")
    rep = build_report(load_bytes(text.encode(), "fenmoor.txt"))
    got = [(i.question, i.grade) for i in rep.items if i.kind == "judgment"]
    assert ("How effective is the force at keeping people safe and reducing crime?", "good") in got, got
    assert not any((q or "").lower().startswith("overall judgement") for q, _ in got), got


def _rows(text: str | None) -> list[str]:
    return [x for x in (text or "").split("\n") if " | " in x]


def test_a_pdf_table_of_graded_rows_whose_cells_wrap_around_the_grade() -> None:
    """Cells set in the middle of their row: the wrapped lines above and below a grade are its row's."""
    layout = "\n".join([
        "Grades",
        "Grade          Pillar           Area",
        "                                Tackling fraud and",
        "Good           Effectiveness",
        "                                economic crime",
        "Inadequate     Legitimacy       Road safety",
        "                                Custody and the care",
        "Adequate       Efficiency       of detained",
        "                                people",
        "The force works with partners.",
    ])
    assert _rows(table_text(layout)) == ["Grade | Pillar | Area",
                                         "Good | Effectiveness | Tackling fraud and economic crime",
                                         "Inadequate | Legitimacy | Road safety",
                                         "Adequate | Efficiency | Custody and the care of detained people"]
    got = {(g.area, g.grade) for g in judgments.table(_rows(table_text(layout)))}
    assert ("Tackling fraud and economic crime", "good") in got


def test_a_pdf_table_of_graded_rows_set_at_the_top_of_each_row() -> None:
    layout = "\n".join([
        "Area                       Grade",
        "Tackling fraud and         Good",
        "  economic crime",
        "Road safety                Inadequate",
        "Custody and the care of    Adequate",
        "  detained people",
        "Findings",
    ])
    assert _rows(table_text(layout))[1:] == ["Tackling fraud and economic crime | Good", "Road safety | Inadequate",
                                             "Custody and the care of detained people | Adequate"]


def test_a_table_of_one_line_graded_rows_is_left_to_the_plain_text() -> None:
    assert table_text("Area        Grade\nRoad safety     Good\nCustody     Adequate\nFindings") is None


def test_a_pdf_table_whose_grade_stands_at_the_margin_and_cells_list_several_areas() -> None:
    """The grade column first, at the margin, alone on its line; the areas of a grade one under another."""
    layout = "\n".join([
        "Grade               Areas",
        "Outstanding",
        "                    Tackling fraud",
        "Good",
        "                    Road safety",
        "                    Custody and the care",
        "Adequate            of detained people",
        "                    Call handling",
        "Findings",
    ])
    rows = _rows(table_text(layout))
    assert rows[2:] == ["Good | Tackling fraud; Road safety",
                        "Adequate | Custody and the care of detained people; Call handling"], rows
    got = {(g.area, g.grade) for g in judgments.table(rows)}
    assert {("Tackling fraud", "good"), ("Road safety", "good"), ("Call handling", "adequate")} <= got


def test_a_wrapped_question_ends_below_its_grade_at_the_margin() -> None:
    layout = "\n".join([
        "Question                                  Judgement",
        "How well does the force treat its",
        "                                          Good",
        "workforce fairly?",
        "How well does the force plan for the",
        "                                          Adequate",
        "future?",
        "Findings",
    ])
    assert _rows(table_text(layout))[1:] == ["How well does the force treat its workforce fairly? | Good",
                                             "How well does the force plan for the future? | Adequate"]


def test_grades_alone_under_headings_are_no_table() -> None:
    assert table_text("Investigating crime\nGood\nThe force is good.\nCustody\nAdequate\nIt is adequate.") is None
