"""The bundled corpus built on PostgreSQL (hash encoder): the same graph as on SQLite, and search,
ask and delete through the Service."""
from __future__ import annotations

from pathlib import Path

import pytest

from api.service import Service
from api.settings import Settings


@pytest.fixture(scope="module")
def pg_service(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Service:
    import uuid
    from urllib.parse import urlsplit

    import psycopg

    name = f"e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    url = urlsplit(pg_server)._replace(path=f"/{name}").geturl()
    svc = Service(Settings(store=tmp_path_factory.mktemp("unused"), encoder="hash", database_url=url))
    svc.build()
    yield svc
    svc.store.close()


def _tables(svc: Service) -> dict[str, int]:
    return {t: svc.store.count(t) for t in ("reports", "passages", "items", "embeddings")}


def test_store_is_postgres_and_holds_what_sqlite_holds(pg_service: Service, corpus_service: Service) -> None:
    assert type(pg_service.store).__name__ == "PgStore" and type(corpus_service.store).__name__ == "Store"
    assert _tables(pg_service) == _tables(corpus_service)
    ids = [r["report_id"] for r in pg_service.store.reports()]
    assert ids == [r["report_id"] for r in corpus_service.store.reports()]
    assert pg_service.store.passages() == corpus_service.store.passages()
    assert pg_service.store.items() == corpus_service.store.items()


def test_graph_hooks_write_the_same_graph(pg_service: Service, corpus_service: Service) -> None:
    a, b = pg_service.knowledge(), corpus_service.knowledge()
    assert a.number_of_nodes() > 100 and a.number_of_edges() > 100
    assert sorted(a.nodes) == sorted(b.nodes)
    assert sorted((s, t, k) for s, t, k in a.edges(keys=True)) == sorted((s, t, k) for s, t, k in b.edges(keys=True))
    node = next(n for n, d in a.nodes(data=True) if d["type"] == "unit")
    assert a.nodes[node]["mentions"] == b.nodes[node]["mentions"]


def test_keyword_search_finds_only_passages_with_the_words(pg_service: Service) -> None:
    hits = pg_service.search("domestic abuse", k=5, mode="keyword")["hits"]
    assert hits
    for h in hits:
        assert "domestic" in h["text"].lower() or "abuse" in h["text"].lower(), h["text"][:120]
    # the passages that have both words rank above those with one
    both = ["domestic abuse" in h["text"].lower() for h in hits]
    assert both[0] and both == sorted(both, reverse=True)


def test_hybrid_search_and_ask_quote_the_store(pg_service: Service) -> None:
    hits = pg_service.search("neighbourhood officers and organised crime", k=5)["hits"]
    assert hits
    for h in hits:
        assert pg_service.store.passage(h["passage_id"]).report_id == h["report_id"]
    out = pg_service.ask("How did the removal of neighbourhood officers affect organised crime?")
    assert out["lead"] is not None and out["quotes"][0] == out["lead"]
    for q in out["quotes"]:
        passage = pg_service.store.passage(q["passage_id"])
        assert q["text"] in " ".join(passage.text.split())
        assert q["report_id"] == passage.report_id
    assert out["answer"].startswith(out["lead"]["text"])


def test_delete_cascades_and_other_services_see_it(pg_service: Service, corpus_files: dict[str, Path],
                                                   tmp_path: Path) -> None:
    """A second Service on the same database (another worker) sees a delete and a re-ingest at once."""
    other = Service(Settings(store=tmp_path, encoder="hash", database_url=pg_service.store.url))
    rid = next(r["report_id"] for r in pg_service.store.reports() if r["year"] == "2015")
    gen = pg_service.store.generation()
    before = other.knowledge()
    assert any(h["report_id"] == rid for h in other.search("crime", k=20)["hits"])
    pg_service.delete(rid)
    try:
        assert other.store.generation() > gen
        assert rid not in {r["report_id"] for r in other.store.reports()}
        assert other.store.passages(rid) == [] and other.store.items(rid) == []
        assert all(h["report_id"] != rid for h in other.search("crime", k=20)["hits"])
        after = other.knowledge()
        assert f"report:{rid}" in before and f"report:{rid}" not in after
        assert not any(rid in d.get("reports", []) for _, d in after.nodes(data=True))
        left = other.store.con.execute("SELECT count(*) FROM evidence WHERE report_id=?", (rid,)).fetchone()[0]
        assert left == 0
    finally:
        assert other.ingest([corpus_files["2015"]])[0]["status"] == "added"
    assert rid in {r["report_id"] for r in pg_service.store.reports()}
    assert any(h["report_id"] == rid for h in pg_service.search("crime", k=20)["hits"])
    other.store.close()


def test_http_api_serves_the_postgres_store(pg_service: Service, tmp_path: Path) -> None:
    """The app chooses PostgreSQL from the settings: health, search and ask over HTTP read that database."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    settings = Settings(store=tmp_path / "no-sqlite-here", encoder="hash", database_url=pg_service.store.url)
    with TestClient(create_app(settings)) as client:
        health = client.get("/api/health").json()
        assert health["reports"] == 2 and health["passages"] == pg_service.store.count("passages")
        hits = client.get("/api/search", params={"q": "domestic abuse", "k": 3}).json()["hits"]
        assert hits and all(pg_service.store.passage(h["passage_id"]) for h in hits)
        answer = client.post("/api/ask", json={"question": "How did the removal of neighbourhood officers affect "
                                                        "organised crime?"}).json()
        assert answer["quotes"] and answer["lead"]["passage_id"] == answer["quotes"][0]["passage_id"]
    assert not (tmp_path / "no-sqlite-here" / "peelgraph.db").exists()
