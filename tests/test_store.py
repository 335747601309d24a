"""The store on both backends (SQLite: WAL, FTS5; PostgreSQL: tsvector, migrations): idempotent re-ingest,
replace, delete, transactions, kill -9."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from graph.errors import NotFound, StoreError
from graph.ingest.load import load_bytes
from graph.ingest.pipeline import build_report
from graph.records import Report
from graph.store import DB_NAME, SCHEMA_VERSION, Store
from graph.stores import open_store

ROOT = Path(__file__).resolve().parents[1]

SMALL = """PEEL: Police effectiveness 2016 – Kent Police
How effective is the force at preventing crime?
Kent Police works with district councils to reduce nuisance in town centres. Officers patrol the areas residents name.
Areas for improvement
- The force should evaluate its prevention work with partners.
- The force should record anti-social behaviour accurately. (Legitimacy 2015)
How effective is the force at investigating crime?
Investigations in Kent Police are well supervised. Victims are kept informed.
"""


def report_of(text: str, name: str = "kent.txt") -> Report:
    return build_report(load_bytes(text.encode("utf-8"), name))


def is_pg(store: Store) -> bool:
    return store.directory is None


def counts(store: Store) -> dict[str, int]:
    """Rows per table; "passages_fts" is the keyword index (FTS5 rows, or one tsvector row per passage)."""
    con = store.con
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("reports", "passages", "items", "passages_fts")}


def fts_hits(store: Store, word: str) -> int:
    if is_pg(store):
        return store.doc_freq([word])[word]  # matched through the keyword index (graph.pg.bm25)
    return store.con.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (word,)).fetchone()[0]


def fts_ok(store: Store) -> None:
    """The keyword index agrees with the rows it indexes."""
    if is_pg(store):
        from graph.pg.schema import keyword_vector

        stale = store.con.execute(
            "SELECT count(*) FROM passages p LEFT JOIN passages_fts f ON f.passage_id = p.passage_id"
            " WHERE f.rowid IS DISTINCT FROM p.rowid OR f.tsv IS DISTINCT FROM"
            f" {keyword_vector('p.text', 'p.section')}").fetchone()[0]
        orphans = store.con.execute("SELECT count(*) FROM passages_fts WHERE passage_id NOT IN"
                                    " (SELECT passage_id FROM passages)").fetchone()[0]
        assert stale == 0 and orphans == 0
        return
    store.con.execute("INSERT INTO passages_fts(passages_fts) VALUES ('integrity-check')")


def pg_dump(store: Store) -> dict[str, list[str]]:
    """Every row of every table of a PostgreSQL store (tsvectors included), for "nothing changed" comparisons."""
    names = [r[0] for r in store.con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name")]
    return {n: sorted(repr(tuple(r)) for r in store.con.execute(f"SELECT * FROM {n}")) for n in names}


@pytest.fixture()
def dump(dump_store):  # type: ignore[no-untyped-def]
    """dump(store): every row of the store, whichever its backend."""
    return lambda store: pg_dump(store) if is_pg(store) else dump_store(store.directory)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """open(): a new store object on this test's store (the same data each time it is called)."""
    if request.param == "sqlite":
        return lambda: open_store(tmp_path / "store")
    url = request.getfixturevalue("pg_url")
    return lambda: open_store(tmp_path / "unused", url)


@pytest.fixture()
def store(backend: Any) -> Store:
    s = backend()
    yield s
    s.close()


@pytest.fixture()
def sqlite_store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "store")
    yield s
    s.close()


def test_wal_and_fts5(sqlite_store: Store) -> None:
    store = sqlite_store
    assert store.con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    sql = store.con.execute("SELECT sql FROM sqlite_master WHERE name='passages_fts'").fetchone()[0]
    assert "fts5" in sql.lower()
    store.put_report(report_of(SMALL))
    assert fts_hits(store, "nuisance") == 1
    assert fts_hits(store, "supervised") == 1
    fts_ok(store)


def test_reingest_same_content_changes_nothing(store: Store, dump) -> None:  # type: ignore[no-untyped-def]
    rep = report_of(SMALL)
    assert store.put_report(rep) == "added"
    before = dump(store)
    gen = store.generation()
    assert store.put_report(report_of(SMALL)) == "unchanged"
    after = dump(store)
    # the generation counter moves on with every write transaction, and the change log says it changed no
    # report; the data does not change
    before.pop("meta"), after.pop("meta")
    earlier = before.pop("changes")
    logged = [row for row in after.pop("changes") if row not in earlier]
    assert len(logged) == 1 and rep.report_id in str(logged[0]) and "'none'" in str(logged[0])
    before.pop("schema_version", None), after.pop("schema_version", None)
    assert before == after
    assert store.generation() >= gen
    # a different file name with the same bytes is the same content
    assert store.put_report(report_of(SMALL, "renamed.txt")) == "unchanged"
    assert counts(store)["reports"] == 1


