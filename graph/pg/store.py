"""``PgStore``: the store on PostgreSQL, for several workers (or machines) sharing one database.

It is a ``graph.store.Store`` whose connection speaks PostgreSQL: the store's
own methods, and the graph and embedding hooks that write inside its
transactions, send SQLite statements that ``graph.pg.sql.translate`` turns
into PostgreSQL. What differs is here: connections come from a pool, a write
is one PostgreSQL transaction serialised across processes by an advisory
lock (so re-ingest stays idempotent and the generation counter moves once per
write), keyword search ranks a ``tsvector`` table's matches by FTS5's BM25
(``graph.pg.bm25``), and the schema is migrated by version (``graph.pg.schema``).
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from graph.errors import StoreError
from graph.pg import bm25, nearest, schema
from graph.pg.sql import Result, row_factory, translate
from graph.store import Store

GENERATION_TTL = 0.05  # seconds a thread reuses the generation it read (see PgStore.generation)
_WRITES_HERE = [0]  # writes committed or abandoned through any PgStore of this process
ARRAY_CHUNK = 10000  # text hashes asked for in one statement
RANK_BUDGET = 2000  # passages ranked at most per keyword search (at least 5 x the results asked for)
LEXEME_CACHE = 100000  # texts whose stemmed words a store remembers
WRITE_LOCK = 0x7065656C  # advisory lock key held by every write transaction ("peel")
SHARED_WAIT = 120  # seconds a process waits for another computing a shared result (Store.shared) before its own
_PHRASE_RE = re.compile(r'"([^"]*)"')
# "INSERT [OR IGNORE] INTO t[(columns)] VALUES (?,?,...)": written a batch of rows per statement
_INSERT_VALUES_RE = re.compile(r"^\s*(INSERT\s+(?:OR\s+IGNORE\s+)?INTO\s+\w+\s*(?:\([\w\s,\"]*\))?\s*VALUES\s*)"
                               r"(\(\s*\?(?:\s*,\s*\?)*\s*\))\s*;?\s*$", re.IGNORECASE)
INSERT_BATCH = 200  # rows per INSERT statement (1000 made one of evidence rows 10 times slower)
MAX_PARAMS = 65535  # PostgreSQL's limit of parameters in one statement
T = TypeVar("T")


class Connection:
    """One psycopg connection that accepts the SQLite statements the hooks send."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        cur = self.raw.cursor()
        cur.execute(translate(sql, bool(params)), list(params) if params else None)
        return Result(cur, cur.rowcount)

    def executemany(self, sql: str, rows: Any) -> Result:
        """One statement per row, or for an ``INSERT ... VALUES (?, ...)`` one statement per batch of rows
        (``VALUES (...), (...), ...``): the server then plans and runs a statement per batch, not per row
        (a report's thousand mentions took a quarter of a second row by row on a loaded machine). The rows go
        in in the same order, so which of two conflicting rows ``INSERT OR IGNORE`` keeps is unchanged."""
        rows = [list(r) for r in rows]
        m = _INSERT_VALUES_RE.match(sql)
        if rows and m:
            batch = max(1, min(INSERT_BATCH, MAX_PARAMS // max(1, len(rows[0]))))
            with self.raw.cursor() as cur:
                for n in range(0, len(rows), batch):
                    chunk = rows[n:n + batch]
                    cur.execute(translate(m.group(1) + ", ".join([m.group(2)] * len(chunk)), True),
                                [x for r in chunk for x in r])
        elif rows:
            with self.raw.cursor() as cur:
                cur.executemany(translate(sql, True), rows)
        return Result(None, len(rows))


class PooledConnection:
    """A connection-like object for reads: each statement borrows a pooled connection (autocommit)."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def run(self, fn: Callable[[psycopg.Connection[Any]], T]) -> T:
        """``fn`` on a pooled connection; one the server dropped while it sat idle is replaced, once."""
        for attempt in (1, 2):
            with _connection_errors():
                try:
                    with self.pool.connection() as conn:
                        return fn(conn)
                except psycopg.OperationalError:
                    if attempt == 2 or not conn.broken:
                        raise
        raise AssertionError("unreachable")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        return self.run(lambda conn: Connection(conn).execute(sql, params))

    def executemany(self, sql: str, rows: Any) -> Result:
        rows = list(rows)

        def many(conn: psycopg.Connection[Any]) -> Result:
            with conn.transaction():
                return Connection(conn).executemany(sql, rows)

        return self.run(many)

    def close(self) -> None:
        """Nothing to close: the pool owns the connections."""


class PgStore(Store):
    """The Store on PostgreSQL (``__init__`` replaces SQLite's: a URL, not a directory)."""

    def __init__(self, url: str, min_size: int = 1, max_size: int = 8, vector_search: str = "exact",
                 read_url: str | None = None) -> None:
        """``vector_search``: "exact" (search scores every passage in memory) or "hnsw" (pgvector's index);
        ``read_url``: a read replica of ``url`` that serves every read outside a write."""
        if vector_search not in ("exact", "hnsw"):
            raise StoreError(f"unknown vector search {vector_search!r}; use exact or hnsw")
        self.url = url
        self.vector_search = vector_search
        self._covered: dict[str, int] = {}  # model -> the generation at which every passage had its vector
        self._indexed: set[str] = set()  # models whose HNSW index this store has made sure of
        self.directory = None  # type: ignore[assignment]
        self.path = _redact(url)  # type: ignore[assignment]  # what messages name: the URL, no password
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._stats: tuple[int, bm25.Stats] = (-1, bm25.Stats(0, 0.0, {}))  # keyword statistics of a generation
        self._lexeme_cache: dict[str, tuple[str, ...]] = {}  # text -> its stemmed words (they never change)
        self._pool = _open_pool(url, min_size, max_size)
        # reads may go to a replica (a hot standby): generation and rows then come from the same server
        self._read_pool = _open_pool(read_url, min_size, max_size) if read_url else self._pool
        self._reads = PooledConnection(self._read_pool)
        self._init_schema()

    # ------------------------------------------------------------ connections

    @property
    def con(self) -> Any:
        """Inside this thread's write: that transaction's connection (it sees its own rows); else pooled reads."""
        tx = getattr(self._local, "tx", None)
        return tx if tx is not None else self._reads

    def close(self) -> None:
        if self._read_pool is not self._pool:
            self._read_pool.close()
        self._pool.close()

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One PostgreSQL transaction; writers in every process queue on one advisory lock."""
        try:
            with _connection_errors(), self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                conn.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")
                self._local.tx = Connection(conn)
                try:
                    yield self._local.tx
                finally:
                    self._local.tx = None
        finally:
            _WRITES_HERE[0] += 1  # every store of this process rereads the generation now

    def generation(self) -> int:
        """The store's generation, read at most once per ``GENERATION_TTL`` per thread.

        A request asks several times (snapshot, keyword statistics, graph), and each read is a round
        trip. A write through any store of this process is seen at once; another process's write
        within ``GENERATION_TTL``, as if the request had started that much earlier.
        """
        if getattr(self._local, "tx", None) is not None:
            return super().generation()  # inside a write: its own transaction's value
        now = time.monotonic()
        cached = getattr(self._local, "generation", None)
        if cached is not None and now - cached[1] < GENERATION_TTL and cached[2] == _WRITES_HERE[0]:
            return int(cached[0])
        writes = _WRITES_HERE[0]
        gen = super().generation()
        self._local.generation = (gen, now, writes)
        return gen

    def _init_schema(self) -> None:
        """Apply the migrations not yet applied (under the write lock), or refuse a newer schema."""
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                         "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            current = (conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone() or (0,))[0]
            if current > schema.LATEST:
                raise StoreError(
                    f"{self.path} has schema version {current}; this peelgraph reads version {schema.LATEST}. "
                    "Upgrade peelgraph, or rebuild into an empty database.")
            for version, statements in schema.MIGRATIONS:
                if version > current:
                    for stmt in statements:
                        _migrate(conn, stmt, str(self.path))
                    conn.execute("INSERT INTO schema_version(version) VALUES (%s)", (version,))
            for stmt in schema.base_tables():  # tables another stage has since added to the shared schema
                conn.execute(stmt)

    # ------------------------------------------------------------ search reads (full-text search)

    def keyword_scores(self, expression: str | None, limit: int,
                       rowids: Sequence[int] | None = None) -> dict[int, float]:
        """Passage rowid -> BM25 (higher is better) of the best ``limit`` full-text matches (among the given
        passages only, if given), as the SQLite store's FTS5 ``bm25()`` ranks them: same tokens, statistics
        and formula (``graph.pg.bm25``).

        ``expression`` is the FTS5 form search builds: quoted words and phrases joined by OR. Ranking reads
        each matching passage, so on a store larger than ``RANK_BUDGET`` passages only those matching the
        rarer phrases are ranked (``bm25.ranked_phrases``); they are still scored on every phrase.
        """
        texts = _PHRASE_RE.findall(expression or "")
        lexemes = self._lexemes(texts)
        phrases = [lexemes[t] for t in texts if lexemes[t]]
        stats = self._keyword_stats(phrases)
        phrases = [p for p in phrases if stats.docs[p]]
        if not phrases:
            return {}
        budget = max(RANK_BUDGET, 5 * limit)
        few = stats.passages <= budget or rowids is not None and len(rowids) <= budget
        matched = set(phrases) if few else bm25.ranked_phrases(phrases, stats.docs, limit, budget)
        words = sorted({w for p in phrases for w in p})
        query = bm25.any_of(sorted(matched))
        sql = bm25.MATCHES
        args: list[Any] = [words, query]
        if rowids is not None:
            sql, args = sql + " AND rowid = ANY(%s)", [*args, [int(r) for r in rowids]]
        rows = self._reads.run(lambda conn: conn.execute(sql, args).fetchall())
        return bm25.rank(rows, phrases, stats, limit)

    def doc_freq(self, words: list[str]) -> dict[str, int]:
        """How many passages contain each word or phrase (as the keyword index stems it, as FTS5 does)."""
        lexemes = self._lexemes(words)
        stats = self._keyword_stats([lexemes[w] for w in words if lexemes[w]])
        return {w: stats.docs[lexemes[w]] if lexemes[w] else 0 for w in words}

    def _lexemes(self, texts: list[str]) -> dict[str, tuple[str, ...]]:
        """Each text's stemmed words in order, as the keyword index holds them (one round trip for the new ones)."""
        cache = self._lexeme_cache
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            if len(cache) > LEXEME_CACHE:
                cache.clear()
            rows = self._reads.run(lambda conn: conn.execute(bm25.PHRASE_LEXEMES, (missing,)).fetchall())
            cache.update((r[0], tuple(r[1])) for r in rows)
        return {t: cache[t] for t in texts}

    def _keyword_stats(self, phrases: list[tuple[str, ...]]) -> bm25.Stats:
        """The store's passage and token totals and the phrases' passage counts, kept per generation:
        a word's count from ``keyword_lexemes``, a phrase's by matching it (FTS5 counts phrase hits too).

        Counts and totals are read in one snapshot with the generation they belong to: the generation this
        thread holds may be up to ``GENERATION_TTL`` old, and counts read after another process's write
        under totals read before it could exceed them (idf's log of a negative number)."""
        gen = self.generation()
        held, stats = self._stats
        wanted = list(dict.fromkeys(phrases))
        if held == gen:
            missing = [p for p in wanted if p not in stats.docs]
            if not missing:
                return stats
            now, fresh = self._reads.run(lambda conn: _read_stats(conn, missing))
            if now == held:
                stats.docs.update(fresh.docs)
                return stats
        now, fresh = self._reads.run(lambda conn: _read_stats(conn, wanted))
        self._stats = (now, fresh)
        return fresh

    def shared(self, name: str, generation: int, compute: Callable[[], Any]) -> Any:
        """What ``compute()`` gives for this generation, computed by one process and read by the others:
        they queue on an advisory lock, and the first to find no value for the generation computes it and
        keeps it (the newest generation only). A turn not given within ``SHARED_WAIT`` computes alone."""
        try:
            with _connection_errors(), self._pool.connection() as conn, conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{SHARED_WAIT}s'")
                conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (WRITE_LOCK, name))
                row = conn.execute("SELECT value FROM shared_results WHERE name = %s AND generation = %s",
                                   (name, generation)).fetchone()
                if row:
                    return json.loads(row[0])
                value = compute()
                conn.execute("INSERT INTO shared_results(name, generation, value) VALUES (%s, %s, %s) "
                             "ON CONFLICT (name) DO UPDATE SET generation = excluded.generation, value = "
                             "excluded.value WHERE shared_results.generation < excluded.generation",
                             (name, generation, json.dumps(value)))
                return value
        except psycopg.errors.LockNotAvailable:
            return compute()

    # ------------------------------------------------------------ embeddings, by the array (one round trip per 10 000)

    def embedded(self, model: str, shas: list[str], con: Any = None) -> set[str]:
        """Which of the text hashes already have a vector of this model (SQLite asks 500 at a time;
        a snapshot reload on a large store asks about every passage and sentence)."""
        c = con or self.con
        have: set[str] = set()
        for n in range(0, len(shas), ARRAY_CHUNK):
            have.update(r[0] for r in c.execute("SELECT text_sha FROM embeddings WHERE model=? AND text_sha = ANY(?)",
                                                [model, shas[n:n + ARRAY_CHUNK]]))
        return have

    def vectors(self, model: str, shas: list[str]) -> dict[str, bytes]:
        """text hash -> stored vector bytes, for the hashes that have one."""
        out: dict[str, bytes] = {}
        for n in range(0, len(shas), ARRAY_CHUNK):
            out.update((r[0], r[1]) for r in self.con.execute(
                "SELECT text_sha, vector FROM embeddings WHERE model=? AND text_sha = ANY(?)",
                [model, shas[n:n + ARRAY_CHUNK]]))
        return out

    # ------------------------------------------------------------ nearest passages (pgvector HNSW)

    def put_passage_vectors(self, con: Any, model: str, dim: int, passage_shas: dict[str, str]) -> None:
        """Copy the passages' vectors into ``passage_vectors`` (its HNSW index follows) in this transaction."""
        nearest.put(con.raw, model, dim, passage_shas)

    def nearest_passages(self, model: str, dim: int, query: Any, k: int) -> dict[int, float] | None:
        """The ``k`` nearest passages by pgvector's HNSW index, when chosen (``vector_search="hnsw"``)
        and when every passage has its vector there; None otherwise (search then scores exactly)."""
        if self.vector_search != "hnsw":
            return None
        if model not in self._indexed:  # made on the primary, once (writes wait while it is built)
            with _connection_errors(), self._pool.connection() as conn:
                nearest.ensure_index(conn, model, dim)
            self._indexed.add(model)
        gen = self.generation()
        if self._covered.get(model) != gen:
            if not self._reads.run(lambda conn: nearest.covers(conn, model)):
                return None
            self._covered[model] = gen
        return self._reads.run(lambda conn: nearest.nearest(conn, model, dim, query, k))


def _open_pool(url: str, min_size: int, max_size: int) -> ConnectionPool:
    """A pool of autocommit connections to ``url``, open, or a one-line StoreError naming the server."""
    shown = _redact(url)
    _probe(url, shown)  # one plain connection first: a clear one-line error, not pool retries
    pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=False, configure=_configure,
                          kwargs={"autocommit": True, "row_factory": row_factory})
    try:
        pool.open(wait=True, timeout=10)
    except PoolTimeout as exc:
        pool.close()
        raise StoreError(f"cannot connect to the PostgreSQL store {shown}: no connection in 10 s") from exc
    return pool


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Every pooled connection: HNSW searches keep ``nearest.EF_SEARCH`` candidates."""
    conn.execute(f"SET hnsw.ef_search = {int(nearest.EF_SEARCH)}")


def _migrate(conn: psycopg.Connection[Any], stmt: str, shown: str) -> None:
    """One migration statement; a server without pgvector is a one-line error saying what to install."""
    try:
        conn.execute(stmt)
    except psycopg.Error as exc:
        if "EXTENSION" not in stmt.upper():
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(f"the PostgreSQL store {shown} needs the pgvector extension (CREATE EXTENSION vector; "
                         f"managed services offer it): {first}") from exc


# one statement, so one snapshot: the generation, the totals, the words' and the phrases' passage counts
_STATS_SQL = ("SELECT (SELECT value FROM meta WHERE key = 'generation'), "
              "(SELECT passages FROM keyword_totals), (SELECT tokens FROM keyword_totals), "
              "ARRAY(SELECT lexeme || ' ' || docs FROM keyword_lexemes WHERE lexeme = ANY(%s)), "
              "ARRAY(SELECT (SELECT count(*) FROM passages_fts WHERE tsv @@ q::tsquery) "
              "FROM unnest(%s::text[]) WITH ORDINALITY AS x(q, n) ORDER BY n)")


def _read_stats(conn: psycopg.Connection[Any], phrases: list[tuple[str, ...]]) -> tuple[int, bm25.Stats]:
    """The generation, the keyword totals and how many passages hold each stemmed word (``keyword_lexemes``)
    or phrase (matched by the index), all from one snapshot, in one round trip."""
    words = [p[0] for p in phrases if len(p) == 1]
    longer = [p for p in phrases if len(p) > 1]
    row = conn.execute(_STATS_SQL, (words, [bm25.tsquery(p) for p in longer])).fetchone()
    gen, n, tokens, word_docs, phrase_docs = row if row else (0, 0, 0, [], [])
    n, tokens = int(n or 0), int(tokens or 0)
    docs = dict.fromkeys(phrases, 0)
    for entry in word_docs:
        lexeme, count = entry.rsplit(" ", 1)
        docs[(lexeme,)] = int(count)
    docs.update(zip(longer, map(int, phrase_docs)))
    return int(gen or 0), bm25.Stats(n, tokens / n if n else 0.0, docs)


@contextmanager
def _connection_errors() -> Iterator[None]:
    """A lost or refused connection is a one-line StoreError (exit 5 in the CLI); SQL errors pass as they are."""
    try:
        yield
    except (psycopg.OperationalError, PoolTimeout) as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        raise StoreError(f"the PostgreSQL store is unavailable: {lines[0] if lines else type(exc).__name__}") from exc


def _probe(url: str, shown: str) -> None:
    """Connect once, or raise a StoreError naming the store (password hidden) and the first line of the cause."""
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        cause = lines[0] if lines else type(exc).__name__
        raise StoreError(f"cannot connect to the PostgreSQL store {shown}: {cause}") from exc


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(password=)[^\s&]+", r"\1***", re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url))
