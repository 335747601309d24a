"""Compare across years on records written here."""
from __future__ import annotations

from graph.compare import compare

REPORTS = [{"report_id": "b", "year": "2021/22", "year_end": 2022, "title": "B"},
           {"report_id": "a", "year": "2016", "year_end": 2016, "title": "A"}]
FINDINGS = [
    {"report_id": "a", "passage_id": "a1", "polarity": "weakness",
     "text": "Patrol officers are often moved away from community patrols to cover response demand."},
    {"report_id": "b", "passage_id": "b1", "polarity": "weakness",
     "text": "Patrol officers have been moved away from community patrols altogether."},
    {"report_id": "a", "passage_id": "a2", "polarity": "weakness", "text": "Burglary investigations take too long."},
    {"report_id": "b", "passage_id": "b2", "polarity": "strength", "text": "Burglary investigations are now prompt."},
    {"report_id": "b", "passage_id": "x9", "polarity": "weakness", "text": "Unrelated finding about custody."},
]
PREVENTING = "How effective is the force at preventing crime?"
ITEMS = [{"item_id": "i1", "report_id": "a", "kind": "judgment", "question": PREVENTING,
          "grade": "requires improvement", "text": "Requires improvement"},
         {"item_id": "i2", "report_id": "b", "kind": "judgment", "question": PREVENTING,
          "grade": "good", "text": "Good"},
         {"item_id": "i3", "report_id": "b", "kind": "area_for_improvement", "question": None,
          "text": "The force should keep patrol officers in community roles.", "passage_id": "b1"}]


def test_compare_orders_years_and_pairs_findings() -> None:
    out = compare("preventing crime with patrol officers", REPORTS, FINDINGS, ITEMS, [], about={"a1", "b1", "a2", "b2"})
    assert [c["year"] for c in out["reports"]] == ["2016", "2021/22"]
    assert any(p["before"]["passage_id"] == "a1" and p["after"]["passage_id"] == "b1" for p in out["persisted"])
    assert any(p.get("before", {}).get("passage_id") == "a2" for p in out["improved"])
    assert any("judgment" in p for p in out["improved"])  # requires improvement -> good
    assert not out["worsened"]
    late = out["reports"][1]
    assert all(w["passage_id"] != "x9" for w in late["weaknesses"])  # not about the topic
    assert late["recommendations"][0]["item_id"] == "i3"
