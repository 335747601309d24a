"""Warm search and ask latency: in process, then over HTTP against `peelgraph serve` on loopback.

    python benchmarks/latency.py [--store DIR] [--runs N]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = [
    "How did the removal of neighbourhood officers affect the disruption of organised crime?",
    "How many crime files showed good victim care?",
    "MARAC",
    "body cameras",
    "What was recommended about serious and organised crime?",
    "Why are investigations delayed at weekends?",
    "What changed in the response to domestic abuse between 2015 and 2019?",
    "predictive policing and crime prevention",
]


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def _report(label: str, xs: list[float]) -> None:
    ms = [x * 1000 for x in xs]
    print(f"{label:<28} p50 {statistics.median(ms):7.1f} ms   p95 {_pct(ms, 95):7.1f} ms   (n={len(ms)})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=None)
    ap.add_argument("--runs", type=int, default=5, help="passes over the query list")
    ap.add_argument("--no-http", action="store_true")
    args = ap.parse_args(argv)

    from api.service import Service
    from api.settings import Settings

    tmp = None
    store = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="peelgraph-lat-"))
    service = Service(Settings(store=store))
    if not service.reports():
        t = time.perf_counter()
        service.build()
        print(f"built the bundled corpus in {time.perf_counter() - t:.1f} s")
    for q in QUERIES:  # warm: model loaded, vectors in memory, caches filled
        service.search(q)
        service.ask(q)
    print(f"in process ({os.cpu_count()} cores):")
    for label, fn in (("search (hybrid, k=10)", lambda q: service.search(q, k=10)),
                      ("search (keyword)", lambda q: service.search(q, k=10, mode="keyword")),
                      ("ask", lambda q: service.ask(q))):
        xs = []
        for _ in range(args.runs):
            for q in QUERIES:
                t = time.perf_counter()
                fn(q)
                xs.append(time.perf_counter() - t)
        _report(label, xs)

    if args.no_http:
        return 0
    port = _free_port()
    env = dict(os.environ, PEELGRAPH_STORE=str(store))
    exe = Path(sys.executable).with_name("peelgraph")
    proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if _http("GET", base + "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            print("served: the server did not come up; skipped")
            return 0
        if _http("GET", base + "/api/search?" + urllib.parse.urlencode({"q": "crime"}))[0] == 404:
            print("served: /api/search is not there yet; skipped")
            return 0
        print(f"served on {base}:")
        for q in QUERIES:
            _http("GET", base + "/api/search?" + urllib.parse.urlencode({"q": q}))
            _http("POST", base + "/api/ask", {"question": q})
        xs, ys = [], []
        for _ in range(args.runs):
            for q in QUERIES:
                t = time.perf_counter()
                status, _ = _http("GET", base + "/api/search?" + urllib.parse.urlencode({"q": q, "k": 10}))
                xs.append(time.perf_counter() - t)
                t = time.perf_counter()
                status2, body = _http("POST", base + "/api/ask", {"question": q})
                ys.append(time.perf_counter() - t)
        if status != 200 or status2 != 200:
            print(f"served: unexpected status search={status} ask={status2}: {body[:200]!r}")
        _report("GET /api/search", xs)
        _report("POST /api/ask", ys)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if tmp:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
