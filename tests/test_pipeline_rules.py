"""The normalisation, segmentation and metadata rules on documents written here.

None of this text comes from the bundled reports: the forces, places and
sentences are invented, so the rules are checked in general, not on the two
files they were first written against. Each document goes through the whole
pipeline: ``build_report(load(path))``.
"""
from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from graph.ingest import metadata
from graph.ingest.load import load, load_bytes
from graph.ingest.normalise import normalise
from graph.records import Report
from graph.ingest.pipeline import build_report

RULE = " " * 44
HEADER = "PEEL: Police effectiveness 2017 – Northmoor Constabulary"


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def body(rep: Report) -> list[str]:
    return [collapse(p.text) for p in rep.passages if p.kind in ("paragraph", "summary", "list", "list_item")]


def holding(rep: Report, needle: str) -> list:  # type: ignore[type-arg]
    return [p for p in rep.passages if needle in collapse(p.text)]


# ----------------------------------------------------------------------- a PDF-extracted, hard-wrapped report

WRAPPED_PAGES = [
    f"""{HEADER}
Northmoor Constabulary: PEEL effectiveness 2017

How effective is the force at investigating crime?

Northmoor Constabulary has improved the quality of its investi-
gation files since our last inspection in May 2016. Officers in every
district now follow a structured problem-
solving approach, and the problem-solving model1 is well understood
by supervisors, who review each open case within seven days.

www.example.gov.uk/inspections/northmoor-investigation-review

The force has worked with the Fenwick Housing Trust to reduce repeat
burglary across the county, and the number of repeat victims in the
{RULE}
1 The model is set out in the force's neighbourhood guidance, June 2016.
1
""",
    f"""{HEADER}
western district fell by a third during the year. Local officers told us
that this partnership is now part of their daily routine.

Figure 1: Proportion of case files meeting the standard, 2016 and 2017

Source: Northmoor Constabulary data

Year        Files reviewed      Meeting standard
2016        120                 61%
2017        140                 78%

Victims in rural areas wait longer for an officer to attend than victims
in the towns. The force knows this and has moved two response teams to
the market towns of Ashgrove and Millbeck to shorten these waits.
2
""",
    f"""{HEADER}
How effective is the force at protecting vulnerable people?

The public protection unit in Northmoor Constabulary manages the risk
posed by registered offenders well. Its officers visit each offender at
the intervals the national guidance sets, and they record every visit.

Call handlers assess the risk to each caller with a structured set of
questions. In the calls we listened to, the assessment was recorded
accurately and the right response was sent in good time.
3
""",
    f"""{HEADER}
Areas for improvement

• The force should make sure that its investi-
  gation plans are reviewed by a supervisor within seven days.
• The force should evaluate its problem-solving work with partner
  organisations so that it learns what reduces repeat burglary.

Our inspection found that officers in Northmoor Constabulary are
committed to the people they serve.
4
""",
]


@pytest.fixture(scope="module")
def wrapped(tmp_path_factory) -> Report:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("wrapped") / "northmoor-2017.txt"
    path.write_text("\f".join(WRAPPED_PAGES), encoding="utf-8")
    return build_report(load(path))


def test_wrapped_footnote_is_its_own_passage_linked_to_its_marker(wrapped: Report) -> None:
    notes = [p for p in wrapped.passages if p.kind == "footnote"]
    assert len(notes) == 1
    assert collapse(notes[0].text) == "The model is set out in the force's neighbourhood guidance, June 2016."
    para = holding(wrapped, "problem-solving model is well understood")
    assert len(para) == 1 and para[0].kind == "paragraph"
    assert para[0].footnote_refs == ["1"]
    assert not any("model1" in t or "neighbourhood guidance" in t for t in body(wrapped))


def test_wrapped_url_line_is_not_body_text(wrapped: Report) -> None:
    assert not any("www." in t or "example.gov.uk" in t for t in body(wrapped))
    # and it did not break the paragraph after it
    assert holding(wrapped, "The force has worked with the Fenwick Housing Trust")


