"""Readers running while a report is ingested and deleted see the state before a write or after it."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from api.service import Service
from api.settings import Settings

REPORT = "\n".join(
    ["Northmoor Constabulary PEEL 2022", "How effective is the force at investigating crime?", "Areas for improvement"]
    + [f"- The force should improve case file number {i} so that victims are kept informed." for i in range(12)]
    + ["Investigation quality"]
    + [f"Northmoor Constabulary reviewed {i} files. Because of high demand, investigations take too long, "
       f"which means that victims wait." for i in range(60)])


def test_reads_never_see_half_a_report(tmp_path: Path) -> None:
    svc = Service(Settings(store=tmp_path / "store", encoder="hash"))
    src = tmp_path / "r.txt"
    src.write_text(REPORT, encoding="utf-8")
    rid = svc.ingest([src])[0]["report_id"]
    full = svc.store.con.execute(
        "SELECT (SELECT count(*) FROM passages WHERE report_id=?), (SELECT count(*) FROM items WHERE report_id=?)",
        (rid, rid)).fetchone()
    assert full[0] > 10 and full[1] == 12
    stop = time.time() + 4
    seen: set[tuple[int, int, int]] = set()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while time.time() < stop:
                svc.delete(rid)
                svc.ingest([src])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def reader() -> None:
        con = sqlite3.connect(svc.store.path, timeout=30)
        try:
            while time.time() < stop:
                row = con.execute(
                    "SELECT (SELECT count(*) FROM reports WHERE report_id=?), "
                    "(SELECT count(*) FROM passages WHERE report_id=?), (SELECT count(*) FROM items WHERE report_id=?)",
                    (rid, rid, rid)).fetchone()
                seen.add(tuple(row))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            con.close()

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert seen <= {(0, 0, 0), (1, full[0], full[1])}, seen
    assert len(seen) == 2  # both states were observed, so the test really raced the writer
    hits = svc.search("victims wait because of demand", k=3)["hits"]
    assert hits and all(h["report_id"] == rid for h in hits)
