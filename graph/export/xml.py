"""GraphML and GEXF (yEd, Gephi): flat attributes, one declared type per attribute."""
from __future__ import annotations

import io
from typing import Any

import networkx as nx

from graph.export.shape import _consistent_types, _flat_edge, _flat_node, _reports_by_id, _xml_safe, source_list


def _flat_graph(sg: dict[str, Any], edge_type_key: str = "type") -> nx.MultiDiGraph:
    reports = _reports_by_id(sg)
    nattrs = [_flat_node(n) for n in sg["nodes"]]
    eattrs = [_flat_edge(e, reports) for e in sg["edges"]]
    if edge_type_key != "type":
        for d in eattrs:
            if "type" in d:
                d[edge_type_key] = d.pop("type")
    _consistent_types(nattrs)
    _consistent_types(eattrs)
    g = nx.MultiDiGraph(title=_xml_safe(sg["title"]), reports=_xml_safe(source_list(sg)))
    for n, attrs in zip(sg["nodes"], nattrs):
        g.add_node(_xml_safe(n["id"]), **{k: _xml_safe(v) for k, v in attrs.items()})
    for e, attrs in zip(sg["edges"], eattrs):
        g.add_edge(_xml_safe(e["source"]), _xml_safe(e["target"]), key=_xml_safe(e["id"]),
                   **{k: _xml_safe(v) for k, v in attrs.items()})
    return g



def to_graphml(sg: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(_flat_graph(sg), buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(sg: dict[str, Any]) -> bytes:
    """GEXF reserves an edge's ``type`` for its direction, so the relation is ``relation_type``."""
    buf = io.BytesIO()
    nx.write_gexf(_flat_graph(sg, edge_type_key="relation_type"), buf, encoding="utf-8")
    return buf.getvalue()


