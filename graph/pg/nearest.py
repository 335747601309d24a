"""Nearest passages on PostgreSQL: passage vectors in a pgvector column with an HNSW cosine index.

``passage_vectors`` holds one row per (model, passage), written in the report's own transaction and
gone with its passage (the foreign key cascades). Each model gets its own partial HNSW index over
``embedding::vector(dim)``, made the first time HNSW search is asked for with that model, so models
of different sizes share the table. Search asks for the ``k`` nearest with ``ORDER BY ... <=> q``, which
the index answers approximately; ``EF_SEARCH`` is set on every pooled connection and was chosen on
the scale benchmark's data so that HNSW's top 50 recall at least 0.98 of the exact top 50 (a passage
as near as the exact 50th counts: the generated corpora hold many equally near copies).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

# hnsw.ef_search (pgvector's default is 40, its maximum 1000): the candidate list kept while walking the graph.
# On the scale benchmark's vectors (hash encoder, 40 000 passages; bag-of-words vectors with little cluster
# structure, the hard case) recall@50 against exact search was 0.70 at 200 with pgvector's default graph,
# 0.94 at 1000; with the denser graph below, 0.92 at 200, 0.94 at 400 and 1.00 at 1000.
EF_SEARCH = 1000
HNSW_M = 32  # links per node (pgvector's default is 16)
HNSW_EF_CONSTRUCTION = 200  # candidate list while building (default 64)

TABLE = [
    ('CREATE TABLE IF NOT EXISTS passage_vectors (model TEXT COLLATE "C" NOT NULL, '
     "rowid BIGINT NOT NULL REFERENCES passages(rowid) ON DELETE CASCADE, embedding vector NOT NULL, "
     "PRIMARY KEY (model, rowid))"),
    "CREATE INDEX IF NOT EXISTS passage_vectors_rowid ON passage_vectors(rowid)",
]


def literal(v: Any) -> str:
    """A vector as pgvector's text form, ``[x,y,...]``."""
    return "[" + ",".join(map(repr, np.asarray(v, dtype=np.float32).astype(float).tolist())) + "]"


def _index_name(model: str, dim: int) -> str:
    return "passage_vectors_hnsw_" + re.sub(r"\W+", "_", model).strip("_").lower()[:30] + f"_{int(dim)}"


def ensure_index(conn: psycopg.Connection[Any], model: str, dim: int) -> None:
    """The model's HNSW cosine index, made the first time HNSW search is asked for (so a store that never
    uses it does not maintain it: each passage written costs 5-7 ms more while the index exists)."""
    try:
        conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON passage_vectors USING hnsw "
                             "((embedding::vector({})) vector_cosine_ops) WITH (m = {}, ef_construction = {}) "
                             "WHERE model = {}").format(
            sql.Identifier(_index_name(model, dim)), sql.SQL(str(int(dim))), sql.SQL(str(HNSW_M)),
            sql.SQL(str(HNSW_EF_CONSTRUCTION)), sql.Literal(model)))
    except psycopg.errors.UniqueViolation:
        pass  # another worker made it at the same moment


def put(conn: psycopg.Connection[Any], model: str, dim: int, passage_shas: dict[str, str]) -> int:
    """Copy the stored vectors of these passages (id -> text hash) into ``passage_vectors``; how many.

    One statement for all of them: a statement per passage cost a round trip each (0.75 s for a
    report of 140 passages on a loaded machine, against 0.06 s).
    """
    if not passage_shas:
        return 0
    rows = conn.execute(
        'SELECT p.rowid, e.vector FROM unnest(%s::text[], %s::text[]) AS u(pid, sha) '
        'JOIN passages p ON p.passage_id = u.pid COLLATE "C" '
        'JOIN embeddings e ON e.text_sha = u.sha COLLATE "C" AND e.model = %s AND e.dim = %s',
        (list(passage_shas), list(passage_shas.values()), model, dim)).fetchall()
    conn.execute("INSERT INTO passage_vectors(model, rowid, embedding) "
                 "SELECT %s, u.r, u.e::vector FROM unnest(%s::bigint[], %s::text[]) AS u(r, e) "
                 "ON CONFLICT (model, rowid) DO UPDATE SET embedding = EXCLUDED.embedding",
                 (model, [r[0] for r in rows], [literal(np.frombuffer(r[1], dtype=np.float32)) for r in rows]))
    return len(rows)


def query(model: str, dim: int) -> sql.Composed:
    """The k-nearest statement (parameters: query vector, k), written so the partial HNSW index serves it."""
    vec = sql.SQL("::vector({})").format(sql.SQL(str(int(dim))))
    return sql.SQL("SELECT rowid, 1 - (embedding{v} <=> %(q)s{v}) FROM passage_vectors WHERE model = {m} "
                   "ORDER BY embedding{v} <=> %(q)s{v} LIMIT %(k)s").format(v=vec, m=sql.Literal(model))


def nearest(conn: psycopg.Connection[Any], model: str, dim: int, qv: Any, k: int) -> dict[int, float]:
    """Passage rowid -> cosine similarity of the ``k`` nearest passages, as the HNSW index finds them."""
    rows = conn.execute(query(model, dim), {"q": literal(qv), "k": k}).fetchall()
    return {int(r[0]): float(r[1]) for r in rows}


def exact(conn: psycopg.Connection[Any], model: str, dim: int, qv: Any, k: int) -> dict[int, float]:
    """The same question answered exactly (the index switched off for this transaction): for measuring recall."""
    with conn.transaction():
        conn.execute("SET LOCAL enable_indexscan = off")
        return nearest(conn, model, dim, qv, k)


def covers(conn: psycopg.Connection[Any], model: str) -> bool:
    """Whether every passage has its vector here (a store built before this table had none)."""
    row = conn.execute("SELECT (SELECT count(*) FROM passage_vectors WHERE model = %s) >= "
                       "(SELECT count(*) FROM passages)", (model,)).fetchone()
    return bool(row and row[0])
