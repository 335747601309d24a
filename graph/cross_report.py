"""Relations that need every report at once: a weakness found again, a measure counted again, an area for
improvement carried over from the report of an earlier inspection.

Each edge quotes both of its sides; ``graph.build`` adds them once all the per-report rows are in the graph.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from graph.extract import findings as fnd
from graph.extract.relations import relation_id
from graph.text import key_words


Edge = tuple[str, str, str, dict[str, Any]]  # source, target, key, attributes


def cross_report_edges(G: nx.MultiDiGraph, findings: list[fnd.Finding], reports: dict[str, dict[str, Any]],
                       force_words: set[str] | None = None, edges: list[tuple[str, str, dict[str, Any]]] | None = None,
                       metrics: list[str] | None = None) -> list[Edge]:
    """The cross-report edges among ``findings`` and ``reports``, read from ``G`` (not added to it).

    Every such edge joins two reports of one force, so an update may pass the reports of one force only,
    with the words of every force's name (``force_words``), the per-report edges of those reports
    (``edges``) and their metric nodes (``metrics``); by default all of ``G`` is read.
    """
    if force_words is None:
        force_words = {w for r in reports.values() for w in key_words(r.get("force") or "")}
    if edges is None:
        edges = list(G.edges(data=True))
    out: list[Edge] = []
    _recurs(G, findings, reports, force_words, edges, out)
    _metric_changes(G, reports, list(G.nodes) if metrics is None else metrics, out)
    _carried_over(G, reports, edges, out)
    return out


def edge_attrs(rid: str, type_: str, polarity: str, rule: str, evidence: list[dict[str, str]]) -> dict[str, Any]:
    """The attributes of one relation edge (its key is ``rid``)."""
    return {"id": rid, "type": type_, "polarity": polarity, "rule": rule, "evidence": evidence}


def add_edge(G: nx.MultiDiGraph, rid: str, type_: str, s: str, t: str, polarity: str, rule: str,
          evidence: list[dict[str, str]]) -> None:
    G.add_edge(s, t, key=rid, **edge_attrs(rid, type_, polarity, rule, evidence))


def _order(reports: dict[str, dict[str, Any]], rid: str) -> tuple[int, str]:
    r = reports.get(rid, {})
    return (r.get("year_end") or 0, rid)


def _recurs(G: nx.MultiDiGraph, findings: list[fnd.Finding], reports: dict[str, dict[str, Any]],
            force_words: set[str], edges: list[tuple[str, str, dict[str, Any]]], out: list[Edge]) -> None:
    """A weakness in a later report that was found in an earlier one of the same force."""
    weak = [f for f in findings if f.polarity == "weakness"]
    # findings that are evidence of the same issue
    issue_of: dict[str, set[str]] = defaultdict(set)
    for s, _t, d in edges:
        if d["type"] in ("affects", "causes"):
            for ev in d["evidence"]:
                issue_of[(ev["passage_id"])].add(s)
    content = {f.id: key_words(f.text) - force_words for f in weak}
    force_of = {rid: r.get("force") for rid, r in reports.items()}
    # Only pairs that share an entity or an issue can recur: index them instead of comparing all pairs,
    # so the cost grows with the findings of one force, not with the square of the corpus.
    index: dict[tuple[Any, str], list[fnd.Finding]] = defaultdict(list)
    for f in weak:
        for key in set(f.entities) | issue_of.get(f.passage_id, set()):
            index[(force_of.get(f.report_id), key)].append(f)
    for later in weak:
        keys = set(later.entities) | issue_of.get(later.passage_id, set())
        candidates = {e.id: e for k in keys for e in index.get((force_of.get(later.report_id), k), ())}
        for _, earlier in sorted(candidates.items()):
            if later.report_id == earlier.report_id:
                continue
            if _order(reports, earlier.report_id) >= _order(reports, later.report_id):
                continue
            same_issue = {i for i in issue_of.get(later.passage_id, ()) if i in issue_of.get(earlier.passage_id, ())}
            same_issue = {i for i in same_issue if any(w in later.text.lower() and w in earlier.text.lower()
                                                        for w in G.nodes[i]["label"].lower().split()[-2:])}
            a, b = content[later.id], content[earlier.id]
            jac = len(a & b) / max(1, len(a | b))
            shared = set(later.entities) & set(earlier.entities)
            rule = None
            if same_issue:
                rule = "recurs:same-issue"
            elif jac >= 0.3 and shared and set(later.themes) & set(earlier.themes):
                rule = "recurs:similar-weakness"
            if rule:
                rid = relation_id("recurs", later.id, earlier.id)
                out.append((later.id, earlier.id, rid, edge_attrs(rid, "recurs", "negative", rule, [
                    {"passage_id": later.passage_id, "report_id": later.report_id, "quote": later.text},
                    {"passage_id": earlier.passage_id, "report_id": earlier.report_id, "quote": earlier.text}])))


def _metric_changes(G: nx.MultiDiGraph, reports: dict[str, dict[str, Any]], nodes: list[str],
                    out: list[Edge]) -> None:
    """The same measure counted in two reports of one force: earlier -> later, with the change."""
    by_key: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for n in nodes:
        d = G.nodes[n]
        if d["type"] == "metric" and d["data"].get("key") and d["data"].get("report_id") in reports:
            rid = d["data"].get("report_id")
            force = reports.get(rid, {}).get("force") or ""
            by_key[(force, d["data"]["key"], d["data"].get("unit", ""))].append(n)
    for (_force, _key, _unit), ids in sorted(by_key.items()):
        ids.sort(key=lambda n: (_order(reports, G.nodes[n]["data"]["report_id"]), n))
        for a, b in zip(ids, ids[1:]):
            da, db = G.nodes[a]["data"], G.nodes[b]["data"]
            if da["report_id"] == db["report_id"]:
                continue
            rid = relation_id("metric_change", a, b)
            change = db["value"] - da["value"]
            ev = [{"passage_id": G.nodes[x]["mentions"][0]["passage_id"], "report_id": G.nodes[x]["data"]["report_id"],
                   "quote": _quote_of(G, x)} for x in (a, b)]
            out.append((a, b, rid, {**edge_attrs(rid, "metric_change", "neutral", "metric:same-measure", ev),
                                    "change": change}))


def _quote_of(G: nx.MultiDiGraph, node: str) -> str:
    m = G.nodes[node]["mentions"][0]
    return m["surface"] if m["surface"] else G.nodes[node]["label"]


def _carried_over(G: nx.MultiDiGraph, reports: dict[str, dict[str, Any]], edges: list[tuple[str, str, dict[str, Any]]],
                  out: list[Edge]) -> None:
    """An area for improvement still outstanding from an inspection: also link the ingested report of that year."""
    for s, t, d in edges:
        if d["type"] != "carried_over_from" or not t.startswith("inspection:"):
            continue
        year = G.nodes[t]["data"].get("year")
        src_report = G.nodes[s]["reports"][0] if G.nodes[s]["reports"] else None
        if src_report is not None and src_report not in reports:
            continue
        force = reports.get(src_report, {}).get("force") if src_report else None
        for rid, r in sorted(reports.items()):
            if rid != src_report and year and str(r.get("year_end")) == str(year) and r.get("force") == force:
                key = relation_id("carried_over_from", s, f"report:{rid}")
                out.append((s, f"report:{rid}", key, edge_attrs(key, "carried_over_from", "negative",
                                                                  "item:inspection-year-report", d["evidence"])))
