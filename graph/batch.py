"""Reports prepared for writing, from many files at once: read, parsed and extracted in worker processes.

``prepare_all`` yields, in the order of the files, either a ``Prepared`` report (its record and its
extracted graph, so the write transaction only stores them) or a ``Failed`` file with a one-line reason:
one bad file does not stop the rest. Workers are started with ``spawn`` (safe whatever the parent holds:
threads, open stores), and at most a few reports per worker wait in memory for the writer.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from graph.build import ReportGraph, extract_report
from graph.errors import PeelgraphError
from graph.ingest.load import load
from graph.ingest.pipeline import build_report
from graph.records import Report


@dataclass(frozen=True)
class Prepared:
    path: str
    report: Report
    graph: ReportGraph


@dataclass(frozen=True)
class Failed:
    path: str
    error: str  # one line


def prepare(path: str, max_bytes: int) -> Prepared | Failed:
    """One file read, parsed and extracted; a failure is a value (it crosses the process boundary as text)."""
    try:
        report = build_report(load(path, max_bytes=max_bytes))
        return Prepared(path, report, extract_report(report))
    except PeelgraphError as exc:
        reason = (exc.message or type(exc).__name__).splitlines()[0]
    except Exception as exc:  # noqa: BLE001 - a bug on one file is reported with it, the rest go on
        reason = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
    name = Path(path).name
    return Failed(path, reason if name in reason else f"{name}: {reason}")


def prepare_all(paths: Sequence[str | Path], max_bytes: int, jobs: int = 1) -> Iterator[Prepared | Failed]:
    """Every file prepared, in order: in this process (``jobs`` 1) or in ``jobs`` worker processes. A worker
    that dies (a crash, the memory killer) fails the file it held; the rest go on in fresh workers."""
    files = [str(p) for p in paths]
    if jobs <= 1 or len(files) < 2:
        for path in files:
            yield prepare(path, max_bytes)
        return
    todo = deque(files)
    while todo:
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            pending: deque[tuple[str, Future[Prepared | Failed]]] = deque()
            while todo or pending:
                while todo and len(pending) < 2 * jobs:  # a bounded window, taken in order as they come
                    path = todo.popleft()
                    pending.append((path, pool.submit(prepare, path, max_bytes)))
                path, future = pending.popleft()
                try:
                    yield future.result()
                except BrokenProcessPool:  # some worker died: this file, alone, says whether it was the cause
                    yield _alone(path, max_bytes)
                    todo.extendleft(reversed([p for p, _ in pending]))  # the rest again, in a new pool
                    break


def _alone(path: str, max_bytes: int) -> Prepared | Failed:
    """One file in a worker of its own: its result, or a failure if that worker dies too."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(prepare, path, max_bytes).result()
        except BrokenProcessPool as exc:
            return Failed(path, f"{Path(path).name}: the worker process died reading it ({exc})".splitlines()[0])
