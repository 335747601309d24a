"""Report metadata on documents written here: the title block says what the report is.

The forces, places and sentences are invented. Each document is read as an
upload is (load, normalise, detect), and the report id as the pipeline makes it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from graph.ingest import metadata
from graph.ingest.load import load_bytes
from graph.ingest.normalise import normalise
from graph.ingest.pipeline import report_id_for
from graph.records import ReportMeta
from ontology import inspection_programmes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from format_docs import FORMATS, parse, to_docx, to_html, to_pdf, to_text  # noqa: E402

BODY = ("Officers in the force told us that they understand the priorities set by the chief officer team.\n"
        "The force has a clear plan for how it will meet the demands it faces over the next four years.\n")


def read(text: str | bytes, name: str = "x.txt") -> ReportMeta:
    """The metadata an upload of this text (or these file bytes) gets."""
    raw = load_bytes(text.encode("utf-8") if isinstance(text, str) else text, name)
    return metadata.detect(normalise(raw), None, raw.title)


def html(title: str, headings: list[str], body: str) -> str:
    hs = "".join(f"<h{min(i + 1, 3)}>{h}</h{min(i + 1, 3)}>" for i, h in enumerate(headings))
    ps = "".join(f"<p>{line}</p>" for line in body.splitlines() if line)
    return f"<!doctype html><html><head><title>{title}</title></head><body><main>{hs}{ps}</main></body></html>"


# a PEEL pillar report whose body soon speaks of custody, child protection and legitimacy
PILLAR = ("PEEL: Police efficiency 2016\nAn inspection of Ravensmoor Police\nNovember 2016\n"
          "Ravensmoor Police has reorganised its custody suites and its child protection teams this year, "
          "and the police custody review it commissioned is complete.\n"
          "The child protection inspection we carried out last year found weaknesses that the force has "
          "since addressed, and its legitimacy work continues.\n" + BODY)


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_body_mentions_do_not_name_the_programme(fmt: str) -> None:
    lines = PILLAR.splitlines()
    text = PILLAR if fmt == "txt" else html(lines[0], lines[:2], "\n".join(lines[2:]))
    meta = read(text, f"x.{fmt}")
    assert (meta.force, meta.programme, meta.year) == ("Ravensmoor Police", "PEEL efficiency", "2016")
    assert report_id_for(meta, "x") == "ravensmoor-police-peel-efficiency-2016"


def test_three_pillars_in_the_title_are_integrated_peel() -> None:
    text = ("PEEL: Police effectiveness, efficiency and legitimacy 2018/19\nAn inspection of Ravensmoor Police\n"
            "Published in May 2019\nOur judgments\n"
            "Ravensmoor Police is good at treating the public fairly, and its legitimacy is not in doubt; "
            "legitimacy was the pillar we looked at most closely, and legitimacy again in the follow-up.\n" + BODY)
    meta = read(text)
    assert (meta.programme, meta.year) == ("Integrated PEEL", "2018/19")
    assert report_id_for(meta, "x") == "ravensmoor-police-integrated-peel-2018-19"


@pytest.mark.parametrize("head,year", [
    ("PEEL 2023–25: an inspection of Fenwick Constabulary", "2023/25"),
    ("PEEL 2021/22\nPolice effectiveness, efficiency and legitimacy\nAn inspection of Fenwick Constabulary",
     "2021/22"),
    ("PEEL 2025–27\nAn inspection of Fenwick Constabulary", "2025/27"),
    ("PEEL 2021/22\nAn inspection of Fenwick Constabulary\nLegitimacy", "2021/22"),  # a heading names one pillar
])
def test_rounds_from_2021_are_graded_peel(head: str, year: str) -> None:
    text = (f"{head}\nPublished in March 2026\n"
            "We graded Fenwick Constabulary in nine areas of policing. Its custody suites are safe, and the "
            "effectiveness of its child protection work has improved since the last inspection.\n" + BODY)
    meta = read(text)
    assert (meta.force, meta.programme, meta.year) == ("Fenwick Constabulary", "Graded PEEL", year)


CASES = {
    # another programme's report that mentions PEEL, custody or child protection in its body
    "custody": ("Report on an unannounced inspection visit to police custody suites in Ravensmoor\n"
                "Ravensmoor Police\n12–23 March 2018\n"
                "Our last PEEL effectiveness inspection of the force, in 2017, found that detainees were treated "
                "with respect; this joint inspection looks at custody in more depth.\n",
                ("Ravensmoor Police", "Custody inspection", "2018")),
    "child protection": ("National child protection inspection\nAn inspection of Fenwick Constabulary\n"
                         "Published in June 2016\nThe force's PEEL efficiency judgment in 2015 was good, and its "
                         "custody suites were not part of this inspection, which looked at how well children at "
                         "risk are protected.\n",
                         ("Fenwick Constabulary", "Child protection inspection", "2016")),
    # the title names the force, though the body names another more often
    "force in the title": ("PEEL: Police legitimacy 2017\nAn inspection of Fenwick Constabulary\nDecember 2017\n"
                           + "The force shares its vetting unit with Ravensmoor Police, and Ravensmoor Police "
                             "leads it.\n" * 3,
                           ("Fenwick Constabulary", "PEEL legitimacy", "2017")),
    # no title block (a PDF whose cover page was lost): PEEL and the pillar its questions ask
    "no title block": ("How effective is the force at protecting vulnerable people?\nRequires improvement\n"
                       "In this PEEL inspection we found that Ravensmoor Police works well with partners to "
                       "protect victims of domestic abuse, though its custody suites are busy.\n"
                       "How effective is the force at investigating crime?\nGood\n"
                       "Ravensmoor Police investigates crime well. We inspected it in September 2015.\n",
                       ("Ravensmoor Police", "PEEL effectiveness", "2015")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_title_block_says_force_programme_and_period(case: str) -> None:
    text, want = CASES[case]
    meta = read(text + BODY)
    assert (meta.force, meta.programme, meta.year) == want


def test_programme_names_come_from_the_ontology() -> None:
    labels = {p.label for p in inspection_programmes().values()}
    assert {"PEEL effectiveness", "PEEL efficiency", "PEEL legitimacy", "Integrated PEEL", "Graded PEEL",
            "Custody inspection", "Child protection inspection"} <= labels
    assert all(p.aliases for p in inspection_programmes().values())


@pytest.mark.parametrize("name,rid", [("000_a005810b8da77936", "cleveland-police-peel-effectiveness-2018-19"),
                                      ("004_872d08147d1315cb", "cleveland-police-peel-effectiveness-2015")])
def test_bundled_report_ids_are_stable(name: str, rid: str) -> None:
    """Users' links and the other tests name the bundled reports by these ids."""
    path = Path(__file__).resolve().parents[1] / "data" / "corpus" / f"{name}.txt"
    assert report_id_for(read(path.read_bytes(), path.name), path.name) == rid


