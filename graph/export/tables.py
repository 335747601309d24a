"""Data formats for other tools: node-link JSON, Cytoscape JSON and CSV tables."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from graph.export.shape import CORE_EDGE_KEYS, CORE_NODE_KEYS, _flat_edge, _flat_node, _reports_by_id, _scalar, citation


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def to_node_link(sg: dict[str, Any]) -> bytes:
    """networkx/D3 node-link JSON (``links``), read by ``nx.node_link_graph(d, edges="links")``."""
    return _json_bytes({
        "directed": True, "multigraph": True,
        "graph": {"title": sg["title"], "reports": sg["reports"]},
        "nodes": sg["nodes"],
        "links": [{**e, "key": e["id"]} for e in sg["edges"]],
    })


def to_cytoscape(sg: dict[str, Any]) -> bytes:
    """Cytoscape.js elements JSON (also read by ``nx.cytoscape_graph``)."""
    return _json_bytes({
        "data": {"title": sg["title"], "reports": sg["reports"]},
        "directed": True, "multigraph": True,
        "elements": {
            "nodes": [{"data": {**n, "name": n["label"], "value": n["id"]}} for n in sg["nodes"]],
            "edges": [{"data": {**e, "key": e["id"]}} for e in sg["edges"]],
        },
    })


def _csv_text(rows: list[dict[str, Any]], first: tuple[str, ...]) -> str:
    keys = list(first) + sorted({k for r in rows for k in r} - set(first))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r.get(k) is None else r[k] for k in keys})
    return buf.getvalue()


def to_csv_zip(sg: dict[str, Any]) -> bytes:
    """nodes.csv and edges.csv (Gephi's spreadsheet import), plus one row per quote in evidence.csv."""
    reports = _reports_by_id(sg)
    nodes = [{"id": n["id"], **_flat_node(n)} for n in sg["nodes"]]
    edges = [{"source": e["source"], "target": e["target"], **_flat_edge(e, reports)} for e in sg["edges"]]
    evidence = [{"edge_id": e["id"], "passage_id": ev.get("passage_id"), "report_id": ev.get("report_id"),
                 "year": ev.get("year"), "section": _scalar(ev.get("section")), "paragraph": ev.get("paragraph"),
                 "quote": ev.get("quote"), "citation": citation(ev, reports)}
                for e in sg["edges"] for ev in e["evidence"]]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nodes.csv", _csv_text(nodes, CORE_NODE_KEYS))
        z.writestr("edges.csv", _csv_text(edges, CORE_EDGE_KEYS + ("evidence_quote", "evidence_citation")))
        z.writestr("evidence.csv", _csv_text(evidence, ("edge_id", "passage_id", "report_id", "year", "section",
                                                        "paragraph", "quote", "citation")))
    return buf.getvalue()


