"""`peelgraph serve --workers 2` on one embedded PostgreSQL: a write through one worker process is
seen by the other (report list and search) within a second, without a restart; SQLite refuses N > 1."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORT = "\n".join([
    "Northmoor Constabulary PEEL 2023", "Effectiveness",
    "How good is the force at protecting vulnerable people?",
    "Areas for improvement",
    "- The force should make sure that lighthouse referrals are reviewed within a week.",
    "Protecting vulnerable people",
    "Northmoor Constabulary runs a lighthouse referral scheme with the county hospital. Staff in the scheme "
    "review every referral, which means that vulnerable people are seen sooner.",
])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def two_workers(pg_url: str, tmp_path: Path) -> Iterator[str]:
    """`peelgraph serve --workers 2` on a fresh database; its base URL while the test runs."""
    port = _free_port()
    env = dict(os.environ, PEELGRAPH_DATABASE_URL=pg_url, PEELGRAPH_ENCODER="hash",
               PEELGRAPH_STORE=str(tmp_path / "unused"), PYTHONPATH=str(ROOT))
    env.pop("PEELGRAPH_API_KEY", None)
    log = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out, subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out) as proc:  # on leaving: waits for it to end
        try:
            _until_healthy(base, proc, log)
            yield base
        finally:
            proc.terminate()


def _until_healthy(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the server answers /api/health; fail with its log if it exits or takes 90 s."""
    deadline = time.time() + 90
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text()[-4000:]
        try:
            if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the two-worker server did not start in 90 s")


def _one_client_per_worker(base: str) -> list[httpx.Client]:
    """Two keep-alive clients whose connections two different worker processes accepted."""
    by_worker: dict[str, httpx.Client] = {}
    deadline = time.time() + 60
    while len(by_worker) < 2 and time.time() < deadline:
        client = httpx.Client(base_url=base, timeout=60)
        worker = client.get("/api/health").headers["X-Peelgraph-Worker"]
        if worker in by_worker:
            client.close()
        else:
            by_worker[worker] = client
    assert len(by_worker) == 2, "could not reach two different workers"
    clients = list(by_worker.values())
    for client, worker in zip(clients, by_worker):  # a keep-alive connection stays with its worker
        assert client.get("/api/health").headers["X-Peelgraph-Worker"] == worker
    return clients


def _within_a_second(check: Callable[[], bool]) -> float:
    """Seconds until ``check`` holds (fails after one second)."""
    t0 = time.perf_counter()
    while not check():
        assert time.perf_counter() - t0 < 1.0, "not visible within a second"
        time.sleep(0.02)
    return time.perf_counter() - t0


def test_a_write_through_one_worker_is_read_through_the_other(two_workers: str) -> None:
    writer, reader = _one_client_per_worker(two_workers)
    assert reader.get("/api/reports").json() == []
    assert reader.get("/api/search", params={"q": "lighthouse referral", "k": 5}).json()["hits"] == []

    up = writer.post("/api/reports", files={"file": ("northmoor.txt", REPORT.encode(), "text/plain")})
    assert up.status_code in (200, 201), up.text
    rid = up.json()["report_id"]

    def listed() -> bool:
        return rid in {r["report_id"] for r in reader.get("/api/reports").json()}

    def found() -> bool:
        hits = reader.get("/api/search", params={"q": "lighthouse referral", "k": 5}).json()["hits"]
        return any(h["report_id"] == rid and "lighthouse" in h["text"] for h in hits)

    _within_a_second(listed)
    _within_a_second(found)
    ask = reader.post("/api/ask", json={"question": "What does the lighthouse referral scheme do?"}).json()
    assert any(q["report_id"] == rid for q in ask["quotes"])

    assert writer.delete(f"/api/reports/{rid}").status_code == 200
    _within_a_second(lambda: not listed())
    _within_a_second(lambda: not found())
    assert reader.get(f"/api/reports/{rid}").status_code == 404


def test_sqlite_refuses_several_workers(tmp_path: Path) -> None:
    env = dict(os.environ, PEELGRAPH_STORE=str(tmp_path / "store"), PYTHONPATH=str(ROOT))
    env.pop("PEELGRAPH_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(_free_port())],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "peelgraph: error: --workers 2 needs the PostgreSQL store (set PEELGRAPH_DATABASE_URL); "
        "the SQLite store is served by one worker"]


def test_reads_go_to_the_read_replica_and_writes_to_the_primary(pg_url: str, pg_server: str, tmp_path: Path) -> None:
    """With PEELGRAPH_DATABASE_READ_URL, reads outside a write come from that server. Here it is a second,
    empty database standing in for a replica that has not caught up, so the routing shows."""
    import uuid
    from urllib.parse import urlsplit

    import psycopg

    from api.service import Service
    from api.settings import Settings
    from graph.pg.store import PgStore

    name = f"replica_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    replica = urlsplit(pg_server)._replace(path=f"/{name}").geturl()
    try:
        PgStore(replica).close()  # the replica has the schema (a real one replays it from the primary)
        (tmp_path / "northmoor.txt").write_text(REPORT, encoding="utf-8")
        svc = Service(Settings(store=tmp_path / "unused", encoder="hash", database_url=pg_url,
                               database_read_url=replica))
        rid = svc.ingest([tmp_path / "northmoor.txt"])[0]["report_id"]
        assert svc.store.reports() == [] and svc.search("lighthouse referral", k=3)["hits"] == []
        primary = PgStore(pg_url)
        assert [r["report_id"] for r in primary.reports()] == [rid]
        primary.close()
        svc.store.close()
    finally:
        with psycopg.connect(pg_server, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]


