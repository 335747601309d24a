"""The optional prose rewrite against a small fake OpenAI-compatible server on loopback."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from api.service import Service


class _Fake(BaseHTTPRequestHandler):
    reply = ""
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Fake.seen.append(body)
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": _Fake.reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_llm() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def _service(corpus_service: Service, url: str | None) -> Service:
    return Service(corpus_service.settings.model_copy(update={"llm_url": url}))


QUESTION = "How are registered sex offenders managed?"


def test_off_by_default(corpus_service: Service) -> None:
    out = corpus_service.ask(QUESTION)
    assert "prose" not in out and "prose_error" not in out


def test_prose_citing_evidence_is_added(corpus_service: Service, fake_llm: str) -> None:
    svc = _service(corpus_service, fake_llm)
    base = corpus_service.ask(QUESTION)
    pid = base["evidence"][0]["passage_id"]
    _Fake.reply = f"The force manages these offenders with partners [{pid}]."
    out = svc.ask(QUESTION)
    assert out["prose"] == _Fake.reply
    assert out["answer"] == base["answer"]  # the extractive answer stays the answer of record
    assert pid in _Fake.seen[-1]["messages"][1]["content"]


def test_prose_citing_other_passages_is_refused(corpus_service: Service, fake_llm: str) -> None:
    _Fake.reply = "Everything is fine [made-up-p9999]."
    out = _service(corpus_service, fake_llm).ask(QUESTION)
    assert "prose" not in out and "outside the evidence" in out["prose_error"]


def test_unreachable_endpoint_keeps_the_answer(corpus_service: Service) -> None:
    out = _service(corpus_service, "http://127.0.0.1:9/v1").ask(QUESTION)
    assert out["answer"] and "prose" not in out and out["prose_error"].startswith("the rewrite endpoint failed")