def test_new_version_replaces_the_old(store: Store) -> None:
    old = report_of(SMALL)
    store.put_report(old)
    new_text = SMALL.replace("Victims are kept informed.", "Victims are told about the progress of their case.")
    new = report_of(new_text)
    assert new.report_id == old.report_id and new.sha256 != old.sha256
    assert store.put_report(new) == "replaced"
    texts = [p.text for p in store.passages(new.report_id)]
    assert texts == [p.text for p in new.passages]
    assert not any("Victims are kept informed." in t for t in texts)
    assert store.report(new.report_id)["sha256"] == new.sha256
    c = counts(store)
    assert c["reports"] == 1 and c["passages"] == len(new.passages) == c["passages_fts"]
    assert c["items"] == len(new.items)
    assert fts_hits(store, "progress") == 1
    fts_ok(store)


def test_delete_removes_everything(store: Store) -> None:
    rep = report_of(SMALL)
    other = report_of(SMALL.replace("Kent Police", "Essex Police"), "essex.txt")
    store.put_report(rep)
    store.put_report(other)
    store.delete_report(rep.report_id)
    assert [r["report_id"] for r in store.reports()] == [other.report_id]
    assert store.passages(rep.report_id) == []
    assert store.items(rep.report_id) == []
    assert counts(store)["passages_fts"] == len(other.passages)
    assert fts_hits(store, "nuisance") == 1  # only the other report's copy is left
    fts_ok(store)
    with pytest.raises(NotFound):
        store.report(rep.report_id)
    with pytest.raises(NotFound):
        store.delete_report(rep.report_id)


def test_unknown_ids_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.report("no-such-report")
    with pytest.raises(NotFound):
        store.passage("no-such-passage")
    with pytest.raises(NotFound):
        store.delete_report("no-such-report")


def test_error_inside_put_report_leaves_previous_state(store: Store, dump) -> None:  # type: ignore[no-untyped-def]
    store.put_report(report_of(SMALL))
    before = dump(store)

    def boom(con, report):  # type: ignore[no-untyped-def]
        raise RuntimeError("derived data failed")

    # a new version (replace path: the old rows are deleted first inside the transaction)
    new = report_of(SMALL.replace("Victims are kept informed.", "Victims are told what happens next."))
    with pytest.raises(RuntimeError):
        store.put_report(new, extra=boom)
    # a new report (add path)
    with pytest.raises(RuntimeError):
        store.put_report(report_of(SMALL.replace("Kent Police", "Essex Police"), "essex.txt"), extra=boom)
    with pytest.raises(RuntimeError):
        store.delete_report(new.report_id, extra=boom)
    assert dump(store) == before
    # the store is still usable afterwards
    assert store.put_report(new) == "replaced"


def test_newer_schema_version_is_refused(tmp_path: Path) -> None:
    s = Store(tmp_path)
    s.con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    s.close()
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    msg = err.value.message
    assert f"schema version {SCHEMA_VERSION + 1}" in msg and str(SCHEMA_VERSION) in msg
    assert "\n" not in msg


def test_postgres_migrations_are_versioned_and_a_newer_schema_is_refused(pg_url: str) -> None:
    from graph.pg.schema import LATEST, MIGRATIONS
    from graph.pg.store import PgStore

    s = PgStore(pg_url)
    applied = [r[0] for r in s.con.execute("SELECT version FROM schema_version ORDER BY version")]
    assert applied == [v for v, _ in MIGRATIONS]
    s.close()
    s = PgStore(pg_url)  # opening again applies nothing twice
    assert [r[0] for r in s.con.execute("SELECT version FROM schema_version ORDER BY version")] == applied
    # a store left at version 1 (page NOT NULL) is brought to the latest version when opened
    s.con.execute("ALTER TABLE passages ALTER COLUMN page SET NOT NULL")
    s.con.execute("DELETE FROM schema_version WHERE version > 1")
    s.close()
    s = PgStore(pg_url)
    assert [r[0] for r in s.con.execute("SELECT version FROM schema_version ORDER BY version")] == applied
    nullable = s.con.execute("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'passages'"
                             " AND column_name = 'page'").fetchone()[0]
    assert nullable == "YES"
    s.con.execute("INSERT INTO schema_version(version) VALUES (?)", (LATEST + 1,))
    s.close()
    with pytest.raises(StoreError) as err:
        PgStore(pg_url)
    msg = err.value.message
    assert f"schema version {LATEST + 1}" in msg and "\n" not in msg


