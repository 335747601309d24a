"""API basics through FastAPI's TestClient: health, stats, reports, upload, delete, one error shape."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

SMALL = """PEEL: Police effectiveness 2016 – Dorset Police
How effective is the force at preventing crime?
Dorset Police works with parish councils to reduce nuisance in its villages. Officers patrol the places residents name.
Areas for improvement
- The force should evaluate its prevention work with partners. (Effectiveness 2015)
"""


def assert_error(resp, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture()
def client(tmp_path: Path, make_settings):  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(tmp_path / "store"))) as c:
        yield c


def test_health_stats_reports_on_empty_store(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert client.get("/api/stats").json() == {"reports": [], "passages": 0}
    assert client.get("/api/reports").json() == []


def test_upload_then_delete(client: TestClient) -> None:
    r = client.post("/api/reports", files={"file": ("dorset.txt", SMALL.encode(), "text/plain")})
    assert r.status_code == 201, r.text
    res = r.json()
    assert res["status"] == "added" and res["report_id"]
    rid = res["report_id"]
    reports = client.get("/api/reports").json()
    assert [x["report_id"] for x in reports] == [rid]
    assert reports[0]["force"] == "Dorset Police" and reports[0]["year"] == "2016"
    stats = client.get("/api/stats").json()
    [rep] = stats["reports"]
    assert rep["areas_for_improvement"] == 1 and stats["passages"] == rep["passages"] >= 2
    # the same bytes again: unchanged
    again = client.post("/api/reports", files={"file": ("copy.txt", SMALL.encode(), "text/plain")})
    assert again.status_code in (200, 201) and again.json()["status"] == "unchanged"
    r = client.delete(f"/api/reports/{rid}")
    assert r.status_code == 200 and r.json()["status"] == "deleted"
    err = assert_error(client.delete(f"/api/reports/{rid}"), 404)
    assert err["code"] == "not_found"
    assert client.get("/api/stats").json() == {"reports": [], "passages": 0}


def test_bad_uploads(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    err = assert_error(client.post("/api/reports", files={"file": ("x.png", png, "image/png")}), 415)
    assert "x.png" in err["message"]
    err = assert_error(client.post("/api/reports", files={"file": ("empty.txt", b"", "text/plain")}), 400)
    assert "empty.txt" in err["message"]
    assert_error(client.post("/api/reports"), 422)  # no file field at all
    assert client.get("/api/reports").json() == []


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_error(client.get("/api/no-such-route"), 404)
    assert_error(client.put("/api/health"), 405)


def test_api_on_the_bundled_corpus(corpus_service) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(corpus_service.settings)) as c:
        assert c.get("/api/health").json()["reports"] == 2
        stats = c.get("/api/stats").json()
        assert stats == corpus_service.stats()
        assert {r["year"] for r in c.get("/api/reports").json()} == {"2015", "2018/19"}


def test_a_kept_alive_connection_is_closed_after_its_share_of_requests(client: TestClient) -> None:
    """Every KEEPALIVE_REQUESTS-th response on one connection closes it, so that several workers sharing a
    socket get the reconnection in turn; the others keep it open."""
    from api.app import KEEPALIVE_REQUESTS

    closed = [n for n in range(1, 2 * KEEPALIVE_REQUESTS + 1)
              if client.get("/api/health").headers.get("connection") == "close"]
    assert closed == [KEEPALIVE_REQUESTS, 2 * KEEPALIVE_REQUESTS]
