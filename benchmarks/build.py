"""Build time of the bundled corpus, per stage and in total.

Usage: .venv/bin/python benchmarks/build.py [--repeat N]
Prints per-report stage timings (load, normalise, segment, metadata, passages,
store) and the end-to-end `Service.build` time into a fresh store, with the
full derived data (graph, embeddings) that the service computes at ingest.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.service import Service  # noqa: E402
from api.settings import Settings  # noqa: E402
from graph.ingest.load import load  # noqa: E402
from graph.ingest.pipeline import build_report  # noqa: E402
from graph.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--encoder", default="minilm")
    args = ap.parse_args()
    corpus = Settings().corpus
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    print(f"corpus: {len(files)} files in {corpus}")
    print(f"{'report':<48} {'stage':<10} {'ms (median of %d)' % args.repeat:>18}")
    for f in files:
        runs: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            t = time.perf_counter()
            raw = load(f)
            runs.setdefault("load", []).append(time.perf_counter() - t)
            timings: dict[str, float] = {}
            report = build_report(raw, timings=timings)
            for k, v in timings.items():
                runs.setdefault(k, []).append(v)
            with tempfile.TemporaryDirectory() as d:
                t = time.perf_counter()
                Store(d).put_report(report)
                runs.setdefault("store", []).append(time.perf_counter() - t)
        for stage, vals in runs.items():
            print(f"{report.report_id:<48} {stage:<10} {statistics.median(vals) * 1000:>18.1f}")
    totals = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as d:
            svc = Service(Settings(store=Path(d), encoder=args.encoder))
            t = time.perf_counter()
            result = svc.build()
            totals.append(time.perf_counter() - t)
    n = result["stats"]["passages"]
    print(f"\nfull build (Service.build, encoder={args.encoder}, fresh store): "
          f"median {statistics.median(totals):.2f} s, min {min(totals):.2f} s over {args.repeat} runs; "
          f"{n} passages, {n / statistics.median(totals):.0f} passages/s")


if __name__ == "__main__":
    main()
