"""The server's helper process: jobs and their errors cross the process boundary unchanged, a dead helper
fails only its own job, uploads are parsed there, communities come from it equal to those computed in
process, and it ends with the server."""
from __future__ import annotations

import operator
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.helper_process import HelperDied, HelperProcess, prepare_upload
from graph import build as knowledge
from graph.errors import UnsupportedFormat
from graph.ingest.load import load_bytes

NOTES = """PEEL: Police effectiveness 2017 - Northshire Police
How effective is the force at protecting vulnerable people?
Northshire Police works with the local authority to support victims of domestic abuse. Because of a shortage of
detectives, investigations of domestic abuse take too long, which means that victims wait for an outcome.
Areas for improvement
- The force should reduce the time its domestic abuse investigations take.
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie has ended too
        return fh.read().rsplit(")", 1)[1].split()[0] != "Z"


def _communities(G: Any) -> dict[str, int | None]:
    return {n: d.get("community") for n, d in G.nodes(data=True)}


def _not_here(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    raise AssertionError("communities computed in the serving process")


def test_jobs_errors_crashes_and_close() -> None:
    helper = HelperProcess()
    try:
        assert helper.pid is None  # started on first use ...
        helper.warm()  # ... such as the warm-up a server runs before serving
        pid = helper.pid
        assert helper.call(operator.add, 2, 3) == 5
        assert pid is not None and pid != os.getpid()
        # a product error comes back as the same class and message as in this process
        with pytest.raises(UnsupportedFormat) as here:
            load_bytes(b"\x89PNG", "chart.png", max_bytes=1000)
        with pytest.raises(UnsupportedFormat) as there:
            helper.call(prepare_upload, b"\x89PNG", "chart.png", 1000)
        assert there.value.message == here.value.message and there.value.detail == here.value.detail
        with pytest.raises(RuntimeError, match="ValueError"):  # a bug in a job: reported, the helper goes on
            helper.call(int, "not a number")
        assert helper.pid == pid
        with pytest.raises(HelperDied):  # the helper dies in a job: that job fails ...
            helper.call(os._exit, 3)
        assert helper.call(operator.mul, 4, 5) == 20  # ... and the next one gets a new helper
        assert helper.pid not in (None, pid)
        last = helper.pid
    finally:
        helper.close()
    assert last is not None and not _alive(last) and helper.pid is None
    with pytest.raises(HelperDied):
        helper.call(operator.add, 1, 1)


def test_uploads_parsed_in_helper_and_it_ends_with_server(tmp_path: Path, make_settings: Any) -> None:
    app = create_app(make_settings(tmp_path / "store"))
    svc = app.state.service
    with TestClient(app) as client:
        client.get("/api/search", params={"q": "domestic abuse"})
        svc.knowledge()  # views loaded: the upload moves them on
        r = client.post("/api/reports", files={"file": ("northshire.txt", NOTES.encode(), "text/plain")})
        assert r.status_code == 201, r.text
        pid = svc.helper.pid
        assert pid is not None and pid != os.getpid()
        hits = client.get("/api/search", params={"q": "domestic abuse investigations take too long"}).json()["hits"]
        assert hits and hits[0]["report_id"] == r.json()["report_id"]  # visible as soon as the upload returns
        # the new graph's communities, from the helper, are those computed here from scratch
        G = svc.knowledge()
        knowledge.ensure_communities(G, _not_here)  # claimed by the helper's job as the graph was swapped in
        fresh = knowledge.build(svc.store)
        knowledge.ensure_communities(fresh)
        assert any(c is not None for c in _communities(G).values())
        assert _communities(G) == _communities(fresh)
        # an error in the helper keeps the one JSON error shape
        bad = client.post("/api/reports", files={"file": ("chart.png", b"\x89PNG", "image/png")})
        assert bad.status_code == 415 and bad.json()["error"]["code"] == "unsupported_format"
        # the helper killed: the next upload starts a new one
        os.kill(pid, signal.SIGKILL)
        again = client.post("/api/reports", files={"file": ("again.txt", NOTES.replace("2017", "2019").encode(),
                                                            "text/plain")})
        assert again.status_code == 201, again.text
        assert svc.helper.pid not in (None, pid)
        last = svc.helper.pid
        assert {x["report_id"] for x in client.get("/api/reports").json()} == {r.json()["report_id"],
                                                                               again.json()["report_id"]}
    deadline = time.time() + 5
    while _alive(last) and time.time() < deadline:
        time.sleep(0.05)
    assert not _alive(last)  # the server stopped: so did its helper


def test_serve_warms_up_before_its_first_request(tmp_path: Path, make_settings: Any) -> None:
    app = create_app(make_settings(tmp_path / "store"))
    svc = app.state.service
    assert svc.helper.pid is None and svc._search_engine is None  # nothing loaded by making the app
    app.state.warm_on_start = True  # as `peelgraph serve` does
    with TestClient(app):
        assert svc.helper.pid is not None  # started during startup, before any request
        assert svc._search_engine is not None and svc.search_engine.index.loaded and svc._graph is not None