def test_wrapped_caption_and_table_are_their_own_blocks(wrapped: Report) -> None:
    captions = [collapse(p.text) for p in wrapped.passages if p.kind == "caption"]
    assert "Figure 1: Proportion of case files meeting the standard, 2016 and 2017" in captions
    tables = [p for p in wrapped.passages if p.kind == "table"]
    assert any("61%" in p.text and "78%" in p.text for p in tables)
    assert not any("Figure 1" in t or "61%" in t or "Source:" in t for t in body(wrapped))


def test_wrapped_hyphenation(wrapped: Report) -> None:
    text = " ".join(body(wrapped))
    assert "quality of its investigation files" in text
    assert "investi-gation" not in text and "investi- gation" not in text
    # a real compound used elsewhere in the document keeps its hyphen when broken at the line end
    assert "a structured problem-solving approach" in text
    assert "problemsolving" not in text
    # a hyphenated word inside a bullet joins too
    afis = [collapse(i.text) for i in wrapped.items if i.kind == "area_for_improvement"]
    assert any("its investigation plans are reviewed" in t for t in afis), afis


def test_wrapped_page_furniture_is_dropped(wrapped: Report) -> None:
    assert not any(HEADER in p.text or "Police effectiveness 2017 –" in p.text for p in wrapped.passages)
    assert not any(re.fullmatch(r"\s*\d+\s*", p.text) for p in wrapped.passages)
    for t in body(wrapped):
        assert not re.search(r"(?:^| )[1-4]$", t), t  # no page number glued to the end of a paragraph


def test_wrapped_sentence_over_a_page_break_is_intact(wrapped: Report) -> None:
    sentence = ("The force has worked with the Fenwick Housing Trust to reduce repeat burglary across the county, "
                "and the number of repeat victims in the western district fell by a third during the year.")
    hits = holding(wrapped, sentence)
    assert len(hits) == 1 and hits[0].kind == "paragraph"
    assert "Local officers told us that this partnership is now part of their daily routine." in hits[0].text


def test_wrapped_every_sentence_in_exactly_one_passage(wrapped: Report) -> None:
    sentences = [
        "Victims in rural areas wait longer for an officer to attend than victims in the towns.",
        "The public protection unit in Northmoor Constabulary manages the risk posed by registered offenders well.",
        "In the calls we listened to, the assessment was recorded accurately "
        "and the right response was sent in good time.",
        "Our inspection found that officers in Northmoor Constabulary are committed to the people they serve.",
    ]
    for s in sentences:
        assert len(holding(wrapped, s)) == 1, s


def test_wrapped_headings_items_and_metadata(wrapped: Report) -> None:
    afis = [i for i in wrapped.items if i.kind == "area_for_improvement"]
    assert len(afis) == 2
    assert afis[1].text.startswith("The force should evaluate its problem-solving work")
    p = holding(wrapped, "The public protection unit")[0]
    assert p.question == "How effective is the force at protecting vulnerable people?"
    assert wrapped.meta.force == "Northmoor Constabulary"  # not in any gazetteer: read from the text
    assert wrapped.meta.year == "2017"
    assert wrapped.meta.programme == "PEEL effectiveness"
    for p in wrapped.passages:
        assert wrapped.text[p.start:p.end] == p.text


# ----------------------------------------------------------------------- a 2021-style report: topic + grade

