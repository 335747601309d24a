"""A file that is not an inspection report is refused with a clear message, or accepted with warnings."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from graph.errors import BadInput, UnsupportedFormat
from graph.ingest.load import load_bytes
from graph.ingest.pipeline import build_report

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from format_docs import names, render  # noqa: E402


def build(text: str, name: str = "x.txt"):  # type: ignore[no-untyped-def]
    return build_report(load_bytes(text.encode("utf-8"), name))


@pytest.mark.parametrize("name, text", [
    ("crimes.csv", "month,district,offence,count\n"
     + "".join(f"2021-0{m},North,burglary,{m * 7}\n" for m in range(1, 9))),
    ("export.txt", "id;name;grade\n" + "".join(f"{i};Area {i};good\n" for i in range(12))),
    ("sheet.tsv", "a\tb\tc\n" + "".join(f"{i}\t{i * 2}\t{i * 3}\n" for i in range(10))),
])
def test_delimited_data_is_refused(name: str, text: str) -> None:
    with pytest.raises(UnsupportedFormat) as exc:
        build(text, name)
    assert name in exc.value.message and "not a report" in exc.value.message


def test_prose_with_no_force_period_or_headings_is_refused() -> None:
    text = ("The recipe calls for two eggs and a cup of flour. Mix them well before adding the milk. "
            "Bake the mixture for twenty minutes, until it rises and turns golden.\n"
            "Serve it warm with butter and jam, or leave it to cool on a rack.\n")
    with pytest.raises(BadInput) as exc:
        build(text, "recipe.txt")
    assert "recipe.txt" in exc.value.message and "inspection report" in exc.value.message
    assert "\n" not in exc.value.message


def test_a_report_missing_its_period_is_accepted_with_a_warning() -> None:
    rep = build("Rowan Vale Police\nHow effective is the force at investigating crime?\n"
                "Rowan Vale Police investigates crime well. Rowan Vale Police keeps victims informed.\n")
    assert rep.meta.force == "Rowan Vale Police" and rep.meta.year is None
    assert rep.warnings == ["no inspection period found: the report cannot be placed in time"]


def test_a_text_naming_no_force_is_accepted_with_a_warning() -> None:
    rep = build("Community safety review 2019\nThe council reviewed street lighting in 2019 and found that "
                "most residents felt safer after the new lamps were installed.\n")
    assert any(w.startswith("no police force named") for w in rep.warnings)


@pytest.mark.parametrize("fmt", ["txt", "html", "pdf"])
@pytest.mark.parametrize("name", names())
def test_reports_have_no_warnings_and_tables_are_not_csv(name: str, fmt: str) -> None:
    rep = build_report(load_bytes(render(name, fmt), f"{name}.{fmt}"))
    assert rep.warnings == []


def test_bundled_reports_have_no_warnings(corpus_reports) -> None:  # type: ignore[no-untyped-def]
    assert all(r.warnings == [] for r in corpus_reports.values())
