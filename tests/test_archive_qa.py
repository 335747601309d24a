"""The archive question sets (benchmarks/data/archive_qa*.jsonl) stay answerable from the archive it was written on.

Each evidence string must occur once in the whole archive of many forces' reports and inside a passage of
the store built from it; a change to the benchmark documents or to how reports become passages that breaks
that would make the set score nonsense, so it fails here first.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import archive  # noqa: E402

QA = archive.ROOT / "benchmarks" / "data" / "archive_qa.jsonl"
QA2 = archive.ROOT / "benchmarks" / "data" / "archive_qa2.jsonl"  # written later, by another hand


@pytest.fixture(scope="module")
def passages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("archive")
    archive.write_archive(out)
    store = tmp_path_factory.mktemp("store")
    archive._peelgraph(store, "build", str(out))
    return archive.store_passages(store)


def test_archive_writes_every_document_once_alternating_formats(tmp_path: Path) -> None:
    written = archive.write_archive(tmp_path)
    docs = archive.documents()
    assert len(written) == len(docs) + 2  # plus the two bundled reports
    names = [p.name for p in written[:len(docs)]]
    assert len(set(names)) == len(names)
    assert {p.suffix for p in written[:len(docs)]} == {".txt", ".html"}
    assert all(n.startswith(f"{folder}__{name}__{force}.") for n, (folder, name, force) in zip(names, docs))
    again = archive.write_archive(tmp_path / "again")  # deterministic: same names, same bytes
    assert [(p.name, p.read_bytes()) for p in again] == [(p.name, p.read_bytes()) for p in written]


@pytest.mark.parametrize("qa", [QA, QA2], ids=["archive_qa", "archive_qa2"])
def test_question_set_is_valid(passages: list[str], qa: Path) -> None:
    rows, problems = archive.load(qa)
    assert problems + archive.check(rows, passages) == []
    assert {r["kind"] for r in rows} == archive.KINDS


def test_check_reports_repeated_missing_and_renumbered(passages: list[str]) -> None:
    rows, _ = archive.load(QA)
    rows[0] = {**rows[0], "evidence": ["Police effectiveness, efficiency and legitimacy"]}  # a stock heading
    rows[1] = {**rows[1], "evidence": ["a sentence that no inspection report in this archive contains"]}
    rows[2] = {**rows[2], "id": "a01"}
    problems = archive.check(rows, passages)
    assert any(p.startswith("a01: evidence found") and "times in the archive" in p for p in problems)
    assert any(p.startswith("a02: evidence found 0 times") for p in problems)
    assert any(p.startswith("a02: evidence in no stored passage") for p in problems)
    assert any(p.startswith("expected ids") for p in problems)
