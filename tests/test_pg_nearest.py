"""pgvector on the PostgreSQL store: passage vectors written with their report, an HNSW index that
the nearest-passage query uses, the same neighbours as exact search on a small store, and gone with
their report."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from api.service import Service
from api.settings import Settings
from graph.pg import nearest

REPORTS = {
    "a.txt": ["Eastvale Police PEEL 2021", "Effectiveness", "Protecting vulnerable people",
              "The force shares referrals about children at risk with the local authority every morning.",
              "Call handlers assess the risk to callers with a structured set of questions.",
              "Neighbourhood teams patrol the town centre at night to deter anti-social behaviour."],
    "b.txt": ["Westdale Constabulary PEEL 2022", "Efficiency", "Managing demand",
              "The control room answers emergency calls quickly but non-emergency calls wait too long.",
              "Detectives carry too many investigations, which means that victims wait for updates.",
              "The force has a plan to recruit more staff for digital forensics."],
}


@pytest.fixture()
def hnsw_service(pg_url: str, tmp_path: Path) -> Service:
    for name, lines in REPORTS.items():
        (tmp_path / name).write_text("\n".join(lines), encoding="utf-8")
    svc = Service(Settings(store=tmp_path / "unused", encoder="hash", database_url=pg_url, vector_search="hnsw"))
    svc.ingest(sorted(tmp_path.glob("*.txt")))
    yield svc
    svc.store.close()


def _count(svc: Service) -> int:
    return int(svc.store.con.execute("SELECT count(*) FROM passage_vectors").fetchone()[0])


def test_every_passage_has_its_vector_and_a_delete_removes_them(hnsw_service: Service) -> None:
    store = hnsw_service.store
    assert _count(hnsw_service) == store.count("passages") > 4
    rid = store.reports()[0]["report_id"]
    hnsw_service.delete(rid)
    assert _count(hnsw_service) == store.count("passages") > 0


def test_the_query_uses_the_hnsw_index(hnsw_service: Service) -> None:
    enc = hnsw_service.search_engine.index.encoder
    assert hnsw_service.store.nearest_passages(enc.name, enc.dim, np.ones(enc.dim), 3)  # the first makes the index
    q = nearest.query(enc.name, enc.dim)
    with hnsw_service.store._pool.connection() as conn:
        conn.execute("SET enable_seqscan = off")  # a tiny table: ask which plan the index makes possible
        conn.execute("SET enable_bitmapscan = off")
        plan = "\n".join(r[0] for r in conn.execute(b"EXPLAIN " + q.as_bytes(conn),
                                                     {"q": nearest.literal(np.ones(enc.dim)), "k": 5}))
    assert "passage_vectors_hnsw_" in plan, plan


def test_nearest_passages_are_the_exact_ones_and_search_uses_them(hnsw_service: Service) -> None:
    index = hnsw_service.search_engine.index
    snap = index.snapshot()
    qv = index.encoder.encode(["victims wait for updates on investigations"])[0]
    near = hnsw_service.store.nearest_passages(index.encoder.name, index.encoder.dim, qv, 3)
    assert near is not None and len(near) == 3
    exact = snap.matrix @ qv
    best = [int(snap.rowids[i]) for i in np.argsort(-exact)[:3]]
    assert list(near) == best
    for rowid, score in near.items():
        assert score == pytest.approx(float(exact[snap.pos[rowid]]), abs=1e-5)
    dense = index.dense_scores(snap, qv)
    assert int(np.argmax(dense)) == snap.pos[best[0]]
    assert (dense == -1.0).sum() == max(0, len(snap) - 100)


def test_exact_is_the_default_and_asks_no_index(hnsw_service: Service, pg_url: str, tmp_path: Path) -> None:
    other = Service(Settings(store=tmp_path / "unused2", encoder="hash", database_url=pg_url))
    assert other.store.nearest_passages("hash-256", 256, np.ones(256), 3) is None
    indexes = other.store.con.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'passage_vectors'")
    assert not [r[0] for r in indexes if "hnsw" in r[0]]  # not maintained until HNSW search is asked for
    hits = other.search("victims wait for updates", k=3, mode="dense")["hits"]
    same = hnsw_service.search("victims wait for updates", k=3, mode="dense")["hits"]
    assert [h["passage_id"] for h in hits] == [h["passage_id"] for h in same]
    other.store.close()