def _drop_connections(pg_server: str, pg_url: str) -> None:
    """The server drops every connection to the test database (as a restart or failover would)."""
    from urllib.parse import urlsplit

    import psycopg

    with psycopg.connect(pg_server, autocommit=True) as admin:
        dropped = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s"
                                " AND pid <> pg_backend_pid()", (urlsplit(pg_url).path.lstrip("/"),)).fetchone()[0]
    assert dropped >= 1


def test_postgres_lost_connection_is_a_store_error_and_the_pool_recovers(pg_url: str, pg_server: str) -> None:
    from graph.pg.store import PgStore

    s = PgStore(pg_url, max_size=1)
    s.put_report(report_of(SMALL))
    _drop_connections(pg_server, pg_url)
    assert len(s.reports()) == 1  # a pooled connection the server dropped is replaced and the read retried
    with pytest.raises(StoreError) as err, s.write() as con:
        _drop_connections(pg_server, pg_url)
        con.execute("DELETE FROM reports")
    assert "unavailable" in err.value.message and "\n" not in err.value.message
    assert len(s.reports()) == 1  # the write did not happen, and the store is usable again
    s.close()


def test_postgres_unreachable_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        open_store(tmp_path, f"postgresql://nobody:secret@/nodb?host={tmp_path}&connect_timeout=1")
    assert "cannot connect" in err.value.message and "secret" not in err.value.message


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not a SQLite database at all\n" * 100)
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert DB_NAME in err.value.message


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / DB_NAME)
    con.execute("CREATE TABLE something_else (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError):
        Store(tmp_path)


def test_store_directory_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError):
        Store(tmp_path / "f")


def test_two_store_objects_see_each_others_commits(backend: Any) -> None:
    a, b = backend(), backend()
    a.put_report(report_of(SMALL))
    assert [r["report_id"] for r in b.reports()] == [r["report_id"] for r in a.reports()]
    a.close(), b.close()


