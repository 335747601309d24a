"""Where one report's ingest and delete spend their time on a large store, split by stage.

Builds (or reuses) a store of N generated reports (``scale.generate``), warms a service as a serving one is
(a search, the graph), then profiles one more report's ingest and its delete, each until this service's
search and graph show it (as ``scale.py``'s "ingest 1" / "delete 1"), and prints the seconds of each stage:
parse, extract, encode, store write, search snapshot update, graph update (of which cross-report edges),
communities, and the rest. A stage's time is the cumulative time of the functions named for it, so
the figures come from one profiled run (slower than an unprofiled one; read the split, not the total).

With --repeat N, first times N unprofiled rounds of that ingest and delete and prints the median wall
seconds and this process's CPU seconds of each: on a machine shared with other work the CPU seconds
say what a write costs, the wall seconds also what it waited for (the other work; on PostgreSQL, also
the server). With --cpu, profiles count this process's CPU time instead of wall time.
With --read, prints the same split from profile files ``scale.py --profile`` saved.

Usage: .venv/bin/python benchmarks/write_profile.py --store DIR [--database-url URL] [--reports 500]
       [--encoder hash] [--top 25] [--repeat 3] [--cpu]
       .venv/bin/python benchmarks/write_profile.py --read FILE.prof [FILE.prof ...] [--top 25]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.service import Service  # noqa: E402
from api.settings import Settings  # noqa: E402
from benchmarks.scale import QUERIES, generate  # noqa: E402

# stage -> (module path suffix, function name) whose cumulative time is that stage's
STAGES = {
    "parse": [("graph/ingest/pipeline.py", "build_report"), ("graph/ingest/load.py", "load")],
    "extract": [("graph/build.py", "extract_report")],
    "encode": [("search/index.py", "prepare")],
    "store write": [("graph/store.py", "put_report"), ("graph/store.py", "delete_report")],
    "  of which graph rows": [("graph/build.py", "write_report"), ("graph/build.py", "delete_report")],
    "  of which vectors": [("search/index.py", "on_put")],
    "search snapshot": [("search/index.py", "snapshot")],
    "graph update": [("graph/snapshot.py", "update"), ("graph/build.py", "build")],
    "  of which cross-report": [("graph/snapshot.py", "_update_cross")],
    "communities": [("graph/build.py", "_communities")],
}


def _ensure_built(svc: Service, files: list[Path]) -> None:
    """The store holds every file but the last (ten per transaction, as scale.py builds)."""
    have = svc.store.count("reports")
    if have >= len(files) - 1:
        return
    t = time.perf_counter()
    for i in range(have - have % 10, len(files) - 1, 10):
        svc.ingest(files[i:min(i + 10, len(files) - 1)])
        print(f"  built {min(i + 10, len(files) - 1)} reports, {time.perf_counter() - t:.0f} s", flush=True)


def _split(stats: pstats.Stats) -> str:
    """Seconds per stage, and the whole profiled call's."""
    wall = max(ct for (_cc, _nc, _tt, ct, _callers) in stats.stats.values())  # type: ignore[attr-defined]
    cum: dict[str, float] = {}
    for (path, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for stage, funcs in STAGES.items():
            if any(path.endswith(suffix) and name == fn for suffix, fn in funcs):
                cum[stage] = max(cum.get(stage, 0.0), ct)  # max: a recursive or nested entry counts once
    lines = [f"    {stage:<26} {cum.get(stage, 0.0):7.3f} s" for stage in STAGES]
    return "\n".join([f"    {'whole (profiled)':<26} {wall:7.3f} s", *lines])


def _timed(steps: dict[str, Callable[[], None]], repeat: int) -> None:
    """Median wall and CPU seconds of each step over ``repeat`` unprofiled rounds."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            wall, cpu = time.perf_counter(), time.process_time()
            step()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    for name, got in times.items():
        wall, cpu = statistics.median(w for w, _ in got), statistics.median(c for _, c in got)
        print(f"  {name}: wall {wall:.3f} s, cpu {cpu:.3f} s (wall per round: {', '.join(f'{w:.2f}' for w, _ in got)})",
              flush=True)


def _profiled(label: str, fn: Callable[[], None], top: int, cpu: bool = False) -> None:
    prof = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()
    prof.runcall(fn)
    _print(label, pstats.Stats(prof), top)


def _print(label: str, stats: pstats.Stats, top: int) -> None:
    print(f"\n== {label}\n{_split(stats)}", flush=True)
    if top:
        stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, help="store directory (kept, reused if it exists)")
    ap.add_argument("--read", type=Path, nargs="+", help="print the split of these saved profiles instead")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--reports", type=int, default=500)
    ap.add_argument("--encoder", default="hash")
    ap.add_argument("--top", type=int, default=25, help="functions listed by cumulative time (0: none)")
    ap.add_argument("--repeat", type=int, default=0, help="unprofiled rounds of ingest and delete timed first")
    ap.add_argument("--cpu", action="store_true", help="profile this process's CPU time, not wall time")
    args = ap.parse_args()
    if args.read:
        for path in args.read:
            _print(path.name, pstats.Stats(str(path)), args.top)
        return
    if args.store is None:
        ap.error("--store or --read is needed")
    settings = Settings(store=args.store, encoder=args.encoder, database_url=args.database_url)
    svc = Service(settings)
    with tempfile.TemporaryDirectory() as d:
        files = generate(Settings().corpus, args.reports + 1, Path(d))
        _ensure_built(svc, files)
        svc.search(QUERIES[0], k=10), svc.knowledge()  # warm, as a serving worker is
        rid = files[-1]

        def ingest() -> None:
            nonlocal rid
            rid = svc.ingest([files[-1]])[0]["report_id"]  # type: ignore[assignment]
            svc.search(QUERIES[0], k=10), svc.knowledge()

        def delete() -> None:
            svc.delete(str(rid))
            svc.search(QUERIES[0], k=10), svc.knowledge()

        n = svc.store.count("reports")
        if args.repeat:
            ingest(), delete()  # one round to warm what a first write loads
            print(f"unprofiled, {args.repeat} rounds at {n} reports (+1):", flush=True)
            _timed({"ingest 1": ingest, "delete 1": delete}, args.repeat)
        _profiled(f"ingest 1 at {n} reports", ingest, args.top, args.cpu)
        _profiled(f"delete 1 at {n + 1} reports", delete, args.top, args.cpu)
    svc.store.close()


if __name__ == "__main__":
    main()
