"""The recommendations tracker: every recommendation, area for improvement and cause of concern across reports.

For each item it says where it comes from (the inspection it was first made in:
"still outstanding from ..." gives an earlier origin, otherwise the item's own
report), whether a later report carries it over again, and whether a later
report finds the same weakness again (``recurs`` edges between findings whose
wording matches the item's). Every statement points at a passage.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.text import key_words
from graph.records import Passage

TRACKED = ("cause_of_concern", "recommendation", "area_for_improvement")
STATUSES = ("carried_over", "found_again", "new")
MATCH = 0.34  # share of the shorter text's content words two statements must have in common to be "the same"


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _year_end(year: str | None) -> int:
    """The last calendar year of a period as published ("2018/19" -> 2019, "2015" -> 2015; none -> 0)."""
    m = re.search(r"(\d{4})(?:\s*/\s*(\d{2,4}))?", year or "")
    if not m:
        return 0
    if not m.group(2):
        return int(m.group(1))
    end = m.group(2)
    return int(m.group(1)[: 4 - len(end)] + end)


def _origin(G: nx.MultiDiGraph, node: str, item: dict[str, Any]) -> dict[str, Any] | None:
    """The earlier inspection a carried-over item is still outstanding from (and its report, if ingested)."""
    if not item.get("carried_over_from"):
        return None
    out: dict[str, Any] = {"label": item["carried_over_from"], "year": None, "report_id": None}
    if node in G:
        for _, t, d in G.out_edges(node, data=True):
            if d["type"] != "carried_over_from":
                continue
            if t.startswith("report:"):
                out["report_id"] = t.split(":", 1)[1]
            elif G.nodes[t].get("data", {}).get("year"):
                out["year"] = str(G.nodes[t]["data"]["year"])
    if out["year"] is None:
        m = re.search(r"\b(19|20)\d{2}\b", item["carried_over_from"])
        out["year"] = m.group(0) if m else None
    return out


def _recurrences(G: nx.MultiDiGraph, words: set[str], reports: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """``recurs`` edges (later finding -> earlier finding) whose findings say what the item says."""
    out = []
    for s, t, d in G.edges(data=True):
        if d["type"] != "recurs":
            continue
        texts = [G.nodes[n].get("data", {}).get("text", "") for n in (s, t)]
        if max(_overlap(words, key_words(x)) for x in texts) < MATCH:
            continue
        ends = []
        for n, text in zip((s, t), texts):
            m = G.nodes[n]["mentions"][0]
            ends.append({"text": text, "report_id": m["report_id"], "passage_id": m["passage_id"],
                         "year": reports.get(m["report_id"], {}).get("year")})
        out.append({"later": ends[0], "earlier": ends[1], "rule": d.get("rule")})
    return out


def _cite(p: Passage | None, report: dict[str, Any], quote: str, pid: str | None) -> dict[str, Any]:
    return {"quote": quote, "passage_id": pid, "report_id": report.get("report_id"), "year": report.get("year"),
            "force": report.get("force"), "section": " > ".join(p.section) if p else None,
            "paragraph": p.paragraph if p else None, "page": p.page if p else None}


def _row(G: nx.MultiDiGraph, it: dict[str, Any], reports: dict[str, dict[str, Any]],
         passages: dict[str, Passage]) -> dict[str, Any]:
    rep = reports.get(it["report_id"], {})
    origin = _origin(G, f"{it['kind']}:{it['item_id']}", it)
    words = key_words(it["text"])
    mine = rep.get("year_end") or _year_end(rep.get("year"))
    # found again: the same weakness in a report later than the item's own
    recurs = [x for x in _recurrences(G, words, reports)
              if (reports.get(x["later"]["report_id"], {}).get("year_end") or 0) > mine]
    status = "carried_over" if origin else "found_again" if recurs else "new"
    return {"item_id": it["item_id"], "kind": it["kind"], "report_id": it["report_id"], "year": rep.get("year"),
            "force": rep.get("force"), "question": it.get("question"), "text": it["text"], "lead": it.get("lead"),
            "origin": origin, "origin_year": (origin or {}).get("year") or rep.get("year"),
            "status": status, "carried_into": [], "recurs": recurs,
            "evidence": [_cite(passages.get(it.get("passage_id") or ""), rep, it["text"], it.get("passage_id"))]}


def _link_carried(rows: list[dict[str, Any]], reports: dict[str, dict[str, Any]]) -> None:
    """An earlier item carried over by a later one: same force, the origin names its report or year, same words."""
    for late in rows:
        origin = late["origin"]
        if not origin:
            continue
        lw = key_words(late["text"])
        for early in rows:
            rep = reports.get(early["report_id"], {})
            if early is late or rep.get("force") != late["force"]:
                continue
            same = origin["report_id"] == early["report_id"] or (
                origin["year"] and str(rep.get("year_end") or _year_end(rep.get("year"))) == origin["year"])
            if same and _overlap(lw, key_words(early["text"])) >= MATCH:
                early["carried_into"].append({"item_id": late["item_id"], "report_id": late["report_id"],
                                              "year": late["year"]})


def tracker(G: nx.MultiDiGraph, items: Iterable[dict[str, Any]], reports: Iterable[dict[str, Any]],
            passages: dict[str, Passage], kind: str | None = None, status: str | None = None,
            q: str | None = None) -> dict[str, Any]:
    """Rows oldest origin first, then by report and reading order; filters by kind, status and words."""
    by_id = {r["report_id"]: r for r in reports}
    rows = [_row(G, it, by_id, passages) for it in items if it["kind"] in TRACKED]
    _link_carried(rows, by_id)
    want = key_words(q or "")
    rows = [r for r in rows if (not kind or r["kind"] == kind) and (not status or r["status"] == status)
            and (not want or want <= key_words(r["text"]))]
    rows.sort(key=lambda r: (_year_end(r["origin_year"]), _year_end(r["year"]), r["report_id"]))
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    return {"items": rows, "counts": counts, "years": sorted({r["year"] for r in rows if r["year"]}, key=_year_end)}