def test_the_generation_moves_for_this_process_at_once_and_for_others_within_the_ttl(pg_url: str) -> None:
    import psycopg

    from graph.pg.store import GENERATION_TTL, PgStore

    a, b = PgStore(pg_url), PgStore(pg_url)
    try:
        g = b.generation()
        with a.write():
            pass
        assert b.generation() == g + 1  # a write through this process: no waiting
        with psycopg.connect(pg_url, autocommit=True) as other:  # another process's write, as PostgreSQL sees it
            other.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")
        time.sleep(GENERATION_TTL)
        assert b.generation() == g + 2
    finally:
        a.close()
        b.close()


def test_a_shared_result_is_computed_once_for_every_process(pg_url: str, tmp_path: Path) -> None:
    """Store.shared: on PostgreSQL the first process to ask computes a generation's value while the others
    wait for it and read it; a new generation is computed again. SQLite (one process) always computes."""
    import threading

    from graph.stores import open_store

    a, b = open_store(tmp_path / "unused", pg_url), open_store(tmp_path / "unused", pg_url)
    calls: list[str] = []

    def slow(who: str) -> list[list[str]]:
        calls.append(who)
        time.sleep(0.5)
        return [[who, "x"], ["y"]]

    try:
        got: dict[str, object] = {}
        first = threading.Thread(target=lambda: got.setdefault("a", a.shared("groups", 7, lambda: slow("a"))))
        first.start()
        time.sleep(0.1)  # a holds the turn
        got["b"] = b.shared("groups", 7, lambda: slow("b"))  # waits for a, then reads its value
        first.join()
        assert calls == ["a"] and got["a"] == got["b"] == [["a", "x"], ["y"]]
        assert b.shared("groups", 8, lambda: slow("b")) == [["b", "x"], ["y"]] and calls == ["a", "b"]
        assert a.shared("groups", 8, lambda: slow("a")) == [["b", "x"], ["y"]] and calls == ["a", "b"]
    finally:
        a.close()
        b.close()
    lite = open_store(tmp_path / "lite")
    assert lite.shared("groups", 1, lambda: slow("c")) == [["c", "x"], ["y"]]
    assert lite.shared("groups", 1, lambda: slow("d")) == [["d", "x"], ["y"]] and calls[-2:] == ["c", "d"]
    lite.close()


def test_a_second_worker_reads_the_communities_the_first_computed(pg_url: str, tmp_path: Path) -> None:
    """Two services on one store, as two workers: the one that writes computes the new graph's communities
    in its helper; the other takes them from the store (its helper never starts), equal to a full build's."""
    from api.service import Service
    from api.settings import Settings
    from graph import build as knowledge

    def not_here(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
        raise AssertionError("communities computed again")

    settings = Settings(store=tmp_path / "unused", encoder="hash", database_url=pg_url)
    first, second = Service(settings, helper=True), Service(settings, helper=True)
    try:
        first.knowledge(), second.knowledge()  # both hold the empty store's graph
        (tmp_path / "northmoor.txt").write_text(REPORT, encoding="utf-8")
        first.ingest([tmp_path / "northmoor.txt"])
        mine = first.knowledge()
        knowledge.ensure_communities(mine, not_here)  # the helper's, claimed as the graph was swapped in
        theirs = second.knowledge()
        knowledge.ensure_communities(theirs, not_here)
        assert second.helper is not None and second.helper.pid is None
        fresh = knowledge.build(second.store)
        knowledge.ensure_communities(fresh)
        found = {n: d.get("community") for n, d in theirs.nodes(data=True)}
        assert any(c is not None for c in found.values())
        assert found == {n: d.get("community") for n, d in fresh.nodes(data=True)}
    finally:
        for svc in (first, second):
            assert svc.helper is not None
            svc.helper.close()
            svc.store.close()


def test_connections_accepted_on_the_shared_socket_turn_nagle_off() -> None:
    """The socket `serve --workers N` shares is made as uvicorn makes it (protocol 0), then relabelled TCP:
    asyncio sets TCP_NODELAY on the connections it accepts only then (else each response waits ~40 ms for
    the client's delayed acknowledgement)."""
    import asyncio

    from api.cli import tcp_socket

    def nodelay_of_accepted(relabel: bool) -> int:
        listener = socket.socket(family=socket.AF_INET)  # as uvicorn's Config.bind_socket
        listener.bind(("127.0.0.1", 0))
        if relabel:
            listener = tcp_socket(listener)

        async def serve_one() -> int:
            got: asyncio.Future[int] = asyncio.get_running_loop().create_future()

            class Protocol(asyncio.Protocol):
                def connection_made(self, transport: asyncio.BaseTransport) -> None:
                    sock = transport.get_extra_info("socket")
                    got.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                    transport.close()

            server = await asyncio.get_running_loop().create_server(Protocol, sock=listener)
            _, writer = await asyncio.open_connection(*listener.getsockname())
            value = await asyncio.wait_for(got, 5)
            writer.close()
            server.close()
            return value

        return asyncio.run(serve_one())

    assert nodelay_of_accepted(relabel=False) == 0  # what uvicorn's own socket gives
    assert nodelay_of_accepted(relabel=True) != 0
