"""The server's helper process: uploads parsed and extracted, and graph communities, off the serving process.

The threads of one process share one interpreter lock. While an upload is parsed and its graph extracted
(seconds for a long report) or Louvain runs over the graph (after every write), each reader waits its turn
on one core, and search latency under writes is mostly that wait. The helper is one process, started with
``spawn`` (safe whatever the server holds: threads, open stores) on first use and then kept; it runs one job
at a time while the serving process only writes the transaction and swaps its in-memory views. A job's
``PeelgraphError`` comes back as the same class, message and detail; a helper that dies (a crash, the
memory killer) fails its job with ``HelperDied`` and is started again for the next one; ``close`` ends it
(and, as a daemon, it ends with the server in any case).
"""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, TypeVar

from graph.errors import PeelgraphError

if TYPE_CHECKING:
    from graph.build import ReportGraph
    from graph.records import Report

T = TypeVar("T")


class HelperDied(Exception):
    """The helper process ended before answering (not a user's error: callers fall back or map it)."""


def _main(conn: Connection) -> None:
    """The helper's loop: a job in, its result or error out, until told to stop or the server is gone."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args = job
        try:
            reply: tuple[str, Any] = ("ok", fn(*args))
        except PeelgraphError as exc:
            reply = ("error", (type(exc), exc.message, exc.detail))
        except Exception as exc:  # noqa: BLE001 - a bug in a job is reported to the caller, the helper goes on
            reply = ("crash", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


def prepare_upload(data: bytes, name: str, max_bytes: int) -> tuple[Report, ReportGraph]:
    """A helper job: an uploaded file read, parsed and extracted -> (its Report, its ReportGraph), so the
    server's write transaction only stores them."""
    from graph.build import extract_report
    from graph.ingest.load import load_bytes
    from graph.ingest.pipeline import build_report

    report = build_report(load_bytes(data, name, max_bytes=max_bytes))
    return report, extract_report(report)


# a made-up report, enough to load every module and word list the extraction reads
_WARM_UP = (b"PEEL 2022: Anyshire Police\nHow effective is the force at investigating crime?\n"
            b"The force works with its partners to protect vulnerable people, which means that victims are safer.\n")


def _warm_up() -> int:
    return len(prepare_upload(_WARM_UP, "warm-up.txt", 1 << 20)[1].entities)


class HelperProcess:
    """One helper process, one job at a time; callers wait for it without holding the interpreter lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._closed = False

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` run in the helper (both picklable): its result, or its error raised here. A helper
        that dies in the job gets one more try in a fresh one (it may have died before, e.g. killed while
        idle); a job that kills that one too fails."""
        with self._lock:
            for attempt in (1, 2):
                if self._closed:
                    raise HelperDied("the helper process has been closed")
                conn = self._start()
                try:
                    conn.send((fn, args))
                    status, value = conn.recv()
                    break
                except (EOFError, OSError) as exc:
                    self._stop()
                    if attempt == 2:
                        raise HelperDied(f"the helper process died running {getattr(fn, '__name__', fn)}") from exc
        if status == "ok":
            return value
        if status == "error":
            cls, message, detail = value
            raise cls(message, detail)
        raise RuntimeError(f"in the helper process: {value}")

    def warm(self) -> None:
        """Start the helper and have it load what a job needs (about a second of imports and word lists),
        so the first upload after a server starts does not pay for it while readers are being served."""
        self.call(_warm_up)

    def _start(self) -> Connection:
        if self._proc is None or self._conn is None or not self._proc.is_alive():
            self._stop()
            ctx = multiprocessing.get_context("spawn")
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_main, args=(child,), name="peelgraph-helper", daemon=True)
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
        return self._conn

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            try:
                conn.send(None)  # finish and leave
            except OSError:
                pass
        if proc is not None:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.kill()
                proc.join()
        if conn is not None:
            conn.close()

    @property
    def pid(self) -> int | None:
        """The helper's process id while it runs (None before its first job and after ``close``)."""
        return self._proc.pid if self._proc is not None and self._proc.is_alive() else None

    def close(self) -> None:
        """End the helper: at once if idle; a job it is running fails with ``HelperDied``."""
        self._closed = True
        if self._lock.acquire(blocking=False):
            try:
                self._stop()
            finally:
                self._lock.release()
        elif (proc := self._proc) is not None:
            proc.kill()  # the waiting caller sees the pipe close, and cleans up