def test_concurrent_writers_are_serialised(backend: Any) -> None:
    """Two store objects (two connections or pools) put the same report at once: one adds it, the
    other finds it; each write moves the generation once."""
    import threading

    a, b = backend(), backend()
    gen = a.generation()
    rep = report_of(SMALL)
    barrier, out = threading.Barrier(2), []

    def put(s: Store) -> None:
        barrier.wait()
        out.append(s.put_report(rep))

    threads = [threading.Thread(target=put, args=(s,)) for s in (a, b)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert sorted(out) == ["added", "unchanged"]
    assert b.generation() == gen + 2 and counts(a)["reports"] == 1
    a.close(), b.close()


# ----------------------------------------------------------------------- kill -9 in the middle of an ingest


def _big_report(path: Path, version: str, paragraphs: int) -> None:
    lines = [f"PEEL: Police effectiveness 2017 – Surrey Police ({version})",
             "How effective is the force at preventing crime?"]
    for i in range(paragraphs):
        if i % 40 == 0:
            lines.append(f"Section {i // 40} of the findings")
        lines.append(f"Surrey Police paragraph {i} of version {version}: officers in district {i % 17} "
                     f"work with {['schools', 'councils', 'charities'][i % 3]} to reduce harm. "
                     f"The force reviewed case {i} and found that supervision was consistent. "
                     f"Victims in area {i % 11} said they were kept informed about their case {version}.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _state(open_store_: Any) -> tuple[int, int, set[str]]:
    s = open_store_()  # must open: a killed writer leaves a usable store
    try:
        fts_ok(s)
        versions = {r["title"][-3:-1] for r in s.reports()}
        c = counts(s)
        assert c["passages_fts"] == c["passages"]
        return c["reports"], c["passages"], versions
    finally:
        s.close()


def _wal_size(store_dir: Path) -> int:
    try:
        return (store_dir / (DB_NAME + "-wal")).stat().st_size
    except FileNotFoundError:
        return 0


def _pg_writing(url: str) -> int:
    """1 while some process holds the store's write lock (its write transaction is under way)."""
    import psycopg

    from graph.pg.store import WRITE_LOCK

    with psycopg.connect(url, autocommit=True) as con:
        return int(con.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                               "AND granted", (WRITE_LOCK,)).fetchone()[0])


def _run_and_kill(exe: str, path: Path, env: dict, progress: Any, *, after: float | None = None,
                  progress_at: int | None = None, then: float = 0.0, limit: float = 60.0) -> str:
    """Start an ingest and SIGKILL it after ``after`` seconds, or ``then`` seconds after ``progress()``
    (bytes in SQLite's write-ahead log, or PostgreSQL's write lock held) reaches ``progress_at``.
    Returns how it ended."""
    base = progress()
    proc = subprocess.Popen([exe, "ingest", str(path), "--json"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    try:
        while proc.poll() is None and time.monotonic() - t0 < limit:
            if after is not None and time.monotonic() - t0 >= after:
                break
            if progress_at is not None and progress() - base >= progress_at:
                time.sleep(then)
                break
            time.sleep(0.002)
        if proc.poll() is not None:
            return "finished"
        os.kill(proc.pid, signal.SIGKILL)
        return "killed"
    finally:
        proc.wait(timeout=30)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_kill_during_ingest_leaves_old_or_new_state(kind: str, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    store_dir = tmp_path / "store"
    old, new = tmp_path / "v1.txt", tmp_path / "v2.txt"
    _big_report(old, "v1", 200)
    _big_report(new, "v2", 800)  # a few hundred KB: long enough to interrupt at several points
    env = {**os.environ, "PEELGRAPH_STORE": str(store_dir), "PEELGRAPH_ENCODER": "hash"}
    env.pop("PEELGRAPH_DATABASE_URL", None)
    if kind == "postgres":
        url = env["PEELGRAPH_DATABASE_URL"] = request.getfixturevalue("pg_url")
        opener, progress = (lambda: open_store(store_dir, url)), (lambda: _pg_writing(url))
        # early (reading, building), then inside the write transaction: as it starts and once under way
        points: list[dict[str, Any]] = [{"after": 0.2}, {"after": 0.5}, {"progress_at": 1},
                                        {"progress_at": 1, "then": 0.3}]
    else:
        opener, progress = (lambda: open_store(store_dir)), (lambda: _wal_size(store_dir))
        # early (reading, building) and late (inside the write transaction, once the log is growing)
        points = [{"after": 0.2}, {"after": 0.5}, {"progress_at": 1}, {"progress_at": 64 * 1024}]
    exe = str(ROOT / ".venv" / "bin" / "peelgraph")
    subprocess.run([exe, "ingest", str(old), "--json"], env=env, check=True, capture_output=True, timeout=120)
    old_state = _state(opener)
    assert old_state[0] == 1 and old_state[2] == {"v1"}
    outcomes = []
    for point in points:
        how = _run_and_kill(exe, new, env, progress, **point)
        state = _state(opener)
        outcomes.append((point, how, state[2]))
        if state[2] == {"v2"}:
            assert state[0] == 1 and state[1] > old_state[1]
            break  # the new version is in; a later kill would test nothing new
        assert how == "killed" and state == old_state, outcomes
    assert any(how == "killed" for _, how, _ in outcomes)
    if _state(opener)[2] != {"v2"}:
        subprocess.run([exe, "ingest", str(new), "--json"], env=env, check=True, capture_output=True, timeout=120)
    state = _state(opener)
    assert state[0] == 1 and state[2] == {"v2"} and state[1] > old_state[1]


def test_schema_1_store_is_upgraded_to_nullable_pages(tmp_path: Path) -> None:
    """A store written before pages could be null opens, keeps its reports and takes a page-less report."""
    s = Store(tmp_path / "store")
    s.put_report(report_of(SMALL, "kent.txt"))
    con = s.con
    con.execute("PRAGMA writable_schema=ON")
    con.execute("UPDATE sqlite_master SET sql=replace(sql, 'page INTEGER,', 'page INTEGER NOT NULL,') "
                "WHERE name='passages'")
    cookie = con.execute("PRAGMA schema_version").fetchone()[0]
    con.execute(f"PRAGMA schema_version={cookie + 1}")
    con.execute("PRAGMA writable_schema=OFF")
    con.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    assert "page INTEGER NOT NULL" in con.execute("SELECT sql FROM sqlite_master WHERE name='passages'").fetchone()[0]
    s.close()
    s = Store(tmp_path / "store")
    try:
        sql = s.con.execute("SELECT sql FROM sqlite_master WHERE name='passages'").fetchone()[0]
        assert "page INTEGER NOT NULL" not in sql
        assert s.con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
        assert counts(s)["reports"] == 1
        rep = report_of(SMALL.replace("Kent", "Surrey"), "surrey.txt")
        assert all(p.page is None for p in rep.passages)
        assert s.put_report(rep) == "added"
        assert s.con.execute("SELECT count(*) FROM passages WHERE page IS NULL").fetchone()[0] >= len(rep.passages)
    finally:
        s.close()


def test_keyword_scores_among_given_passages(store: Store) -> None:
    """A search restricted to some passages (a report in scope) scores them as the whole store does."""
    store.put_report(report_of(SMALL))
    everywhere = store.keyword_scores('"crime" OR "nuisance" OR "supervised"', 50)
    assert len(everywhere) >= 2
    some = sorted(everywhere)[:1]
    assert store.keyword_scores('"crime" OR "nuisance" OR "supervised"', 50, some) == \
        {some[0]: pytest.approx(everywhere[some[0]])}
    assert store.keyword_scores('"crime" OR "nuisance" OR "supervised"', 50, []) == {}