MARKUP = {  # the same kinds of title block as cover pages with headings, in every format users bring
    "custody": ("# Report on an unannounced inspection visit to police custody suites in Ravensmoor\n"
                "## Ravensmoor Police\nPublished in August 2019\n## Introduction\n"
                "This joint inspection followed our PEEL effectiveness inspection, which looked at how the force "
                "protects vulnerable people, and our child protection inspection of the force in 2017.\n",
                ("Ravensmoor Police", "Custody inspection", "2019")),
    "integrated": ("# PEEL: Police effectiveness, efficiency and legitimacy 2018/19\n"
                   "## An inspection of Fenwick Constabulary\nPublished in May 2019\n## Custody\n"
                   "The force's police custody suites are run well, and its child protection teams are busy; "
                   "we found detainees safe and children protected in the cases we examined.\n",
                   ("Fenwick Constabulary", "Integrated PEEL", "2018/19")),
    "graded": ("# PEEL 2023–25\n## An inspection of Fenwick Constabulary\nPublished in June 2024\n"
               "## Overall summary\nWe graded the force's legitimacy work good, and its police custody suites "
               "are safe; a child protection inspection in 2022 found the same, and custody improved.\n",
               ("Fenwick Constabulary", "Graded PEEL", "2023/25")),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc", sorted(MARKUP))
def test_title_block_in_every_format(doc: str, fmt: str) -> None:
    markup, want = MARKUP[doc]
    pieces = parse(markup + BODY)
    data = {"txt": lambda: to_text(pieces).encode("utf-8"), "html": lambda: to_html(pieces).encode("utf-8"),
            "pdf": lambda: to_pdf(pieces), "docx": lambda: to_docx(pieces)}[fmt]()
    meta = read(data, f"x.{fmt}")
    assert (meta.force, meta.programme, meta.year) == want
