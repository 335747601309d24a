"""What the web page relies on: security headers, HEAD /, writability, legend, report page, tracker,
passages, plain-language errors, and the Ask filters reaching the engine."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.messages import validation_message
from api.service import Service
from ontology import legend

QUESTION = "What affects neighbourhood policing?"


@pytest.fixture(scope="module")
def client(corpus_service: Service) -> TestClient:
    return TestClient(create_app(corpus_service.settings), raise_server_exceptions=False)


@pytest.mark.parametrize("path", ["/", "/api/health", "/static/js/main.js", "/api/no-such-route"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert not re.search(r"https?://", csp)  # nothing from another origin
    assert r.headers["x-content-type-options"] == "nosniff"


def test_head_of_the_page(client: TestClient) -> None:
    r = client.head("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


def test_page_scripts_are_es_modules_served_here(client: TestClient) -> None:
    html = client.get("/").text
    assert '<script type="module" src="/static/js/main.js">' in html
    main = client.get("/static/js/main.js")
    assert main.status_code == 200 and "javascript" in main.headers["content-type"]
    for module in re.findall(r'from "\./([\w/-]+\.js)"', main.text):
        assert client.get(f"/static/js/{module}").status_code == 200, module


def test_writable_follows_the_bound_address_and_the_key(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    base = make_settings(tmp_path / "store")
    local = TestClient(create_app(base)).get("/api/health").json()
    assert local["writable"] is True and local["needs_key"] is False
    public = TestClient(create_app(base.model_copy(update={"host": "0.0.0.0"})))
    assert public.get("/api/health").json()["writable"] is False
    refused = public.post("/api/reports", files={"file": ("a.txt", b"text", "text/plain")})
    assert refused.status_code == 403 and "PEELGRAPH_API_KEY" in refused.json()["error"]["message"]
    keyed = TestClient(create_app(base.model_copy(update={"host": "0.0.0.0", "api_key": "k"}))).get("/api/health")
    assert keyed.json()["writable"] is True and keyed.json()["needs_key"] is True


def test_legend_is_the_ontology_legend(client: TestClient) -> None:
    got = client.get("/api/legend").json()
    assert got == legend() and {"node_types", "relation_types", "polarity"} <= set(got)


def _latest(client: TestClient) -> dict[str, Any]:
    return max(client.get("/api/reports").json(), key=lambda r: r["year_end"] or 0)


def test_report_page_groups_its_items(client: TestClient) -> None:
    latest = _latest(client)
    page = client.get(f"/api/reports/{latest['report_id']}").json()
    assert page["title"] == latest["title"] and page["passages"] == latest["passages"]
    assert set(page["items"]) == {"recommendation", "area_for_improvement", "cause_of_concern", "judgment"}
    items = client.get("/api/items", params={"report": latest["report_id"], "limit": 500}).json()
    for kind, rows in page["items"].items():
        assert [r["item_id"] for r in rows] == [i["item_id"] for i in items if i["kind"] == kind]
    assert client.get("/api/reports/no-such-report").status_code == 404


def test_tracker_shows_the_carried_over_areas_with_origin_years(client: TestClient) -> None:
    latest = _latest(client)
    data = client.get("/api/tracker").json()
    rows = data["items"]
    assert {r["kind"] for r in rows} <= {"recommendation", "area_for_improvement", "cause_of_concern"}
    assert data["counts"]["carried_over"] + data["counts"]["found_again"] + data["counts"]["new"] == len(rows)
    carried = [r for r in rows if r["report_id"] == latest["report_id"] and r["status"] == "carried_over"]
    assert len(carried) == 3 and all(r["kind"] == "area_for_improvement" for r in carried)
    for r in carried:  # the origin year is read from the item's own "still outstanding from ..." words
        assert r["origin"]["year"] in r["origin"]["label"] and int(r["origin"]["year"]) < latest["year_end"]
        assert r["origin_year"] == r["origin"]["year"]
        [ev] = r["evidence"]
        assert ev["quote"] == r["text"] and ev["passage_id"] and ev["year"] == latest["year"]
    years = [int(r["origin_year"][:4]) for r in rows]
    assert years == sorted(years)  # oldest origin first
    only = client.get("/api/tracker", params={"status": "carried_over", "kind": "area_for_improvement"}).json()
    assert [r["item_id"] for r in only["items"]] == [r["item_id"] for r in rows if r["status"] == "carried_over"]
    bad = client.get("/api/tracker", params={"status": "closed"})
    assert bad.status_code == 422 and "status" in bad.json()["error"]["message"]


def test_passage_route(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "neighbourhood", "k": 1}).json()["hits"][0]
    p = client.get(f"/api/passages/{hit['passage_id']}").json()
    assert p["text"] == hit["text"] and p["year"] == hit["year"] and p["paragraph"] == hit["paragraph"]
    assert client.get("/api/passages/no-such-passage").status_code == 404


def test_plain_language_validation_messages(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "x" * 1001})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "Your question is too long (at most 1000 characters)."
    r = client.post("/api/ask", json={"question": "why?", "k": 0})
    assert r.json()["error"]["message"] == "The number of results must be at least 1."
    r = client.post("/api/ask", json={})
    assert r.json()["error"]["message"] == "Please give a question."
    assert client.get("/api/search", params={"q": "y" * 1001}).json()["error"]["message"] == \
        "Your search is too long (at most 1000 characters)."


def test_validation_message_falls_back_to_pydantic_words() -> None:
    odd = [{"loc": ["body", "odd_field"], "type": "strange", "msg": "is odd"}]
    assert validation_message(odd) == "odd field: is odd"
    assert validation_message([]) == "The request is not valid."


class _Engine:
    """Records what the Service asks of the search engine."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def ask(self, question: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((question, {k: v for k, v in kwargs.items() if v is not None}))
        return {"question": question, "answer": "", "evidence": [], "graph": {"nodes": [], "edges": []}}


