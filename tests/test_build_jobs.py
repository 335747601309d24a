"""`peelgraph build --jobs N`: reports parsed and extracted in worker processes, written one transaction each;
a bad file is reported at the end and does not stop the rest; the store ends as `--jobs 1` leaves it."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture()
def mixed(tmp_path: Path, corpus_files: dict[str, Path]) -> Path:
    """Three good reports (the bundled two and a later one of the same force) and three files that fail."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    for path in corpus_files.values():
        shutil.copy(path, folder / path.name)
    later = re.sub(r"\b(20[012]\d)\b", lambda m: str(int(m.group(1)) + 3),
                   corpus_files["2018/19"].read_text(encoding="utf-8"))
    (folder / "later.txt").write_text(later, encoding="utf-8")
    (folder / "a_empty.txt").write_bytes(b"")
    (folder / "b_not_a.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf \x00\xff")
    (folder / "c_not_a.docx").write_bytes(b"PK\x03\x04 broken zip")
    return folder


def _content(dump: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The stored data without bookkeeping that differs between two runs (generation, log, ingest time)."""
    out = {k: v for k, v in dump.items() if k not in ("meta", "changes")}
    out["reports"] = [row[:-1] for row in dump["reports"]]  # ingested_at is the last column
    return out


def test_build_jobs_matches_one_job_and_reports_each_bad_file(tmp_path: Path, mixed: Path, run_cli,  # type: ignore[no-untyped-def]
                                                                dump_store) -> None:
    runs = {}
    for jobs in ("1", "2"):
        store = tmp_path / f"store{jobs}"
        r = run_cli(store, "build", str(mixed), "--jobs", jobs, "--json")
        assert r.code == 2, r.err  # some files failed: bad input
        out = r.json()
        assert sorted(Path(x["source"]).name for x in out["ingested"]) == sorted(
            p.name for p in mixed.iterdir() if p.suffix == ".txt" and p.stat().st_size)
        assert [Path(f["file"]).name for f in out["failed"]] == ["a_empty.txt", "b_not_a.pdf", "c_not_a.docx"]
        lines = r.err.strip().splitlines()
        assert len(lines) == 4 and lines[-1] == "peelgraph: 3 files failed"
        for line, f in zip(lines, out["failed"]):
            assert Path(f["file"]).name in line and "Traceback" not in r.err
            assert line == f"peelgraph: error: {f['error']}"
        runs[jobs] = _content(dump_store(store))
    assert runs["1"] == runs["2"]
    assert len(runs["2"]["reports"]) == 3 and runs["2"]["relations"] and runs["2"]["embeddings"]


def test_build_jobs_with_only_bad_files_writes_nothing(tmp_path: Path, mixed: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    for p in mixed.glob("*.txt"):
        if p.stat().st_size:
            p.unlink()
    r = run_cli(tmp_path / "store", "build", str(mixed), "--jobs", "2", "--json")
    assert r.code == 2 and r.out == ""
    assert len(r.err.strip().splitlines()) == 4
    assert run_cli(tmp_path / "store", "reports", "--json").json() == []


def test_build_jobs_must_be_positive(tmp_path: Path, mixed: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(tmp_path / "store", "build", str(mixed), "--jobs", "0")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
