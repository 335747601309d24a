"""The CLI: every command with --json and the output shapes of issue 2; bad input changes nothing."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF

ROOT = Path(__file__).resolve().parents[1]

STATS_KEYS = {"report_id", "title", "force", "year", "programme", "passages", "recommendations",
              "areas_for_improvement", "causes_of_concern", "judgments"}
PASSAGE_KEYS = {"passage_id", "report_id", "year", "section", "paragraph", "kind", "text"}
ITEM_KEYS = {"item_id", "report_id", "kind", "question", "text", "carried_over_from"}

SMALL = """PEEL: Police effectiveness 2016 – Dorset Police
How effective is the force at preventing crime?
Dorset Police works with parish councils to reduce nuisance in its villages. Officers patrol the places residents name.
Recommendations
- The force should publish its neighbourhood priorities.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A store built by `peelgraph build --json` (subprocess: the real console script)."""
    store = tmp_path_factory.mktemp("cli_store")
    env = {**os.environ, "PEELGRAPH_STORE": str(store), "PEELGRAPH_ENCODER": "hash"}
    r = subprocess.run([str(ROOT / ".venv" / "bin" / "peelgraph"), "build", "--json"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    import json
    return store, json.loads(r.stdout)


def test_build_json(built) -> None:  # type: ignore[no-untyped-def]
    _, out = built
    assert {r["status"] for r in out["ingested"]} == {"added"}
    assert len(out["ingested"]) == 2
    assert set(out["stats"]) == {"reports", "passages"}


def test_stats_json_shape(built, run_cli) -> None:  # type: ignore[no-untyped-def]
    store, _ = built
    r = run_cli(store, "stats", "--json")
    assert r.code == 0 and r.err == ""
    stats = r.json()
    assert set(stats) == {"reports", "passages"}
    assert isinstance(stats["passages"], int)
    assert len(stats["reports"]) == 2
    for rep in stats["reports"]:
        assert STATS_KEYS <= set(rep)
        for j in rep["judgments"]:
            assert set(j) >= {"question", "grade"}
    assert stats["passages"] == sum(rep["passages"] for rep in stats["reports"])


def test_reports_passages_items_json(built, run_cli) -> None:  # type: ignore[no-untyped-def]
    store, _ = built
    reports = run_cli(store, "reports", "--json").json()
    ids = sorted(r["report_id"] for r in reports)
    assert len(ids) == 2
    rid = next(r["report_id"] for r in reports if r["year"] == "2018/19")
    passages = run_cli(store, "passages", "--report", rid, "--json").json()
    assert passages and all(PASSAGE_KEYS <= set(p) and p["report_id"] == rid for p in passages)
    assert all(p["year"] == "2018/19" for p in passages)
    summaries = run_cli(store, "passages", "--kind", "footnote", "--json").json()
    assert summaries and {p["kind"] for p in summaries} == {"footnote"}
    items = run_cli(store, "items", "--kind", "recommendation", "--json").json()
    assert len(items) == 12 and all(ITEM_KEYS <= set(i) and i["kind"] == "recommendation" for i in items)
    afis = run_cli(store, "items", "--report", rid, "--kind", "area_for_improvement", "--json").json()
    assert len(afis) == 8 and sum(1 for a in afis if a["carried_over_from"]) == 3
    judgments = run_cli(store, "items", "--kind", "judgment", "--json").json()
    assert len(judgments) == 5
    everything = run_cli(store, "items", "--json").json()
    assert len(everything) == 12 + 8 + 2 + 5 + 6


def test_text_output_and_unknown_report(built, run_cli) -> None:  # type: ignore[no-untyped-def]
    store, _ = built
    r = run_cli(store, "stats")
    assert r.code == 0 and "Cleveland Police" in r.out and "passages" in r.out
    r = run_cli(store, "passages", "--report", "no-such-report", "--json")
    assert r.code != 0 and r.out == ""
    assert len(r.err.strip().splitlines()) == 1 and "no-such-report" in r.err


def test_ingest_reingest_delete(tmp_path: Path, run_cli, dump_store) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    f = tmp_path / "dorset.txt"
    f.write_text(SMALL, encoding="utf-8")
    r = run_cli(store, "ingest", str(f), "--json")
    assert r.code == 0, r.err
    [res] = r.json()
    assert res["status"] == "added" and res["passages"] >= 2
    before = dump_store(store)
    r = run_cli(store, "ingest", str(f), "--json")
    assert r.json()[0]["status"] == "unchanged"
    after = dump_store(store)
    before.pop("meta"), after.pop("meta")  # the generation moved on: the change log says no report changed
    earlier = before.pop("changes")
    assert [row[2:] for row in after.pop("changes") if row not in earlier] == [(res["report_id"], "none")]
    assert before == after
    r = run_cli(store, "delete", res["report_id"], "--json")
    assert r.code == 0 and r.json() == {"report_id": res["report_id"], "status": "deleted"}
    assert run_cli(store, "reports", "--json").json() == []
    assert run_cli(store, "passages", "--json").json() == []
    assert run_cli(store, "items", "--json").json() == []
    r = run_cli(store, "delete", res["report_id"])
    assert r.code == 3 and len(r.err.strip().splitlines()) == 1


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {}
    files["empty"] = tmp / "empty.txt"
    files["empty"].write_bytes(b"")
    files["binary"] = tmp / "image.txt"
    files["binary"].write_bytes(bytes(range(256)) * 40)
    files["unsupported"] = tmp / "sheet.xls"
    files["unsupported"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 6, text="Dorset Police inspection 2016. " * 30)
    data = bytes(pdf.output())
    files["truncated_pdf"] = tmp / "cut.pdf"
    files["truncated_pdf"].write_bytes(data[: len(data) // 2])
    files["one_line_50mb"] = tmp / "huge.txt"
    with files["one_line_50mb"].open("wb") as fh:
        chunk = b"word " * 200_000  # 1 MB
        for _ in range(50):
            fh.write(chunk)
    files["missing"] = tmp / "does-not-exist.txt"
    files["directory_with_no_reports"] = tmp / "nothing_here"
    files["directory_with_no_reports"].mkdir()
    return files


@pytest.mark.parametrize("command", ["ingest", "build"])
def test_bad_input_one_line_error_and_store_unchanged(tmp_path: Path, run_cli, dump_store, command) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    good = tmp_path / "dorset.txt"
    good.write_text(SMALL, encoding="utf-8")
    assert run_cli(store, "ingest", str(good), "--json").code == 0
    before = dump_store(store)
    for name, path in _bad_files(_mk(tmp_path / "bad")).items():
        if command == "ingest" and name == "directory_with_no_reports":
            continue
        r = run_cli(store, command, str(path), "--json")
        assert r.code != 0, name
        lines = r.err.strip().splitlines()
        assert len(lines) == 1, (name, r.err)
        assert "Traceback" not in r.err and "internal error" not in r.err, (name, r.err)
        assert path.name in lines[0] or name == "directory_with_no_reports", (name, r.err)
        assert r.out == "", name
        assert dump_store(store) == before, name
    # one bad file among good ones writes nothing either
    other = tmp_path / "other.txt"
    other.write_text(SMALL.replace("Dorset", "Wiltshire"), encoding="utf-8")
    r = run_cli(store, "ingest", str(other), str(tmp_path / "bad" / "empty.txt"), "--json")
    assert r.code != 0
    assert dump_store(store) == before


def _mk(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def test_subprocess_error_exit_code(tmp_path: Path) -> None:
    env = {**os.environ, "PEELGRAPH_STORE": str(tmp_path / "store"), "PEELGRAPH_ENCODER": "hash"}
    (tmp_path / "empty.txt").write_bytes(b"")
    r = subprocess.run([str(ROOT / ".venv" / "bin" / "peelgraph"), "ingest", str(tmp_path / "empty.txt")],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "empty.txt" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("argv", [("compare", "neighbourhood policing"), ("themes",), ("tracker",), ("legend",),
                                  ("sparql", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"), ("reports",), ("stats",),
                                  ("crosscutting",), ("items",), ("findings",)])
def test_every_command_prints_text_unless_json(built, run_cli, argv) -> None:  # type: ignore[no-untyped-def]
    import json
    store, _ = built
    text = run_cli(store, *argv)
    assert text.code == 0 and text.out.strip(), text.err
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.out)
    as_json = run_cli(store, *argv, "--json")
    assert as_json.code == 0 and as_json.json() is not None


def test_tracker_text_names_origin_years(built, run_cli) -> None:  # type: ignore[no-untyped-def]
    store, _ = built
    data = run_cli(store, "tracker", "--status", "carried_over", "--json").json()
    text = run_cli(store, "tracker", "--status", "carried_over").out
    assert len(data["items"]) == 3
    for row in data["items"]:
        assert f"[carried over from {row['origin']['label']}]" in text and f"(origin {row['origin_year']})" in text


def test_a_new_command_is_one_table_entry() -> None:
    from api.cli import COMMANDS, _parser

    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    sub = next(a for a in _parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(names) | {"serve"}
    assert all(callable(c.call) and callable(c.show) for c in COMMANDS)


def test_serve_changes_no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    import uvicorn

    from api import cli
    from api.settings import get_settings

    monkeypatch.setenv("PEELGRAPH_STORE", str(tmp_path / "store"))
    get_settings.cache_clear()
    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    before = dict(os.environ)
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert dict(os.environ) == before
    assert seen["host"] == "0.0.0.0" and seen["port"] == 8123
    assert seen["app"].state.service.settings.host == "0.0.0.0"  # writes follow the bound address
    get_settings.cache_clear()


def test_make_serve_port_from_the_command_line_or_the_environment() -> None:
    """`make serve PORT=...` wins; otherwise the shell reads PEELGRAPH_PORT when the recipe runs."""
    def serve_line(*args: str, **env: str) -> str:
        out = subprocess.run(["make", "-n", "serve", *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={**os.environ, **env})
        assert out.returncode == 0, out.stderr
        line = next(x for x in out.stdout.splitlines() if "peelgraph serve" in x)
        return subprocess.run(["sh", "-c", f"echo {line}"], capture_output=True, text=True,
                              env={**os.environ, **env}).stdout
    assert "--port 9001" in serve_line("PORT=9001")
    assert "--port 9002" in serve_line(PEELGRAPH_PORT="9002")
    assert "--port 8000" in serve_line(PEELGRAPH_PORT="")
