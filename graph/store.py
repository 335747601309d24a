"""The embedded store: one SQLite database (WAL, FTS5) under the store directory.

Every write is one transaction, so a failed or killed ingest leaves the
previous state; readers in other threads or processes see either the state
before a write or after it. Later stages (graph, embeddings) keep their
tables here too and write them inside the same transaction through
``Store.write()``.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from graph.errors import NotFound, StoreError
from graph.records import Item, Passage, Report
from graph.schema import ADDITIONS, GRAPH_INSERTS, GRAPH_SELECTS, SCHEMA, statements

SCHEMA_VERSION = 2
DB_NAME = "peelgraph.db"

CHANGE_LOG_KEEP = 1000  # generations the log covers; a reader further behind reloads everything
ORPHANS = "orphans"  # meta key: {"generation": g, "ids": [...]}, the entities write g left without mentions
_REMOVING: dict[int, tuple[list[str], list[str]]] = {}  # id(write connection) -> what a removed report held up
ENDS = ("source", "target")


class Store:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_NAME
        self._local = threading.local()
        self._write_lock = threading.Lock()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store directory {self.directory}: {exc.strerror}") from exc
        self._init_schema()
        for stmt in ADDITIONS:
            self.con.execute(stmt)

    # ------------------------------------------------------------ connections

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
        return con

    @property
    def con(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            self._local.con = con
        return con

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; everything inside commits together or not at all."""
        with self._write_lock:
            con = self.con
            con.execute("BEGIN IMMEDIATE")
            try:
                # every write moves the generation on, so in-memory views (vectors, graph) know to reload
                con.execute("INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                            "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            else:
                con.execute("COMMIT")

    def _init_schema(self) -> None:
        try:
            con = self.con
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a peelgraph store: {exc}") from exc
        if tables and "meta" not in tables:
            raise StoreError(f"{self.path} is not a peelgraph store (no schema version)")
        if "meta" in tables:
            row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version == 1 and SCHEMA_VERSION == 2:
                self._migrate_page_nullable()
                return
            if version != SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}; this peelgraph reads version {SCHEMA_VERSION}. "
                    "Rebuild it with `peelgraph build` into an empty store directory.")
            return
        with self._write_lock:
            con.execute("BEGIN IMMEDIATE")
            try:
                if not con.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
                    for stmt in statements(SCHEMA):
                        con.execute(stmt)
                    con.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _migrate_page_nullable(self) -> None:
        """Schema 1 -> 2: ``passages.page`` may be NULL (a source without pages). Dropping a NOT NULL does
        not change the stored rows, so the table definition is edited in place, as SQLite documents for
        such changes, and the schema cookie is bumped so every connection rereads it."""
        con = self.con
        with self._write_lock:
            con.execute("BEGIN IMMEDIATE")
            try:
                cookie = con.execute("PRAGMA schema_version").fetchone()[0]
                con.execute("PRAGMA writable_schema=ON")
                con.execute("UPDATE sqlite_master SET sql=replace(sql, 'page INTEGER NOT NULL', 'page INTEGER') "
                            "WHERE type='table' AND name='passages'")
                con.execute(f"PRAGMA schema_version={int(cookie) + 1}")
                con.execute("PRAGMA writable_schema=OFF")
                con.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise StoreError(f"{self.path}: the store could not be upgraded to schema version 2; rebuild it")

    # ------------------------------------------------------------ writes

    def put_report(self, report: Report, extra: Any = None) -> str:
        """Add, replace or keep a report. Returns "added", "replaced" or "unchanged".

        ``extra(con, report)`` writes derived data in the same transaction.
        """
        with self.write() as con:
            same = con.execute("SELECT report_id FROM reports WHERE sha256=?", (report.sha256,)).fetchone()
            if same:
                _carry_orphans(con)
                self.log_change(con, report.report_id, "none")
                return "unchanged"
            old = con.execute("SELECT 1 FROM reports WHERE report_id=?", (report.report_id,)).fetchone()
            if old:
                _removing(con, report.report_id)
                con.execute("DELETE FROM reports WHERE report_id=?", (report.report_id,))
            m = report.meta
            con.execute(
                "INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (report.report_id, report.source, report.format, report.sha256, m.title, m.force, m.year,
                 m.year_end, m.programme, report.text, datetime.now(timezone.utc).isoformat(timespec="seconds")))
            con.executemany(
                'INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
                [(p.passage_id, p.report_id, p.ordinal, json.dumps(p.section, ensure_ascii=False), p.question,
                  p.paragraph, p.kind, p.text, p.start, p.end, p.page, json.dumps(p.footnote_refs))
                 for p in report.passages])
            con.executemany(
                "INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(it.item_id, it.report_id, n, it.kind, it.question, it.text, it.passage_id,
                  it.carried_over_from, it.grade, it.lead, int(it.overall))
                 for n, it in enumerate(report.items)])
            try:
                if extra is not None:
                    extra(con, report)
            finally:
                _REMOVING.pop(id(con), None)
            self.log_change(con, report.report_id, "put")
            return "replaced" if old else "added"

    def delete_report(self, report_id: str, extra: Any = None) -> None:
        with self.write() as con:
            if not con.execute("SELECT 1 FROM reports WHERE report_id=?", (report_id,)).fetchone():
                raise NotFound(f"no report with id {report_id!r}", {"report_id": report_id})
            _removing(con, report_id)
            con.execute("DELETE FROM reports WHERE report_id=?", (report_id,))
            try:
                if extra is not None:
                    extra(con, report_id)
            finally:
                _REMOVING.pop(id(con), None)
            self.log_change(con, report_id, "delete")

    # ------------------------------------------------------------ reads

    def has_content(self, sha256: str) -> str | None:
        """The id of the report already stored with exactly this content, if any."""
        row = self.con.execute("SELECT report_id FROM reports WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def generation(self) -> int:
        """A number that changes with every committed write."""
        row = self.con.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def reports(self) -> list[dict[str, Any]]:
        rows = self.con.execute(
            "SELECT r.report_id, r.title, r.force, r.year, r.year_end, r.programme, r.source, r.format, r.sha256,"
            " r.ingested_at, (SELECT count(*) FROM passages p WHERE p.report_id=r.report_id) AS passages"
            " FROM reports r ORDER BY r.year_end, r.report_id").fetchall()
        return [dict(r) for r in rows]

    def report(self, report_id: str) -> dict[str, Any]:
        row = self.con.execute("SELECT * FROM reports WHERE report_id=?", (report_id,)).fetchone()
        if row is None:
            raise NotFound(f"no report with id {report_id!r}", {"report_id": report_id})
        return dict(row)

    def passages(self, report_id: str | None = None, kind: str | None = None,
                 limit: int | None = None, offset: int = 0) -> list[Passage]:
        return [_passage(r) for r in self._select("passages", report_id, kind, limit, offset)]

    def passage(self, passage_id: str) -> Passage:
        row = self.con.execute("SELECT * FROM passages WHERE passage_id=?", (passage_id,)).fetchone()
        if row is None:
            raise NotFound(f"no passage with id {passage_id!r}", {"passage_id": passage_id})
        return _passage(row)

    def items(self, report_id: str | None = None, kind: str | None = None) -> list[Item]:
        return [_item(r) for r in self._select("items", report_id, kind)]

    def _select(self, table: str, report_id: str | None, kind: str | None,
                limit: int | None = None, offset: int = 0) -> list[sqlite3.Row]:
        """Rows of passages or items, optionally of one report and one kind, in reading order."""
        sql, args = f"SELECT * FROM {table} WHERE 1=1", list[Any]()
        for column, value in (("report_id", report_id), ("kind", kind)):
            if value:
                sql += f" AND {column}=?"
                args.append(value)
        sql += " ORDER BY report_id, ordinal"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        return self.con.execute(sql, args).fetchall()

    def count(self, table: str) -> int:
        if table not in {"reports", "passages", "items", "embeddings"}:
            raise ValueError(table)
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    # ------------------------------------------------------------ embeddings (vectors keyed by text hash and model)

    def embedded(self, model: str, shas: list[str], con: sqlite3.Connection | None = None) -> set[str]:
        """Which of the text hashes already have a vector of this model."""
        con = con or self.con
        have: set[str] = set()
        for n in range(0, len(shas), 500):
            chunk = shas[n:n + 500]
            have.update(r[0] for r in con.execute(
                f"SELECT text_sha FROM embeddings WHERE model=? AND text_sha IN ({','.join('?' * len(chunk))})",
                [model, *chunk]))
        return have

    def vectors(self, model: str, shas: list[str]) -> dict[str, bytes]:
        """text hash -> stored vector bytes, for the hashes that have one."""
        out: dict[str, bytes] = {}
        for n in range(0, len(shas), 500):
            chunk = shas[n:n + 500]
            out.update((r[0], r[1]) for r in self.con.execute(
                f"SELECT text_sha, vector FROM embeddings WHERE model=? AND text_sha IN ({','.join('?' * len(chunk))})",
                [model, *chunk]))
        return out

    @staticmethod
    def put_vectors(con: sqlite3.Connection, model: str, dim: int, rows: list[tuple[str, bytes]]) -> None:
        """Write vectors inside the caller's transaction (a report's, or one of their own)."""
        con.executemany("INSERT OR IGNORE INTO embeddings(text_sha, model, dim, vector) VALUES (?,?,?,?)",
                        [(h, model, dim, blob) for h, blob in rows])

    def search_rows(self, report_ids: list[str] | None = None) -> tuple[list[dict[str, Any]], list[sqlite3.Row]]:
        """Every report's metadata and every passage in reading order (or some reports'): what search holds."""
        where, args = ("", []) if report_ids is None else (f"WHERE report_id IN ({','.join('?' * len(report_ids))})",
                                                            report_ids)
        reports = [dict(r) for r in self.con.execute(
            f"SELECT report_id, title, force, year, year_end, programme FROM reports {where}", args)]
        rows = self.con.execute(
            "SELECT rowid, passage_id, report_id, ordinal, section, paragraph, kind, text, page FROM passages"
            f" {where} ORDER BY report_id, ordinal", args).fetchall()
        return reports, rows

    # ------------------------------------------------------------ search reads (FTS5, theme tags)

    def keyword_scores(self, expression: str | None, limit: int,
                       rowids: Sequence[int] | None = None) -> dict[int, float]:
        """Passage rowid -> BM25 score (higher is better) of the best ``limit`` FTS5 matches; among the given
        passages only, if given (a report in scope must not lose its matches to the rest of a large store)."""
        if not expression:
            return {}
        among = "" if rowids is None else " AND rowid IN (SELECT value FROM json_each(?))"
        args = (expression, *(() if rowids is None else (json.dumps([int(r) for r in rowids]),)), limit)
        try:
            rows = self.con.execute(
                "SELECT rowid, -bm25(passages_fts, 1.0, 0.3) FROM passages_fts WHERE passages_fts MATCH ?"
                f"{among} ORDER BY bm25(passages_fts, 1.0, 0.3) LIMIT ?", args).fetchall()
        except sqlite3.OperationalError:  # defensive: callers build the expression to be valid
            return {}
        return {int(r[0]): float(r[1]) for r in rows}

    def doc_freq(self, words: list[str]) -> dict[str, int]:
        """How many passages contain each word (as FTS5 matches it, stemmed)."""
        out = {}
        for w in words:
            clean = w.replace('"', "")
            out[w] = int(self.con.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?",
                                          (f'"{clean}"',)).fetchone()[0]) if clean else 0
        return out

    def theme_passages(self, themes: set[str]) -> set[str]:
        """Ids of the passages tagged with any of the given theme ids (lower case)."""
        if not themes:
            return set()
        marks = ",".join("?" * len(themes))
        rows = self.con.execute(f"SELECT passage_id FROM passage_themes WHERE lower(theme) IN ({marks})",
                                sorted(themes)).fetchall()
        return {r[0] for r in rows}


    # ------------------------------------------------------------ knowledge graph tables (graph/build.py)

    @staticmethod
    def put_graph(con: sqlite3.Connection, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        """A report's graph rows, inside its own write transaction; ``rows`` is keyed by table name."""
        for table, sql in GRAPH_INSERTS.items():
            if rows.get(table):
                con.executemany(sql, rows[table])

    @staticmethod
    def drop_orphans(con: sqlite3.Connection) -> None:
        """Relations left without evidence and entities left without mentions (after a delete or replace).

        When the write before this one noted the entities it left without mentions (``note_orphans``), only
        those and the rows the removed report held up can be orphans, and only they are checked: checking
        every row cost time that grew with the store. Otherwise (a write that noted nothing) every row is."""
        rels, ents = _REMOVING.pop(id(con), ([], []))
        gen, before = _orphans_record(con)
        sqlite = isinstance(con, sqlite3.Connection)  # SQLite drops relations as their evidence goes (a trigger)
        if before is None:
            if not sqlite:
                con.execute("DELETE FROM relations WHERE relation_id NOT IN (SELECT relation_id FROM evidence)")
            con.execute("DELETE FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)")
        else:
            if not sqlite:
                _drop_unused(con, "relations", "relation_id", "evidence", rels)
            _drop_unused(con, "entities", "entity_id", "mentions", sorted(set(ents) | set(before)))
        _put_orphans(con, gen, [])

    @staticmethod
    def note_orphans(con: sqlite3.Connection, entity_ids: Any) -> None:
        """After ``drop_orphans`` and a report's graph rows: note which of its entities nothing mentions, the
        only orphans this write leaves, so that the next write and the graph update need not look for them."""
        gen, _ = _orphans_record(con)
        ids = sorted(set(entity_ids))
        used = _used(con, "mentions", "entity_id", ids)
        _put_orphans(con, gen, [i for i in ids if i not in used])

    def graph_rows(self, table: str, column: str | None = None, ids: list[str] | None = None) -> list[sqlite3.Row]:
        """Every row of one graph table, in a stable order (the graph is built deterministically); or, for an
        incremental update, the rows whose ``column`` is one of ``ids`` (sorted ids keep that order)."""
        if table not in GRAPH_SELECTS or column not in (None, "report_id", "entity_id", "relation_id", *ENDS):
            raise ValueError(table)
        if column is None or ids is None:
            return self.con.execute(GRAPH_SELECTS[table]).fetchall()
        head, _, order = GRAPH_SELECTS[table].partition(" ORDER BY ")
        out: list[sqlite3.Row] = []
        for n in range(0, len(ids), 5000):
            chunk = ids[n:n + 5000]
            sql = f"{head} WHERE {column} IN ({','.join('?' * len(chunk))})" + (f" ORDER BY {order}" if order else "")
            out += self.con.execute(sql, chunk).fetchall()
        return out

    def orphan_entities(self) -> list[str]:
        """Entities no passage mentions: kept until the next write's ``drop_orphans`` (as the last write
        noted them, when it did; else looked for)."""
        rows = {r[0]: r[1] for r in self.con.execute(
            "SELECT key, value FROM meta WHERE key IN ('generation', ?)", (ORPHANS,)).fetchall()}
        record = json.loads(rows[ORPHANS]) if ORPHANS in rows else None
        if record is not None and str(record["generation"]) == rows.get("generation"):
            return list(record["ids"])
        return [r[0] for r in self.con.execute(
            "SELECT entity_id FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)")]

    # ------------------------------------------------------------ change log (what each generation changed)

    @staticmethod
    def log_change(con: Any, report_id: str, op: str) -> None:
        """Note in the write's transaction which report this generation changed ("put", "delete", "none")."""
        gen = int((con.execute("SELECT value FROM meta WHERE key='generation'").fetchone() or [0])[0])
        con.execute("INSERT INTO changes(generation, report_id, op) VALUES (?,?,?)", (gen, report_id, op))
        con.execute("DELETE FROM changes WHERE generation <= ?", (gen - CHANGE_LOG_KEEP,))

    def changes(self, since: int, until: int) -> list[str] | None:
        """Reports changed in generations ``since``+1 .. ``until``; None if the log misses one (reload all)."""
        rows = self.con.execute("SELECT generation, report_id, op FROM changes WHERE generation > ? AND "
                                "generation <= ?", (since, until)).fetchall()
        if until < since or {int(r[0]) for r in rows} != set(range(since + 1, until + 1)):
            return None
        return sorted({r[1] for r in rows if r[2] != "none"})

    def shared(self, name: str, generation: int, compute: Callable[[], Any]) -> Any:
        """What ``compute()`` gives for this generation (a JSON value), computed once for all the processes
        serving the store (PostgreSQL keeps it; the others wait, then read it). One process serves SQLite."""
        return compute()

    # ------------------------------------------------------------ nearest passages (an index PostgreSQL offers)

    def put_passage_vectors(self, con: Any, model: str, dim: int, passage_shas: dict[str, str]) -> None:
        """Index passages' stored vectors (passage id -> text hash) for nearest-neighbour search, inside
        the caller's transaction. SQLite keeps no such index: search scores every passage in memory."""

    def nearest_passages(self, model: str, dim: int, query: Any, k: int) -> dict[int, float] | None:
        """Passage rowid -> cosine of the ``k`` passages nearest the query vector, or None when this store
        answers no such question (search then scores every passage itself, exactly)."""
        return None


def _removing(con: Any, report_id: str) -> None:
    """Before a report's rows cascade away: the only rows its removal can orphan (for ``drop_orphans``)."""
    _REMOVING[id(con)] = (
        [r[0] for r in con.execute("SELECT DISTINCT relation_id FROM evidence WHERE report_id=?", (report_id,))],
        [r[0] for r in con.execute("SELECT DISTINCT entity_id FROM mentions WHERE report_id=?", (report_id,))])


def _orphans_record(con: Any) -> tuple[int, list[str] | None]:
    """This write's generation, and the orphans the write just before it noted (None: it noted none)."""
    rows = {r[0]: r[1] for r in con.execute(
        "SELECT key, value FROM meta WHERE key IN ('generation', ?)", (ORPHANS,)).fetchall()}
    gen = int(rows.get("generation") or 0)
    record = json.loads(rows[ORPHANS]) if ORPHANS in rows else None
    return gen, (list(record["ids"]) if record is not None and record["generation"] == gen - 1 else None)


def _put_orphans(con: Any, gen: int, ids: list[str]) -> None:
    con.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (ORPHANS, json.dumps({"generation": gen, "ids": ids})))