REPORT_2021 = """PEEL 2021/22: An inspection of Kent Police
Overall summary
We inspected Kent Police in October 2021 and found a force that serves its communities well.
Preventing crime and anti-social behaviour
Adequate
Kent Police is adequate at preventing crime and anti-social behaviour. The force works with the district councils of the county to tackle nuisance on its high streets.
Areas for improvement
- The force should evaluate its problem-solving plans so that it knows which tactics work.
- The force should record anti-social behaviour incidents accurately. (Legitimacy 2017)
Responding to the public
Requires improvement
Kent Police requires improvement at responding to the public. Too many calls to the non-emergency number are abandoned before they are answered.
Cause of concern
The force does not answer non-emergency calls quickly enough, and callers give up before they can report crime.
Recommendations
By June 2022, the force should:
- review its call handling demand and staffing;
- make sure callers who abandon a call are called back.
Investigating crime
Good
Kent Police is good at investigating crime. Investigations are allocated to officers with the right skills and supervisors check them regularly.
"""  # noqa: E501 (a report's paragraphs are one line each)


@pytest.fixture(scope="module")
def rep2021(tmp_path_factory) -> Report:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("r2021") / "kent.txt"
    path.write_text(REPORT_2021, encoding="utf-8")
    return build_report(load(path))


def test_2021_topic_heading_with_grade_is_a_question_judgment(rep2021: Report) -> None:
    judgments = {i.question: i.grade for i in rep2021.items if i.kind == "judgment"}
    assert judgments == {
        "Preventing crime and anti-social behaviour": "adequate",
        "Responding to the public": "requires improvement",
        "Investigating crime": "good",
    }


def test_2021_areas_for_improvement_with_origin(rep2021: Report) -> None:
    afis = [i for i in rep2021.items if i.kind == "area_for_improvement"]
    assert [a.carried_over_from for a in afis] == [None, "Legitimacy 2017"]
    assert all(a.question == "Preventing crime and anti-social behaviour" for a in afis)
    causes = [i for i in rep2021.items if i.kind == "cause_of_concern"]
    assert len(causes) == 1 and causes[0].question == "Responding to the public"
    recs = [i for i in rep2021.items if i.kind == "recommendation"]
    assert [r.text for r in recs] == ["review its call handling demand and staffing;",
                                      "make sure callers who abandon a call are called back."]
    assert all(r.lead == "By June 2022, the force should:" or r.lead is None for r in recs)
    # the grade word is not body text, and the sections nest under their topic
    p = holding(rep2021, "Investigations are allocated")[0]
    assert p.section[0] == "Investigating crime"
    assert not any(collapse(x.text) in ("Adequate", "Good", "Requires improvement") for x in rep2021.passages)


def test_2021_metadata(rep2021: Report) -> None:
    assert rep2021.meta.force == "Kent Police"
    assert rep2021.meta.year == "2021/22"
    assert rep2021.meta.programme == "Graded PEEL"  # the 2021/22 round: graded areas, not one pillar


# ----------------------------------------------------------------------- run-in "Summary for question N"

RUN_IN = """Westbrook Police PEEL effectiveness 2019
How effective is the force at preventing crime and keeping people safe?
Westbrook Police works closely with schools to stop young people from being drawn into crime.
Summary for question 1How effective is the force at investigating crime?
Investigations in Westbrook Police are well supervised. Victims are kept informed of progress.
Summary for question 2How effective is the force at protecting those who are vulnerable from harm?
The force has a dedicated team for missing children. It works well with the local authority.
Summary for question 3
"""


def test_run_in_summary_headings_start_the_next_question(tmp_path: Path) -> None:
    path = tmp_path / "westbrook.txt"
    path.write_text(RUN_IN, encoding="utf-8")
    rep = build_report(load(path))
    assert not any("Summary for question" in p.text for p in rep.passages)
    p2 = holding(rep, "Investigations in Westbrook Police are well supervised.")[0]
    assert p2.question == "How effective is the force at investigating crime?"
    p3 = holding(rep, "The force has a dedicated team for missing children.")[0]
    assert p3.question == "How effective is the force at protecting those who are vulnerable from harm?"
    assert "Summary for question 2" not in " ".join(p3.section)
    p1 = holding(rep, "works closely with schools")[0]
    assert p1.question == "How effective is the force at preventing crime and keeping people safe?"
    assert rep.meta.force == "Westbrook Police" and rep.meta.year == "2019"