def test_ask_filters_reach_the_engine(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    app = create_app(make_settings(tmp_path / "store"))
    engine = _Engine()
    app.state.service._search_engine = engine
    c = TestClient(app)
    assert c.post("/api/ask", json={"question": QUESTION, "force": "Dorset Police", "year": "2016"}).status_code == 200
    assert c.post("/api/ask", json={"question": QUESTION, "report": "r1", "k": 3}).status_code == 200
    assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
    assert engine.calls == [(QUESTION, {"k": 8, "force": "Dorset Police", "year": "2016"}),  # filters not given: None
                            (QUESTION, {"k": 3, "report": "r1"}), (QUESTION, {"k": 8})]


def test_an_upload_without_force_or_period_carries_a_warning(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(create_app(make_settings(tmp_path / "store")))
    notes = b"Some notes about nothing in particular.\n" * 5
    r = c.post("/api/reports", files={"file": ("notes.txt", notes, "text/plain")})
    if r.status_code >= 400:  # refused outright is also fine, with a clear message
        assert "notes.txt" in r.json()["error"]["message"]
        return
    assert r.json()["warnings"] and "inspection report" in " ".join(r.json()["warnings"])


def test_found_again_means_a_later_report(client: TestClient) -> None:
    years = {r["report_id"]: r["year_end"] for r in client.get("/api/reports").json()}
    for row in client.get("/api/tracker").json()["items"]:
        for x in row["recurs"]:
            assert years[x["later"]["report_id"]] > years[row["report_id"]]
        assert (row["status"] == "found_again") == (not row["origin"] and bool(row["recurs"]))


def test_passages_for_entity_uses_the_graph(corpus_service: Service) -> None:
    ent = corpus_service.entities(q="neighbourhood")[0]
    got = corpus_service.passages_for_entity(ent["label"])
    assert got and got == {m["passage_id"] for m in corpus_service.entity(ent["id"])["mentions"]}
    assert corpus_service.passages_for_entity("no such thing at all") is None


def test_a_server_error_has_the_headers_and_a_plain_message(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    app = create_app(make_settings(tmp_path / "store"))

    class Broken:
        def ask(self, question: str, **kwargs: Any) -> dict[str, Any]:
            raise RuntimeError("boom")

    app.state.service._search_engine = Broken()
    r = TestClient(app, raise_server_exceptions=False).post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert "boom" not in r.text and "went wrong" in r.json()["error"]["message"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
