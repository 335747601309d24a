"""The whole HTTP API over the bundled corpus (hash encoder), and schemathesis over its OpenAPI schema."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings as hsettings

from api.app import create_app
from api.service import Service

QUESTION = "How did the removal of neighbourhood officers affect the disruption of organised crime?"


@pytest.fixture(scope="module")
def client(corpus_service: Service) -> TestClient:
    return TestClient(create_app(corpus_service.settings), raise_server_exceptions=False)


def _error_shape(resp) -> None:  # type: ignore[no-untyped-def]
    body = resp.json()
    assert set(body) == {"error"} and {"code", "message", "detail"} <= set(body["error"]), body


def test_search_and_ask(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "registered sex offenders caseload", "k": 5}).json()["hits"]
    assert 1 <= len(hits) <= 5
    assert {"passage_id", "report_id", "year", "section", "paragraph", "text", "score"} <= set(hits[0])
    ans = client.post("/api/ask", json={"question": QUESTION}).json()
    assert {"question", "answer", "evidence", "graph"} <= set(ans)


def test_lists_are_paginated(client: TestClient) -> None:
    first = client.get("/api/entities", params={"limit": 5}).json()
    second = client.get("/api/entities", params={"limit": 5, "offset": 5}).json()
    assert len(first) == 5 and len(second) == 5 and not {e["id"] for e in first} & {e["id"] for e in second}
    assert client.get("/api/entities", params={"limit": 5000}).status_code == 422
    for route in ("/api/themes", "/api/findings", "/api/recommendations", "/api/crosscutting", "/api/relations"):
        resp = client.get(route, params={"limit": 3})
        assert resp.status_code == 200 and len(resp.json()) <= 3, route


def test_entity_trace_compare(client: TestClient) -> None:
    ent = client.get("/api/entities", params={"q": "neighbourhood", "limit": 1}).json()[0]
    one = client.get(f"/api/entities/{ent['id']}").json()
    assert one["id"] == ent["id"] and one["mentions"]
    tr = client.get("/api/trace", params={"from": "neighbourhood officers", "to": "organised crime"}).json()
    assert tr["paths"] and all(e["evidence"] for p in tr["paths"] for e in p["edges"])
    cmp_ = client.get("/api/compare", params={"topic": "neighbourhood policing"}).json()
    assert [r["year"] for r in cmp_["reports"]] == ["2015", "2018/19"]


def test_errors_have_one_shape(client: TestClient) -> None:
    cases = [
        (client.get("/api/search", params={"q": "   "}), 400),
        (client.get("/api/search", params={"q": "x" * 1001}), 422),
        (client.get("/api/search", params={"q": "crime", "k": 0}), 422),
        (client.get("/api/entities/no-such-thing-anywhere"), 404),
        (client.get("/api/trace", params={"from": "zzqqxx"}), 404),
        (client.get("/api/nope"), 404),
        (client.post("/api/export", json={"format": "exe", "theme": "victim-care"}), 422),
        (client.post("/api/export", json={"format": "png"}), 422),
        (client.post("/api/sparql", json={"query": "DELETE WHERE { ?s ?p ?o }"}), 400),
        (client.get("/api/sparql",
                    params={"query": "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }"}), 400),
        (client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"}), 422),
    ]
    for resp, status in cases:
        assert resp.status_code == status, (resp.request.url, resp.status_code, resp.text[:200])
        _error_shape(resp)


@pytest.mark.parametrize("fmt, check", [
    ("png", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
    ("svg", lambda b: b.lstrip().startswith(b"<")),
    ("pptx", lambda b: zipfile.ZipFile(io.BytesIO(b)).namelist()),
    ("graphml", lambda b: b"<graphml" in b),
    ("csv", lambda b: set(zipfile.ZipFile(io.BytesIO(b)).namelist()) >= {"nodes.csv", "edges.csv"}),
    ("json", lambda b: json.loads(b)["nodes"]),
    ("cypher", lambda b: b"MERGE" in b),
])
def test_export_by_entity(client: TestClient, fmt: str, check) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/export", json={"format": fmt, "entity": "removal of neighbourhood officers", "depth": 1})
    assert resp.status_code == 200, resp.text[:300]
    assert "attachment" in resp.headers["content-disposition"]
    assert check(resp.content)


def test_export_selectors(client: TestClient) -> None:
    for body in ({"theme": "victim-care"}, {"query": "domestic abuse risk assessment"},
                 {"trace": {"from": "neighbourhood officers", "to": "organised crime"}}, {"question": QUESTION}):
        resp = client.post("/api/export", json={"format": "json", **body})
        assert resp.status_code == 200, (body, resp.text[:300])
        assert json.loads(resp.content)["nodes"], body


def test_sparql_select(client: TestClient) -> None:
    q = ("SELECT ?l WHERE { ?i a <https://w3id.org/peelgraph/ontology#Issue> ; "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 5")
    out = client.get("/api/sparql", params={"query": q}).json()
    assert out["type"] == "select" and len(out["rows"]) == 5


def test_writes_need_the_key(corpus_service: Service, tmp_path: Path) -> None:
    keyed = corpus_service.settings.model_copy(update={"api_key": "s3cret", "store": tmp_path / "store"})
    c = TestClient(create_app(keyed), raise_server_exceptions=False)
    files = {"file": ("r.txt", b"Kent Police PEEL 2016\nKent Police investigates crime well and quickly.\n"
                               b"Kent Police works with partners.\n", "text/plain")}
    resp = c.post("/api/reports", files=files)
    assert resp.status_code == 403
    _error_shape(resp)
    assert c.get("/api/reports").json() == []  # nothing written
    ok = c.post("/api/reports", files=files, headers={"X-API-Key": "s3cret"})
    assert ok.status_code == 201, ok.text
    exposed = corpus_service.settings.model_copy(update={"host": "0.0.0.0", "store": tmp_path / "store2"})
    resp = TestClient(create_app(exposed), raise_server_exceptions=False).post("/api/reports", files=files)
    assert resp.status_code == 403


def test_oversized_and_hostile_uploads(corpus_service: Service, tmp_path: Path) -> None:
    small = corpus_service.settings.model_copy(update={"max_upload_bytes": 2000, "store": tmp_path / "s"})
    c = TestClient(create_app(small), raise_server_exceptions=False)
    big = c.post("/api/reports", files={"file": ("big.txt", b"word " * 100_000, "text/plain")})
    assert big.status_code == 413
    exe = c.post("/api/reports",
                 files={"file": ("../../etc/x.txt", b"MZ\x90\x00" + bytes(range(256)) * 4, "text/plain")})
    assert exe.status_code == 415
    _error_shape(exe)
    assert c.get("/api/reports").json() == []
    assert not (tmp_path / "etc").exists()


@pytest.fixture(scope="module")
def schema(corpus_service: Service):  # type: ignore[no-untyped-def]
    app = create_app(corpus_service.settings)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_schemathesis_no_server_errors(schema) -> None:  # type: ignore[no-untyped-def]
    """Every read operation of the OpenAPI schema, fuzzed by schemathesis: never a 5xx."""
    failures = []
    calls = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 15
    for op in operations:
        if op.method.upper() in ("POST", "DELETE") and op.path.startswith("/api/reports"):
            continue  # writes are covered above; fuzzing them would change the shared corpus store

        @given(case=op.as_strategy())
        @hsettings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call()
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append((case.method, case.path, case.path_parameters, case.query, response.status_code,
                                 response.text[:200]))

        run()
    assert len(calls) > 100  # the fuzzer really ran
    assert not failures, failures[:5]
