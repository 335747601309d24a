"""Scale benchmark: build generated corpora of 10, 50, 200 and 500 reports.

Reports are made from the bundled ones with the force, the years, the numbers
and the order of paragraphs varied, so that entities and relations multiply.
For each size it prints build time, passages per second, store size, peak
memory (RSS) and warm search / ask p50, so the growth of cost is visible.

Usage: .venv/bin/python benchmarks/scale.py [--sizes 10,50,200,500] [--encoder minilm|hash]
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.service import Service  # noqa: E402
from api.settings import Settings  # noqa: E402
from graph.ingest.metadata import gazetteer_forces  # noqa: E402

QUERIES = ["victim care in crime file reviews", "organised crime groups disruption", "MARAC domestic abuse",
           "neighbourhood officers removed", "digital evidence backlog", "problem-solving with partners"]
QUESTIONS = ["How did the removal of neighbourhood officers affect organised crime?",
             "What was recommended about vulnerable people?"]


def generate(corpus: Path, n: int, out: Path, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    templates = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(corpus.iterdir()) if p.suffix == ".txt"]
    forces = [f for f in gazetteer_forces() if f.endswith(("Police", "Constabulary"))]
    files = []
    for i in range(n):
        name, text = templates[i % len(templates)]
        force = forces[(i // len(templates)) % len(forces)]
        shift = (i // (len(templates) * len(forces))) + 1
        area = re.sub(r" (Police|Constabulary)$", "", force)
        text = text.replace("Cleveland Police", force).replace("Cleveland", area)
        text = re.sub(r"\b(20[01]\d)\b", lambda m, shift=shift: str(int(m.group(1)) + shift), text)
        text = re.sub(r"\b(\d{2,3})\b", lambda m: str(max(1, int(m.group(1)) + rng.randint(-3, 3))), text)
        if "\f" not in text and not any(line.endswith(" ") for line in text.splitlines()[:50]):
            lines = text.splitlines()  # clean text: shuffle runs of body paragraphs
            body = [j for j, line in enumerate(lines) if len(line) > 200]
            for a, b in zip(body[::2], body[1::2]):
                if rng.random() < 0.5 and b == a + 1:
                    lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        path = out / f"gen_{i:04d}_{name}"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def p50(fn, items, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    for item in items:
        fn(item)  # warm
    times = []
    for _ in range(repeat):
        for item in items:
            t = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,50,200,500")
    ap.add_argument("--encoder", default="minilm")
    args = ap.parse_args()
    corpus = Settings().corpus
    print(f"{'reports':>7} {'passages':>8} {'build s':>8} {'psg/s':>7} {'s/report':>8} {'store MB':>8} "
          f"{'RSS MB':>7} {'graph s':>7} {'nodes':>7} {'edges':>7} {'search p50 ms':>13} {'ask p50 ms':>10}")
    for n in [int(x) for x in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / "src"
            src.mkdir()
            files = generate(corpus, n, src)
            svc = Service(Settings(store=Path(d) / "store", encoder=args.encoder))
            t = time.perf_counter()
            for i in range(0, len(files), 10):  # ten files per transaction
                svc.ingest(files[i:i + 10])
            build = time.perf_counter() - t
            passages = svc.store.count("passages")
            size = sum(f.stat().st_size for f in (Path(d) / "store").iterdir()) / 1e6
            t = time.perf_counter()
            graph = svc.knowledge()
            graph_s = time.perf_counter() - t
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            s50 = p50(lambda q, svc=svc: svc.search(q, k=10), QUERIES)
            a50 = p50(svc.ask, QUESTIONS)
            print(f"{n:>7} {passages:>8} {build:>8.1f} {passages / build:>7.0f} {build / n:>8.3f} {size:>8.1f} "
                  f"{rss:>7.0f} {graph_s:>7.1f} {graph.number_of_nodes():>7} {graph.number_of_edges():>7} "
                  f"{s50:>13.1f} {a50:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