def _carry_orphans(con: Any) -> None:  # a write that changes no rows leaves the noted orphans as they were
    gen, before = _orphans_record(con)
    if before is not None:
        _put_orphans(con, gen, before)


def _used(con: Any, table: str, column: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` some row of ``table`` names in ``column``."""
    out: set[str] = set()
    for n in range(0, len(ids), 5000):
        chunk = ids[n:n + 5000]
        out.update(r[0] for r in con.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))})", chunk))
    return out


def _drop_unused(con: Any, table: str, column: str, ref: str, ids: list[str]) -> None:
    """Delete the rows of ``table`` among ``ids`` that no row of ``ref`` names any more."""
    used = _used(con, ref, column, ids)
    unused = [i for i in ids if i not in used]
    for n in range(0, len(unused), 5000):
        chunk = unused[n:n + 5000]
        con.execute(f"DELETE FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))})", chunk)


def _passage(r: sqlite3.Row) -> Passage:
    return Passage(passage_id=r["passage_id"], report_id=r["report_id"], ordinal=r["ordinal"],
                   section=json.loads(r["section"]), question=r["question"], paragraph=r["paragraph"],
                   kind=r["kind"], text=r["text"], start=r["start"], end=r["end"], page=r["page"],
                   footnote_refs=json.loads(r["footnote_refs"]))


def _item(r: sqlite3.Row) -> Item:
    return Item(item_id=r["item_id"], report_id=r["report_id"], kind=r["kind"], question=r["question"],
                text=r["text"], passage_id=r["passage_id"], carried_over_from=r["carried_over_from"],
                grade=r["grade"], lead=r["lead"], overall=bool(r["overall"]))