# ----------------------------------------------------------------------- HTML, DOCX, PDF through the pipeline

LONG_SENTENCE = ("Neighbourhood officers in Devon and Cornwall Police know the people they serve, and they work "
                 "with parish councils, schools and housing providers to solve the problems that matter most to "
                 "the residents of each village and town.")


def _check_small_report(rep: Report, fmt: str) -> None:
    assert rep.format == fmt
    assert rep.meta.force == "Devon and Cornwall Police"
    assert rep.meta.year == "2016"
    assert rep.meta.programme == "PEEL effectiveness"
    hits = holding(rep, LONG_SENTENCE)
    assert len(hits) == 1, [p.text for p in rep.passages]
    assert hits[0].question == "How effective is the force at preventing crime?"
    recs = [i for i in rep.items if i.kind == "recommendation"]
    assert [collapse(r.text) for r in recs] == [
        "The force should publish its neighbourhood priorities for every district.",
        "The force should evaluate its prevention work with partner organisations.",
    ]
    for p in rep.passages:
        assert rep.text[p.start:p.end] == p.text


def test_html_report(tmp_path: Path) -> None:
    html = f"""<!doctype html><html><head><title>Devon and Cornwall Police: PEEL effectiveness 2016</title></head>
<body><nav><a href="/">Home</a></nav><main>
<h1>PEEL: Police effectiveness 2016 – Devon and Cornwall Police</h1>
<h2>How effective is the force at preventing crime?</h2>
<p>{LONG_SENTENCE}</p>
<p>Devon and Cornwall Police has a clear plan for prevention.</p>
<h3>Recommendations</h3>
<ul><li>The force should publish its neighbourhood priorities for every district.</li>
<li>The force should evaluate its prevention work with partner organisations.</li></ul>
</main></body></html>"""
    path = tmp_path / "devon.html"
    path.write_text(html, encoding="utf-8")
    rep = build_report(load(path))
    _check_small_report(rep, "html")
    assert not any("Home" == collapse(p.text) for p in rep.passages)


def test_docx_report(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("PEEL: Police effectiveness 2016 – Devon and Cornwall Police", 0)
    d.add_heading("How effective is the force at preventing crime?", 1)
    d.add_paragraph(LONG_SENTENCE)
    d.add_paragraph("Devon and Cornwall Police has a clear plan for prevention.")
    d.add_heading("Recommendations", 2)
    d.add_paragraph("The force should publish its neighbourhood priorities for every district.", style="List Bullet")
    d.add_paragraph("The force should evaluate its prevention work with partner organisations.", style="List Bullet")
    path = tmp_path / "devon.docx"
    d.save(str(path))
    rep = build_report(load(path))
    _check_small_report(rep, "docx")


def _make_pdf(path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, new_x="LMARGIN", new_y="NEXT",
                   text="PEEL: Police effectiveness 2016 - Devon and Cornwall Police")
    pdf.ln(4)
    pdf.multi_cell(0, 8, new_x="LMARGIN", new_y="NEXT", text="How effective is the force at preventing crime?")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text=LONG_SENTENCE + " Devon and Cornwall Police has a clear "
                   "plan for prevention, and it reviews the plan with its partners every quarter.")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 7, new_x="LMARGIN", new_y="NEXT", text="Recommendations")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT",
                   text="- The force should publish its neighbourhood priorities for every district.")
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT",
                   text="- The force should evaluate its prevention work with partner organisations.")
    path.write_bytes(bytes(pdf.output()))


