"""The subgraph every writer reads: normalised, flattened for flat formats, and cited.

A subgraph is a plain dict (``title``, ``reports``, ``nodes``, ``edges``; each
edge with its ``evidence`` list), so any selector can produce it. Flat formats
(GraphML, GEXF, CSV) join lists with ``"; "`` and flatten evidence into
``evidence_quote`` / ``evidence_citation`` (entries joined with ``" | "``).
Every node carries its ``iri``, the one ``graph.rdf.iri`` gives it, so a node
can be found again in any export and in SPARQL.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from graph.errors import InvalidParameter
from graph.export import layout
from graph.extract.entities import slug
from graph.rdf import as_list, iri

LIST_SEP = "; "
EVIDENCE_SEP = " | "

LIST_KEYS = ("themes", "reports", "years")
CORE_NODE_KEYS = ("id", "iri", "label", "type", "themes", "reports", "years", "polarity")
CORE_EDGE_KEYS = ("id", "source", "target", "type", "polarity", "rule")


def normalise(subgraph: dict[str, Any]) -> dict[str, Any]:
    """A defensive copy every writer can trust: string ids, unique nodes, edge
    ids, list attributes as lists, and a stub node for any dangling edge end."""
    if not isinstance(subgraph, dict):
        raise InvalidParameter("a subgraph must be an object with nodes and edges")
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n in subgraph.get("nodes") or []:
        n = dict(n)
        n["id"] = str(n.get("id", ""))
        if n["id"] in seen:
            continue
        seen.add(n["id"])
        if n.get("label") is None:
            n["label"] = n["id"]
        for key in LIST_KEYS:
            n[key] = as_list(n.get(key))
        nodes.append(n)
    edges: list[dict[str, Any]] = []
    edge_ids: set[str] = set()
    for i, e in enumerate(subgraph.get("edges") or []):
        e = dict(e)
        e["source"], e["target"] = str(e.get("source", "")), str(e.get("target", ""))
        eid = str(e.get("id") or f"rel:{i}")
        while eid in edge_ids:
            eid += "'"
        e["id"] = eid
        edge_ids.add(eid)
        e["evidence"] = [dict(ev) for ev in (e.get("evidence") or []) if isinstance(ev, dict)]
        for end in (e["source"], e["target"]):
            if end not in seen:
                seen.add(end)
                nodes.append({"id": end, "label": end, "type": None, "themes": [], "reports": [], "years": []})
        edges.append(e)
    for n in nodes:
        n["iri"] = str(iri(n["id"]))
    reports = [dict(r) for r in subgraph.get("reports") or [] if isinstance(r, dict)]
    return {"title": str(subgraph.get("title") or ""), "reports": reports, "nodes": nodes, "edges": edges}


def _scalar(value: Any) -> Any:
    """One value a flat format can hold: lists joined, dicts as JSON, None dropped by callers."""
    if isinstance(value, (list, tuple, set)):
        return LIST_SEP.join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def citation(ev: dict[str, Any], reports: dict[str, dict[str, Any]]) -> str:
    """'Title (year), section, para N [passage id]': enough to find the quote again."""
    rid = ev.get("report_id")
    rep = reports.get(str(rid), {}) if rid is not None else {}
    title = rep.get("title") or rid or "unknown report"
    year = ev.get("year") or rep.get("year")
    parts = [f"{title} ({year})" if year else str(title)]
    if ev.get("section"):
        sec = ev["section"]
        parts.append(" > ".join(map(str, sec)) if isinstance(sec, (list, tuple)) else str(sec))
    if ev.get("paragraph") not in (None, ""):
        parts.append(f"para {ev['paragraph']}")
    text = ", ".join(parts)
    return f"{text} [{ev['passage_id']}]" if ev.get("passage_id") else text


def _reports_by_id(sg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(r.get("report_id")): r for r in sg["reports"] if r.get("report_id") is not None}


def _flat_node(n: dict[str, Any]) -> dict[str, Any]:
    return {k: _scalar(v) for k, v in n.items() if k != "id" and v is not None and _scalar(v) is not None}


def _flat_edge(e: dict[str, Any], reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out = {k: _scalar(v) for k, v in e.items() if k not in ("evidence", "source", "target") and v is not None}
    ev = e["evidence"]
    if ev:
        out["evidence_quote"] = EVIDENCE_SEP.join(str(x.get("quote") or "") for x in ev)
        out["evidence_citation"] = EVIDENCE_SEP.join(citation(x, reports) for x in ev)
        out["evidence_passages"] = LIST_SEP.join(str(x.get("passage_id") or "") for x in ev)
    return out


def _consistent_types(items: list[dict[str, Any]]) -> None:
    """GraphML and GEXF declare one type per attribute: a key with mixed types becomes text."""
    types: dict[str, set[type]] = {}
    for d in items:
        for k, v in d.items():
            types.setdefault(k, set()).add(type(v))
    for k, ts in types.items():
        if len(ts) > 1 or not ts <= {str, int, float, bool}:
            for d in items:
                if k in d:
                    d[k] = str(d[k])


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value: Any) -> Any:
    """XML 1.0 cannot hold most control characters at all, even escaped."""
    return _XML_BAD.sub("\ufffd", value) if isinstance(value, str) else value


def source_list(sg: dict[str, Any]) -> str:
    return layout.source_line(sg["reports"]).removeprefix("Sources: ")


def file_name(title: str) -> str:
    """A file name stem from the title (the entity slug rule, shorter)."""
    stem = slug(title)[:60].strip("-") if title.strip() else ""
    return stem if stem and stem != "x" else "peelgraph-subgraph"
