"""The recommendations tracker's rules on a small graph written here: origin, carried over, found again."""
from __future__ import annotations

from typing import Any

import networkx as nx

from graph.records import Passage
from graph.tracker import tracker

REPORTS = [
    {"report_id": "north-2016", "year": "2016", "year_end": 2016, "force": "North Police"},
    {"report_id": "north-2019-20", "year": "2019/20", "year_end": 2020, "force": "North Police"},
    {"report_id": "south-2020", "year": "2020", "year_end": 2020, "force": "South Police"},
]


def _item(rid: str, n: int, kind: str, text: str, carried: str | None = None) -> dict[str, Any]:
    return {"item_id": f"{rid}-i{n}", "report_id": rid, "kind": kind, "question": None, "text": text,
            "carried_over_from": carried, "grade": None, "passage_id": f"{rid}-p{n}", "lead": None}


def _finding(G: nx.MultiDiGraph, fid: str, rid: str, text: str) -> None:
    G.add_node(fid, type="finding", label=text[:40], data={"text": text},
               mentions=[{"report_id": rid, "passage_id": f"{rid}-p9", "surface": text}], reports=[rid])


def _world() -> tuple[nx.MultiDiGraph, list[dict[str, Any]], dict[str, Passage]]:
    early = _item("north-2016", 1, "area_for_improvement",
                  "The force should improve how it supervises missing children investigations.")
    again = _item("north-2019-20", 1, "area_for_improvement",
                  "The force should improve how it supervises missing children investigations. (Missing 2016)",
                  carried="Missing 2016")
    weak = _item("north-2016", 2, "recommendation", "The force should answer emergency calls within ten seconds.")
    other = _item("south-2020", 1, "cause_of_concern", "The force does not record crime accurately.")
    judgment = {**_item("north-2016", 3, "judgment", "Good"), "grade": "good"}
    G = nx.MultiDiGraph()
    G.add_node("inspection:missing-2016", type="inspection", label="Missing 2016", data={"year": "2016"},
               mentions=[], reports=[])
    G.add_edge(f"area_for_improvement:{again['item_id']}", "inspection:missing-2016", type="carried_over_from")
    _finding(G, "f-late", "north-2019-20", "Emergency calls are still not answered within ten seconds.")
    _finding(G, "f-early", "north-2016", "Too many emergency calls wait longer than ten seconds.")
    G.add_edge("f-late", "f-early", type="recurs", rule="recurs:similar-weakness")
    _finding(G, "f-unrelated", "north-2019-20", "Custody records are incomplete.")
    _finding(G, "f-unrelated-early", "north-2016", "Custody records were incomplete.")
    G.add_edge("f-unrelated", "f-unrelated-early", type="recurs", rule="recurs:same-issue")
    passages = {p: Passage(passage_id=p, report_id=p.rsplit("-p", 1)[0], ordinal=1, section=["Areas for improvement"],
                           question=None, paragraph=3, kind="list_item", text="t", start=0, end=1, page=None)  # type: ignore[arg-type]
                for p in ("north-2016-p1", "north-2019-20-p1")}
    return G, [early, again, weak, other, judgment], passages


def test_statuses_origins_and_evidence() -> None:
    G, items, passages = _world()
    out = tracker(G, items, REPORTS, passages)
    rows = {r["item_id"]: r for r in out["items"]}
    assert "north-2016-i3" not in rows  # judgments are not tracked
    again = rows["north-2019-20-i1"]
    assert again["status"] == "carried_over" and again["origin"]["year"] == "2016" and again["origin_year"] == "2016"
    early = rows["north-2016-i1"]
    assert early["status"] == "new" and early["carried_into"] == [
        {"item_id": "north-2019-20-i1", "report_id": "north-2019-20", "year": "2019/20"}]
    weak = rows["north-2016-i2"]
    assert weak["status"] == "found_again" and len(weak["recurs"]) == 1  # not the custody recurrence
    assert weak["recurs"][0]["later"]["year"] == "2019/20"
    assert rows["south-2020-i1"]["status"] == "new" and not rows["south-2020-i1"]["carried_into"]
    ev = early["evidence"][0]
    assert ev["quote"] == early["text"] and ev["paragraph"] == 3 and ev["page"] is None and ev["year"] == "2016"
    assert out["counts"] == {"carried_over": 1, "found_again": 1, "new": 2}
    assert [r["origin_year"] for r in out["items"]] == ["2016", "2016", "2016", "2020"]


def test_filters() -> None:
    G, items, passages = _world()
    recommendations = tracker(G, items, REPORTS, passages, kind="recommendation")["items"]
    assert [r["item_id"] for r in recommendations] == ["north-2016-i2"]
    assert [r["item_id"] for r in tracker(G, items, REPORTS, passages, status="carried_over")["items"]] == \
        ["north-2019-20-i1"]
    assert [r["item_id"] for r in tracker(G, items, REPORTS, passages, q="crime records")["items"]] == ["south-2020-i1"]


def test_a_later_item_is_not_found_again_by_an_earlier_report() -> None:
    G, items, passages = _world()
    late = _item("north-2019-20", 2, "recommendation", "The force should answer emergency calls within ten seconds.")
    rows = {r["item_id"]: r for r in tracker(G, [*items, late], REPORTS, passages)["items"]}
    assert rows["north-2019-20-i2"]["status"] == "new"