def test_pdf_report(tmp_path: Path) -> None:
    path = tmp_path / "devon.pdf"
    _make_pdf(path)
    raw = load(path)
    assert len([ln for ln in raw.lines if ln.text.strip()]) >= 6  # hard-wrapped: the sentence spans lines
    rep = build_report(raw)
    assert rep.format == "pdf"
    assert (rep.meta.force, rep.meta.year, rep.meta.programme) == ("Devon and Cornwall Police", "2016",
                                                                    "PEEL effectiveness")
    hits = holding(rep, LONG_SENTENCE)
    assert len(hits) == 1  # unwrapped, in one passage
    for p in rep.passages:
        assert rep.text[p.start:p.end] == p.text


def test_pdf_report_structure(tmp_path: Path) -> None:
    path = tmp_path / "devon.pdf"
    _make_pdf(path)
    _check_small_report(build_report(load(path)), "pdf")


# ----------------------------------------------------------------------- metadata


def _blocks(text: str):  # type: ignore[no-untyped-def]
    return normalise(load_bytes(text.encode(), "x.txt"))


@pytest.mark.parametrize("force", ["Kent Police", "Devon and Cornwall Police",
                                   "Hampshire and Isle of Wight Constabulary"])
def test_force_from_text_with_and_without_gazetteer(force: str) -> None:
    text = (f"PEEL: Police effectiveness 2016 – {force}\n"
            f"{force} works with Essex Police on serious organised crime.\n"
            f"We found that {force} responds to calls quickly.\n"
            f"Officers in {force} are well trained.\n")
    blocks = _blocks(text)
    assert metadata.detect(blocks).force == force  # with the ontology's gazetteer
    assert metadata.detect(blocks, known_forces=[]).force == force  # without it: the naming pattern


def test_force_not_in_gazetteer_is_still_found() -> None:
    text = ("Inspection of Harrowdale Constabulary 2023\n"
            "Harrowdale Constabulary has a new chief constable.\n"
            "We found Harrowdale Constabulary improving.\n")
    assert metadata.detect(_blocks(text)).force == "Harrowdale Constabulary"


def test_force_named_once_is_not_guessed() -> None:
    text = "An inspection report 2020\nThe team met Kent Police once.\nNothing else names a force here at all.\n"
    meta = metadata.detect(_blocks(text), known_forces=[])
    assert meta.force is None
    assert meta.year == "2020"


def test_force_named_once_in_the_title_is_the_force() -> None:
    text = ("PEEL 2021/22\nAn inspection of Harrowdale Constabulary\n"
            "The force works with Harrowdale Fire and Rescue Service and the council.\n")
    assert metadata.detect(_blocks(text), known_forces=[]).force == "Harrowdale Constabulary"


@pytest.mark.parametrize("title, year", [
    ("PEEL: Police effectiveness 2015\nAn inspection of Kent Police\nPublished in February 2016\n", "2015"),
    ("PEEL: Police effectiveness, efficiency and legitimacy 2018\nAn inspection of Kent Police\n"
     "Published in May 2019\nIn March 2019 we visited.\n", "2018/19"),
])
def test_pillar_report_keeps_its_title_year(title: str, year: str) -> None:
    """A pillar report ("Police effectiveness 2015") is of its year though published in the next; an
    integrated one whose fieldwork ran on is of both."""
    text = title + "Kent Police answers calls quickly. Kent Police works with the council.\n"
    assert metadata.detect(_blocks(text)).year == year


# ----------------------------------------------------------------------- layout detection


@pytest.mark.parametrize("text, wrapped", [
    (REPORT_2021, False),
    ("Kent Police PEEL 2016\nHow effective is the force at preventing crime?\n"
     "Kent Police works with councils to reduce nuisance in town centres. Officers patrol where residents ask.\n"
     "Areas for improvement\n- The force should evaluate its prevention work with partners. (Effectiveness 2015)\n",
     False),
    ("\f".join(WRAPPED_PAGES), True),
])
def test_wrapped_or_paragraph_layout_is_detected(text: str, wrapped: bool) -> None:
    from graph.ingest.normalise import looks_wrapped
    assert looks_wrapped(load_bytes(text.encode("utf-8"), "x.txt").lines) is wrapped
