"""Write a subgraph in the formats people take into other tools.

A subgraph is a plain dict (``title``, ``reports``, ``nodes``, ``edges``; each
edge with its ``evidence`` list), so any selector can produce it.
``export(subgraph, fmt)`` returns ``(bytes, media type, file name)``. Every
format keeps the node and edge attributes it can hold: JSON formats keep lists
and the full evidence; flat formats (GraphML, GEXF, CSV) join lists with
``"; "`` and flatten evidence into ``evidence_quote`` / ``evidence_citation``
(entries joined with ``" | "``). Pictures (SVG, PNG, PPTX) share one layout,
``graph.export.layout.scene``.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import networkx as nx
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from graph.export import layout
from graph.errors import InvalidParameter

try:  # the ontology package owns the vocabulary; fall back only if it is missing
    from ontology.terms import PEEL, RELATION_TYPES, THEME, THEME_SCHEME
except ImportError:  # pragma: no cover
    PEEL = Namespace("https://w3id.org/peelgraph/ontology#")
    THEME = Namespace("https://w3id.org/peelgraph/theme/")
    THEME_SCHEME = URIRef("https://w3id.org/peelgraph/themes")
    RELATION_TYPES = {}

ID = Namespace("https://w3id.org/peelgraph/id/")
ATTR = Namespace("https://w3id.org/peelgraph/attribute#")  # attributes the ontology does not name

LIST_SEP = "; "
EVIDENCE_SEP = " | "

FORMATS: dict[str, tuple[str, str]] = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "json": ("application/json", "json"),
    "cytoscape": ("application/json", "cyjs"),
    "csv": ("application/zip", "zip"),
    "turtle": ("text/turtle", "ttl"),
    "jsonld": ("application/ld+json", "jsonld"),
    "cypher": ("application/x-cypher-query", "cypher"),
    "mermaid": ("text/vnd.mermaid", "mmd"),
    "dot": ("text/vnd.graphviz", "dot"),
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}

CLASSES: dict[str, URIRef] = {
    "report": PEEL.Report, "force": PEEL.Force, "question": PEEL.Question, "judgment": PEEL.Judgment,
    "finding": PEEL.Finding, "recommendation": PEEL.Recommendation,
    "area_for_improvement": PEEL.AreaForImprovement, "cause_of_concern": PEEL.CauseOfConcern,
    "unit": PEEL.Unit, "role": PEEL.Role, "partner": PEEL.Partner, "programme": PEEL.Programme,
    "legislation": PEEL.Legislation, "theme": PEEL.Theme, "issue": PEEL.Issue, "metric": PEEL.Metric,
    "passage": PEEL.Passage,
}
# Node attributes with an ontology property (anything else goes to ATTR).
NODE_PROPERTIES: dict[str, URIRef] = {
    "grade": PEEL.grade, "text": PEEL.text, "unit": PEEL.unit, "measures": PEEL.measures,
    "period": PEEL.period, "kind": PEEL.kind, "section": PEEL.section, "alias": PEEL.alias,
    "aliases": PEEL.alias,
}
LIST_KEYS = ("themes", "reports", "years")
CORE_NODE_KEYS = ("id", "label", "type", "themes", "reports", "years", "polarity")
CORE_EDGE_KEYS = ("id", "source", "target", "type", "polarity", "rule")


# ----------------------------------------------------------------- helpers --

def _normalise(subgraph: dict[str, Any]) -> dict[str, Any]:
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
            n[key] = _as_list(n.get(key))
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
    reports = [dict(r) for r in subgraph.get("reports") or [] if isinstance(r, dict)]
    return {"title": str(subgraph.get("title") or ""), "reports": reports, "nodes": nodes, "edges": edges}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]


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


def source_list(sg: dict[str, Any]) -> str:
    return layout.source_line(sg["reports"]).removeprefix("Sources: ")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-")
    return slug or "peelgraph-subgraph"


# ------------------------------------------------------------ data formats --

def to_graphml(sg: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(_flat_graph(sg), buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(sg: dict[str, Any]) -> bytes:
    """GEXF reserves an edge's ``type`` for its direction, so the relation is ``relation_type``."""
    buf = io.BytesIO()
    nx.write_gexf(_flat_graph(sg, edge_type_key="relation_type"), buf, encoding="utf-8")
    return buf.getvalue()


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


# --------------------------------------------------------------------- RDF --

def node_iri(node_id: str) -> URIRef:
    return ID[quote(str(node_id), safe="")]


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    text = parts[0].lower() + "".join(p[:1].upper() + p[1:] for p in parts[1:]) if parts else "value"
    return text if not text[0].isdigit() else f"a{text}"


def relation_property(rtype: str) -> URIRef:
    return RELATION_TYPES.get(rtype) or PEEL[_camel(rtype or "related")]


def _year_end(year: Any) -> int | None:
    m = re.search(r"((?:19|20)\d\d)(?:\s*[/-]\s*(\d{2,4}))?", str(year))
    if not m:
        return None
    if not m.group(2):
        return int(m.group(1))
    end = m.group(2)
    return int(m.group(1)[: 4 - len(end)] + end) if len(end) < 4 else int(end)


def _literal(value: Any) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(value) if math.isfinite(value) else Literal(str(value))
    return Literal(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))


def to_rdf(sg: dict[str, Any]) -> Graph:
    """The subgraph as RDF in the peel ontology: typed, labelled nodes, each edge as
    a direct triple plus a reified ``peel:Relation`` derived from its passages."""
    g = Graph()
    for prefix, ns in (("peel", PEEL), ("theme", THEME), ("id", ID), ("peelattr", ATTR), ("skos", SKOS),
                       ("prov", PROV), ("rdfs", RDFS), ("xsd", XSD), ("dcterms", DCTERMS)):
        g.bind(prefix, ns)
    report_nodes: dict[str, URIRef] = {}
    passage_nodes: dict[str, URIRef] = {}
    for n in sg["nodes"]:
        ids = {n["id"], str(n.get("report_id") or ""), str(n.get("passage_id") or "")}
        ids |= {n["id"].split(":", 1)[1]} if ":" in n["id"] else set()
        target = report_nodes if n.get("type") == "report" else passage_nodes if n.get("type") == "passage" else None
        if target is not None:
            for key in ids - {""}:
                target.setdefault(key, node_iri(n["id"]))

    def report_iri(rid: Any) -> URIRef:
        return report_nodes.get(str(rid)) or node_iri(f"report:{rid}")

    for r in sg["reports"]:
        rid = r.get("report_id")
        if rid is None:
            continue
        iri = report_iri(rid)
        g.add((iri, RDF.type, PEEL.Report))
        g.add((iri, DCTERMS.identifier, Literal(str(rid))))
        if iri not in report_nodes.values():
            g.add((iri, RDFS.label, Literal(str(r.get("title") or rid))))
            if r.get("year"):
                g.add((iri, PEEL.year, Literal(str(r["year"]))))
                if (end := _year_end(r["year"])) is not None:
                    g.add((iri, PEEL.yearEnd, Literal(end, datatype=XSD.integer)))
        if r.get("force"):
            force = node_iri(f"force:{r['force']}")
            g.add((iri, PEEL.forForce, force))
            g.add((force, RDF.type, PEEL.Force))
            g.add((force, RDFS.label, Literal(str(r["force"]))))

    for n in sg["nodes"]:
        iri = node_iri(n["id"])
        ntype = n.get("type")
        g.add((iri, DCTERMS.identifier, Literal(n["id"])))
        g.add((iri, RDFS.label, Literal(str(n["label"]))))
        if ntype in CLASSES:
            g.add((iri, RDF.type, CLASSES[ntype]))
        elif ntype:
            g.add((iri, ATTR.type, Literal(str(ntype))))
        if ntype == "theme":
            g.add((iri, RDF.type, SKOS.Concept))
            g.add((iri, SKOS.prefLabel, Literal(str(n["label"]))))
            slug = n["id"].split(":", 1)[1] if n["id"].startswith("theme:") else None
            if slug and re.fullmatch(r"[a-z0-9-]+", slug):
                g.add((iri, SKOS.exactMatch, THEME[slug]))
        for t in n["themes"]:
            g.add((iri, PEEL.aboutTheme, THEME[quote(str(t), safe="")]))
        for rid in n["reports"]:
            g.add((iri, PEEL.inReport, report_iri(rid)))
        years = n["years"][:1] if ntype == "report" else n["years"]
        for y in years:
            g.add((iri, PEEL.year, Literal(str(y))))
        if ntype == "report" and years and (end := _year_end(years[0])) is not None:
            g.add((iri, PEEL.yearEnd, Literal(end, datatype=XSD.integer)))
        if n.get("polarity") is not None:
            g.add((iri, PEEL.polarity, Literal(str(n["polarity"]))))
        if ntype == "passage" and n.get("text") is None:
            g.add((iri, PEEL.text, Literal(str(n["label"]))))
        for k, v in n.items():
            if k in CORE_NODE_KEYS or v is None:
                continue
            if k == "value" and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                g.add((iri, PEEL.value, Literal(v, datatype=XSD.integer) if isinstance(v, int)
                       else Literal(Decimal(repr(v)))))
            elif k == "paragraph" and isinstance(v, int):
                g.add((iri, PEEL.paragraph, Literal(v, datatype=XSD.integer)))
            else:
                prop = NODE_PROPERTIES.get(k, ATTR[_camel(k)])
                for item in _as_list(v):
                    g.add((iri, prop, _literal(item)))

    for e in sg["edges"]:
        s, t = node_iri(e["source"]), node_iri(e["target"])
        prop = relation_property(str(e.get("type") or "related"))
        g.add((s, prop, t))
        rel = node_iri(e["id"])
        g.add((rel, RDF.type, PEEL.Relation))
        g.add((rel, DCTERMS.identifier, Literal(e["id"])))
        g.add((rel, PEEL.relationType, prop))
        g.add((rel, PEEL.source, s))
        g.add((rel, PEEL.target, t))
        for key, p in (("polarity", PEEL.polarity), ("rule", PEEL.rule)):
            if e.get(key) is not None:
                g.add((rel, p, Literal(str(e[key]))))
        for k, v in e.items():
            if k not in CORE_EDGE_KEYS and k != "evidence" and v is not None:
                for item in _as_list(v):
                    g.add((rel, ATTR[_camel(k)], _literal(item)))
        for ev in e["evidence"]:
            if ev.get("quote") is not None:
                g.add((rel, PEEL.quote, Literal(str(ev["quote"]))))
            pid = ev.get("passage_id")
            if pid is None:
                continue
            p = passage_nodes.get(str(pid)) or node_iri(f"passage:{pid}")
            g.add((rel, PROV.wasDerivedFrom, p))
            if (p, RDF.type, PEEL.Passage) in g and p not in passage_nodes.values():
                continue  # described by an earlier quote
            g.add((p, RDF.type, PEEL.Passage))
            if p in passage_nodes.values():
                continue  # a node of the subgraph: described above
            g.add((p, DCTERMS.identifier, Literal(str(pid))))
            if ev.get("report_id") is not None:
                g.add((p, PEEL.inReport, report_iri(ev["report_id"])))
            # peel:text is the passage; with only the quoted sentence to hand, that is the best we have
            g.add((p, PEEL.text, Literal(str(ev.get("text") or ev.get("quote") or ""))))
            if ev.get("section"):
                sec = ev["section"]
                g.add((p, PEEL.section, Literal(" > ".join(map(str, sec)) if isinstance(sec, list) else str(sec))))
            if isinstance(ev.get("paragraph"), int) or str(ev.get("paragraph") or "").isdigit():
                g.add((p, PEEL.paragraph, Literal(int(ev["paragraph"]), datatype=XSD.integer)))
    return g


JSONLD_CONTEXT = {"peel": str(PEEL), "theme": str(THEME), "id": str(ID), "peelattr": str(ATTR),
                  "skos": str(SKOS), "prov": str(PROV), "rdfs": str(RDFS), "xsd": str(XSD),
                  "dcterms": str(DCTERMS)}


def to_turtle(sg: dict[str, Any]) -> bytes:
    return to_rdf(sg).serialize(format="turtle", encoding="utf-8")


def to_jsonld(sg: dict[str, Any]) -> bytes:
    return to_rdf(sg).serialize(format="json-ld", context=JSONLD_CONTEXT, encoding="utf-8")


# ------------------------------------------------------------------ Cypher --

_CYPHER_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def cypher_string(value: Any) -> str:
    """A single-quoted Cypher literal: backslash, quotes and every control character escaped."""
    out = []
    for ch in str(value):
        if ch in _CYPHER_ESCAPES:
            out.append(_CYPHER_ESCAPES[ch])
        elif ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 or ch in "\u2028\u2029\ufeff":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def cypher_name(name: str, camel: bool = False) -> str:
    """A label, relationship type or property key made of [A-Za-z0-9_] only, so it needs no backticks."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", str(name)) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) if camel else "_".join(parts)
    if not text or text[0].isdigit():
        text = f"_{text}"
    return text


def _cypher_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else cypher_string(str(value))
    if isinstance(value, (list, tuple, set)):  # Neo4j lists must be homogeneous: use strings
        return "[" + ", ".join(cypher_string(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return cypher_string(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    return cypher_string(value)


def _cypher_set(var: str, props: dict[str, Any]) -> str:
    parts = []
    for k in sorted(props):
        v = _cypher_value(props[k])
        if v is not None:
            parts.append(f"{var}.{cypher_name(k)} = {v}")
    return " SET " + ", ".join(parts) if parts else ""


def to_cypher(sg: dict[str, Any]) -> bytes:
    """MERGE statements, idempotent on re-run; every node also carries :PeelNode for a unique id index."""
    reports = _reports_by_id(sg)
    lines = [f"// peelgraph export: {cypher_string(sg['title'])}",
             "CREATE CONSTRAINT peel_node_id IF NOT EXISTS FOR (n:PeelNode) REQUIRE n.id IS UNIQUE;"]
    for n in sg["nodes"]:
        label = cypher_name(n.get("type") or "Node", camel=True)
        props = {k: v for k, v in n.items() if k != "id"}
        lines.append(f"MERGE (n:PeelNode {{id: {cypher_string(n['id'])}}}) SET n:{label}"
                     + _cypher_set("n", props).replace(" SET ", ", ", 1) + ";")
    for e in sg["edges"]:
        rtype = cypher_name(e.get("type") or "related").upper()
        props = {k: v for k, v in e.items() if k not in ("id", "source", "target", "evidence")}
        if e["evidence"]:
            props["evidence_quote"] = [ev.get("quote") or "" for ev in e["evidence"]]
            props["evidence_citation"] = [citation(ev, reports) for ev in e["evidence"]]
            props["evidence_passages"] = [ev.get("passage_id") or "" for ev in e["evidence"]]
        lines.append(f"MATCH (a:PeelNode {{id: {cypher_string(e['source'])}}}), "
                     f"(b:PeelNode {{id: {cypher_string(e['target'])}}}) "
                     f"MERGE (a)-[r:{rtype} {{id: {cypher_string(e['id'])}}}]->(b)"
                     + _cypher_set("r", props) + ";")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ----------------------------------------------------------- Mermaid, DOT --

MERMAID_CODES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;",
                 "|": "#124;", "\\": "#92;"}


def _mermaid_text(text: Any) -> str:
    """Mermaid entity codes for anything that would end or confuse a quoted label; newlines as <br/>."""
    lines = re.split(r"\r\n|\r|\n", "" if text is None else str(text))
    return "<br/>".join("".join(MERMAID_CODES.get(ch, ch) for ch in layout.clean_text(line)) for line in lines)


def _ids(sg: dict[str, Any], prefix: str) -> dict[str, str]:
    """Readable, unique [A-Za-z0-9_] ids (Mermaid keywords such as 'end' are avoided by the prefix)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for n in sg["nodes"]:
        base = prefix + re.sub(r"[^A-Za-z0-9_]+", "_", n["id"]).strip("_")[:40]
        cand, k = base, 1
        while cand in used:
            k += 1
            cand = f"{base}_{k}"
        used.add(cand)
        out[n["id"]] = cand
    return out


def to_mermaid(sg: dict[str, Any]) -> bytes:
    ids = _ids(sg, "n_")
    lines = ["---", f"title: {json.dumps(layout.clean_text(sg['title']) or 'Subgraph', ensure_ascii=False)}",
             "---", "graph LR"]
    types = []
    for n in sg["nodes"]:
        lines.append(f'  {ids[n["id"]]}["{_mermaid_text(n["label"])}"]')
        t = n.get("type") or "other"
        if t not in types:
            types.append(t)
    for i, e in enumerate(sg["edges"]):
        arrow = "-.->" if e.get("polarity") == "negative" else "==>" if e.get("type") == "causes" else "-->"
        label = _mermaid_text(str(e.get("type") or "").replace("_", " "))
        lines.append(f'  {ids[e["source"]]} {arrow}|"{label}"| {ids[e["target"]]}')
        colour = layout.edge_style(e.get("type"), e.get("polarity")).colour
        lines.append(f"  linkStyle {i} stroke:{colour},color:{colour}")
    for t in types:
        _, fill, text = layout.node_style(None if t == "other" else t)
        cls = "t_" + re.sub(r"[^A-Za-z0-9_]", "_", t)
        lines.append(f"  classDef {cls} fill:{fill},color:{text},stroke:#333")
        members = [ids[n["id"]] for n in sg["nodes"] if (n.get("type") or "other") == t]
        lines.append(f"  class {','.join(members)} {cls}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def dot_string(value: Any) -> str:
    """A DOT double-quoted string; newlines become centred line breaks."""
    text = layout._CONTROL.sub(" ", str(value)).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def to_dot(sg: dict[str, Any]) -> bytes:
    reports = _reports_by_id(sg)
    lines = ["digraph peelgraph {",
             f"  graph [rankdir=LR, labelloc=t, fontsize=20, fontname=\"DejaVu Sans\", "
             f"label={dot_string(sg['title'])}];",
             '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=12];',
             '  edge [fontname="DejaVu Sans", fontsize=10];']
    for n in sg["nodes"]:
        _, fill, text = layout.node_style(n.get("type"))
        attrs = {"label": n["label"], "fillcolor": fill, "fontcolor": text, "tooltip": n.get("type") or "",
                 "peel_type": n.get("type") or "", **{f"peel_{k}": _scalar(n[k]) for k in LIST_KEYS if n[k]}}
        if n.get("polarity"):
            attrs["peel_polarity"] = n["polarity"]
        lines.append(f"  {dot_string(n['id'])} [" + ", ".join(f"{k}={dot_string(v)}" for k, v in attrs.items()) + "];")
    for e in sg["edges"]:
        st = layout.edge_style(e.get("type"), e.get("polarity"))
        style = "dashed" if st.dash and st.dash[0] > 4 else "dotted" if st.dash else "solid"
        attrs = {"id": e["id"], "label": str(e.get("type") or "").replace("_", " "), "color": st.colour,
                 "fontcolor": st.colour, "style": style, "penwidth": f"{st.width:g}",
                 "peel_polarity": e.get("polarity") or "", "peel_rule": e.get("rule") or ""}
        if e["evidence"]:
            attrs["tooltip"] = EVIDENCE_SEP.join(f"{ev.get('quote') or ''} ({citation(ev, reports)})"
                                                 for ev in e["evidence"])
        lines.append(f"  {dot_string(e['source'])} -> {dot_string(e['target'])} ["
                     + ", ".join(f"{k}={dot_string(v)}" for k, v in attrs.items()) + "];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# -------------------------------------------------------------------- SVG --

def _x(text: Any) -> str:
    return xml_escape(_xml_safe(str(text)))


def _xa(text: Any) -> str:
    """A quoted XML attribute value; newlines and tabs kept as character references."""
    return quoteattr(_xml_safe(str(text)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _arrow(p: tuple[float, float], q: tuple[float, float], size: float) -> list[tuple[float, float]]:
    """The triangle of an arrowhead pointing from p to q, tip on q."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    d = math.hypot(dx, dy) or 1
    ux, uy = dx / d, dy / d
    bx, by = q[0] - ux * size, q[1] - uy * size
    return [q, (bx - uy * size * 0.5, by + ux * size * 0.5), (bx + uy * size * 0.5, by - ux * size * 0.5)]


def _arrow_size(width: float) -> float:
    return 9 + 2.2 * width


def to_svg(sg: dict[str, Any]) -> bytes:
    sc = layout.scene(sg)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{sc.width}" height="{sc.height}" '
           f'viewBox="0 0 {sc.width} {sc.height}" font-family={_xa(layout.FONT_FAMILY)} role="img">',
           f"<title>{_x(sg['title'] or 'Subgraph')}</title>",
           f"<desc>{_x(layout.source_line(sg['reports']))}</desc>",
           f'<rect width="{sc.width}" height="{sc.height}" fill="#ffffff"/>']
    y = layout.MARGIN + sc.title_size
    for line in sc.title_lines:
        out.append(f'<text x="{layout.MARGIN}" y="{y}" font-size="{sc.title_size}" font-weight="bold" '
                   f'fill="#1a1a1a">{_x(line)}</text>')
        y += sc.title_size + 8
    out.append('<g class="edges" fill="none">')
    for s in sc.strokes:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in s.points)
        dash = f' stroke-dasharray="{" ".join(map(str, s.style.dash))}"' if s.style.dash else ""
        head = " ".join(f"{x:.1f},{y:.1f}" for x, y in _arrow(s.points[-2], s.points[-1], _arrow_size(s.style.width)))
        out.append(f'<g class="edge" data-id={_xa(s.id)} data-type={_xa(s.type or "")} '
                   f'data-polarity={_xa(s.polarity or "")}><title>{_x(s.type or "")}: {_x(s.source)} → '
                   f'{_x(s.target)}</title><polyline points="{pts}" stroke="{s.style.colour}" '
                   f'stroke-width="{s.style.width:g}"{dash} stroke-linecap="round"/>'
                   f'<polygon points="{head}" fill="{s.style.colour}"/></g>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for b in sc.boxes:
        out.append(f'<g class="node" data-id={_xa(b.id)} data-type={_xa(b.type or "")}>'
                   f"<title>{_x(b.label)}</title>"
                   f'<rect x="{b.left:.1f}" y="{b.top:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="8" '
                   f'fill="{b.fill}" stroke="#333333" stroke-width="1.2"/>')
        ty = b.top + 7 + sc.font_size
        for line in b.lines:
            out.append(f'<text x="{b.x:.1f}" y="{ty:.1f}" font-size="{sc.font_size}" text-anchor="middle" '
                       f'fill="{b.text}">{_x(line)}</text>')
            ty += sc.font_size + 5
        out.append("</g>")
    out.append("</g>")
    out.append('<g class="legend">')
    ly = sc.legend_y
    for item in sc.legend:
        cy = ly + sc.legend_row / 2
        if item.kind == "heading":
            out.append(f'<text x="{sc.legend_x}" y="{cy + 5:.1f}" font-size="15" font-weight="bold" '
                       f'fill="#1a1a1a">{_x(item.label)}</text>')
        elif item.kind == "node":
            out.append(f'<rect x="{sc.legend_x}" y="{cy - 8:.1f}" width="26" height="16" rx="4" '
                       f'fill="{item.fill}" stroke="#333333"/>')
            out.append(f'<text x="{sc.legend_x + 36}" y="{cy + 5:.1f}" font-size="14" fill="#1a1a1a">'
                       f"{_x(item.label)}</text>")
        elif item.style is not None:
            st = item.style
            dash = f' stroke-dasharray="{" ".join(map(str, st.dash))}"' if st.dash else ""
            head = " ".join(f"{x:.1f},{y:.1f}" for x, y in _arrow((sc.legend_x, cy), (sc.legend_x + 30, cy), 9))
            out.append(f'<line x1="{sc.legend_x}" y1="{cy:.1f}" x2="{sc.legend_x + 24}" y2="{cy:.1f}" '
                       f'stroke="{st.colour}" stroke-width="{st.width:g}"{dash}/>'
                       f'<polygon points="{head}" fill="{st.colour}"/>')
            out.append(f'<text x="{sc.legend_x + 36}" y="{cy + 5:.1f}" font-size="14" fill="#1a1a1a">'
                       f"{_x(item.label)}</text>")
        ly += sc.legend_row
    out.append("</g>")
    fy = sc.height - layout.MARGIN - (len(sc.footer_lines) - 1) * (sc.footer_size + 8)
    for line in sc.footer_lines:
        out.append(f'<text x="{layout.MARGIN}" y="{fy}" font-size="{sc.footer_size}" fill="#444444">'
                   f"{_x(line)}</text>")
        fy += sc.footer_size + 8
    if not sc.boxes:
        out.append(f'<text x="{sc.width / 2 - layout.LEGEND_W / 2:.0f}" y="{sc.height / 2:.0f}" font-size="20" '
                   f'text-anchor="middle" fill="#666666">No nodes to show</text>')
    out.append("</svg>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(out) + "\n").encode("utf-8")


# -------------------------------------------------------------------- PNG --

def _dashed(draw: Any, pts: list[tuple[float, float]], colour: str, width: int,
            dash: tuple[int, ...], scale: float) -> None:
    """Pillow has no dashed lines: walk the polyline switching pen on and off."""
    if not dash:
        draw.line(pts, fill=colour, width=width, joint="curve")
        return
    pattern = [d * scale for d in dash]
    i, left, on = 0, pattern[0], True
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < seg:
            step = min(left, seg - pos)
            if on and step > 0:
                a, b = pos / seg, (pos + step) / seg
                draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                          fill=colour, width=width)
            pos += step
            left -= step
            if left <= 1e-9:
                i = (i + 1) % len(pattern)
                left, on = pattern[i], not on


def to_png(sg: dict[str, Any], supersample: int = 2) -> bytes:
    """The SVG's scene drawn with Pillow at 2x and scaled down, for smooth lines."""
    from PIL import Image, ImageDraw

    sc = layout.scene(sg)
    k = supersample
    img = Image.new("RGB", (sc.width * k, sc.height * k), "#ffffff")
    d = ImageDraw.Draw(img)

    def text(x: float, y: float, s: str, size: int, fill: str, bold: bool = False, anchor: str = "ls") -> None:
        d.text((x * k, y * k), s, font=layout.font(size * k, bold), fill=fill, anchor=anchor)

    y = layout.MARGIN + sc.title_size
    for line in sc.title_lines:
        text(layout.MARGIN, y, line, sc.title_size, "#1a1a1a", bold=True)
        y += sc.title_size + 8
    for s in sc.strokes:
        pts = [(x * k, y * k) for x, y in s.points]
        size = _arrow_size(s.style.width) * k
        # stop the shaft short of the tip so the line does not poke through the arrowhead
        (px, py), (qx, qy) = pts[-2], pts[-1]
        dist = math.hypot(qx - px, qy - py) or 1
        shaft = pts[:-1] + [(qx - (qx - px) / dist * size * 0.8, qy - (qy - py) / dist * size * 0.8)]
        _dashed(d, shaft, s.style.colour, max(1, round(s.style.width * k)), s.style.dash, k)
        d.polygon(_arrow(pts[-2], pts[-1], size), fill=s.style.colour)
    for b in sc.boxes:
        d.rounded_rectangle([b.left * k, b.top * k, (b.left + b.w) * k, (b.top + b.h) * k], radius=8 * k,
                            fill=b.fill, outline="#333333", width=max(1, round(1.2 * k)))
        ty = b.top + 7 + sc.font_size
        for line in b.lines:
            text(b.x, ty, line, sc.font_size, b.text, anchor="ms")
            ty += sc.font_size + 5
    ly = sc.legend_y
    for item in sc.legend:
        cy = ly + sc.legend_row / 2
        if item.kind == "heading":
            text(sc.legend_x, cy + 5, item.label, 15, "#1a1a1a", bold=True)
        elif item.kind == "node":
            d.rounded_rectangle([sc.legend_x * k, (cy - 8) * k, (sc.legend_x + 26) * k, (cy + 8) * k],
                                radius=4 * k, fill=item.fill, outline="#333333", width=k)
            text(sc.legend_x + 36, cy + 5, item.label, 14, "#1a1a1a")
        elif item.style is not None:
            st = item.style
            _dashed(d, [(sc.legend_x * k, cy * k), ((sc.legend_x + 24) * k, cy * k)], st.colour,
                    max(1, round(st.width * k)), st.dash, k)
            d.polygon(_arrow((sc.legend_x * k, cy * k), ((sc.legend_x + 30) * k, cy * k), 9 * k), fill=st.colour)
            text(sc.legend_x + 36, cy + 5, item.label, 14, "#1a1a1a")
        ly += sc.legend_row
    fy = sc.height - layout.MARGIN - (len(sc.footer_lines) - 1) * (sc.footer_size + 8)
    for line in sc.footer_lines:
        text(layout.MARGIN, fy, line, sc.footer_size, "#444444")
        fy += sc.footer_size + 8
    if not sc.boxes:
        text(sc.width / 2 - layout.LEGEND_W / 2, sc.height / 2, "No nodes to show", 20, "#666666", anchor="ms")
    if k != 1:
        img = img.resize((sc.width, sc.height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


# ------------------------------------------------------------------- PPTX --

EMU_PER_PX = 12192000 // layout.WIDTH  # 13.333 in wide slide, 1600 px scene: 7620 EMU per px
PT_PER_PX = 0.6  # 1600 px across 13.333 in (960 pt): a 16 px label is about 10 pt


def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


def _textbox(slide: Any, x: float, y: float, w: float, h: float, text: str, size: float,
             colour: str = "#1a1a1a", bold: bool = False, name: str | None = None) -> Any:
    from pptx.util import Emu, Pt

    tb = slide.shapes.add_textbox(Emu(int(x * EMU_PER_PX)), Emu(int(y * EMU_PER_PX)),
                                  Emu(int(w * EMU_PER_PX)), Emu(int(h * EMU_PER_PX)))
    if name:
        tb.name = name
    tf = tb.text_frame
    tf.word_wrap = True
    tf.text = text
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
            r.font.color.rgb = _rgb(colour)
    return tb


def _cxn_points(a: layout.Box, b: layout.Box) -> tuple[int, int]:
    """Connection sites of a rectangle: 0 top, 1 left, 2 bottom, 3 right."""
    dx, dy = b.x - a.x, b.y - a.y
    if abs(dx) / ((a.w + b.w) / 2) >= abs(dy) / ((a.h + b.h) / 2):
        return (3, 1) if dx >= 0 else (1, 3)
    return (2, 0) if dy >= 0 else (0, 2)


def _arrowhead(connector: Any) -> None:
    """python-pptx has no arrowhead API; a:tailEnd goes last in a:ln."""
    from pptx.oxml.ns import qn

    ln = connector.line._get_or_add_ln()
    for old in ln.findall(qn("a:tailEnd")):
        ln.remove(old)
    tail = ln.makeelement(qn("a:tailEnd"), {"type": "triangle", "w": "med", "len": "med"})
    ext = ln.find(qn("a:extLst"))
    if ext is not None:
        ext.addprevious(tail)
    else:
        ln.append(tail)


def _evidence_pages(sg: dict[str, Any], budget: int = 1400) -> list[list[tuple[str, list[tuple[str, str]]]]]:
    """Relations with their (quote, citation) pairs, split into slide-sized pages."""
    reports = _reports_by_id(sg)
    labels = {n["id"]: layout.clean_text(n["label"]) for n in sg["nodes"]}
    pages: list[list[tuple[str, list[tuple[str, str]]]]] = [[]]
    used = 0
    for e in sg["edges"]:
        if not e["evidence"]:
            continue
        head = (f"{labels.get(e['source'], e['source'])} → {str(e.get('type') or 'related').replace('_', ' ')} → "
                f"{labels.get(e['target'], e['target'])}" + (f" ({e['polarity']})" if e.get("polarity") else ""))
        quotes = [(layout.clean_text(ev.get("quote") or ""), citation(ev, reports)) for ev in e["evidence"]]
        for q in quotes:
            cost = len(q[0]) + len(q[1]) + 80
            if used and used + cost > budget:
                pages.append([])
                used = 0
            if not pages[-1] or pages[-1][-1][0] != head:
                pages[-1].append((head, []))
                used += len(head) + 40
            pages[-1][-1][1].append(q)
            used += cost
    return pages if pages[0] else []


def to_pptx(sg: dict[str, Any]) -> bytes:
    """Slide 1: the diagram as native shapes and glued connectors; then the evidence quotes."""
    from pptx import Presentation
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Emu, Pt

    sc = layout.scene(sg)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(sc.width * EMU_PER_PX), Emu(sc.height * EMU_PER_PX)
    blank = prs.slide_layouts[6]
    slide = prs.slides.add_slide(blank)

    def emu(v: float) -> Any:
        return Emu(int(round(v * EMU_PER_PX)))

    title_h = len(sc.title_lines) * (sc.title_size + 8) + 8
    _textbox(slide, layout.MARGIN, layout.MARGIN - 8, sc.width - 2 * layout.MARGIN, title_h,
             sg["title"] or "Subgraph", 24, bold=True, name="Title")
    node_pt = max(9.0, sc.font_size * PT_PER_PX + 0.5)
    shapes: dict[str, Any] = {}
    for b in sc.boxes:
        shp = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, emu(b.left), emu(b.top), emu(b.w), emu(b.h))
        shp.name = f"node:{b.id}"
        shp.fill.solid()
        shp.fill.fore_color.rgb = _rgb(b.fill)
        shp.line.color.rgb = _rgb("#333333")
        shp.line.width = Pt(1)
        tf = shp.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # the picture truncates; the slide keeps the whole label
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(tf, side, emu(4))
        tf.text = layout._CONTROL.sub(" ", b.label)
        for p in tf.paragraphs:
            p.alignment = PP_ALIGN.CENTER
            for r in p.runs:
                r.font.size = Pt(node_pt)
                r.font.color.rgb = _rgb(b.text)
        shapes[b.id] = (shp, b)
    for s in sc.strokes:
        (sa, a), (sb, b) = shapes[s.source], shapes[s.target]
        conn = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT if a is not b else MSO_CONNECTOR.ELBOW,
                                          0, 0, 0, 0)
        conn.name = f"edge:{s.id}"
        ia, ib = _cxn_points(a, b) if a is not b else (0, 3)
        conn.begin_connect(sa, ia)
        conn.end_connect(sb, ib)
        conn.line.color.rgb = _rgb(s.style.colour)
        conn.line.width = Pt(max(0.75, s.style.width * 0.75))
        conn.line.dash_style = getattr(MSO_LINE_DASH_STYLE, s.style.pptx_dash)
        _arrowhead(conn)
    ly = sc.legend_y
    for i, item in enumerate(sc.legend):
        cy = ly + sc.legend_row / 2
        if item.kind == "heading":
            _textbox(slide, sc.legend_x - 8, cy - 12, 240, 24, item.label, 11, bold=True, name=f"legend:{i}")
        elif item.kind == "node":
            r = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, emu(sc.legend_x), emu(cy - 8), emu(26), emu(16))
            r.name = f"legend-key:{i}"
            r.fill.solid()
            r.fill.fore_color.rgb = _rgb(item.fill)
            r.line.color.rgb = _rgb("#333333")
            _textbox(slide, sc.legend_x + 30, cy - 12, 220, 24, item.label, 10, name=f"legend:{i}")
        elif item.style is not None:
            ln = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, emu(sc.legend_x), emu(cy),
                                            emu(sc.legend_x + 28), emu(cy))
            ln.name = f"legend-key:{i}"
            ln.line.color.rgb = _rgb(item.style.colour)
            ln.line.width = Pt(max(0.75, item.style.width * 0.75))
            ln.line.dash_style = getattr(MSO_LINE_DASH_STYLE, item.style.pptx_dash)
            _arrowhead(ln)
            _textbox(slide, sc.legend_x + 30, cy - 12, 220, 24, item.label, 10, name=f"legend:{i}")
        ly += sc.legend_row
    if sc.footer_lines:
        fh = len(sc.footer_lines) * (sc.footer_size + 8) + 6
        _textbox(slide, layout.MARGIN, sc.height - layout.MARGIN - fh + 8, sc.width - 2 * layout.MARGIN, fh,
                 "\n".join(sc.footer_lines), 9, colour="#444444", name="Sources")
    if not sc.boxes:
        _textbox(slide, 400, 400, 600, 60, "No nodes to show", 18, colour="#666666", name="Empty")

    pages = _evidence_pages(sg)
    for pi, page in enumerate(pages or [[]]):
        s2 = prs.slides.add_slide(blank)
        suffix = f" ({pi + 1}/{len(pages)})" if len(pages) > 1 else ""
        _textbox(s2, layout.MARGIN, layout.MARGIN - 8, sc.width - 2 * layout.MARGIN, 50,
                 f"Evidence{suffix}", 24, bold=True, name="Title")
        tb = _textbox(s2, layout.MARGIN, 90, sc.width - 2 * layout.MARGIN, sc.height - 120,
                      "" if page else "No evidence quotes in this subgraph.", 14, name="Evidence")
        tf = tb.text_frame
        first = True
        for head, quotes in page:
            p = tf.paragraphs[0] if first else tf.add_paragraph()
            first = False
            p.space_before = Pt(8)
            r = p.add_run()
            r.text = head
            r.font.bold, r.font.size = True, Pt(14)
            for q, cite in quotes:
                p = tf.add_paragraph()
                r = p.add_run()
                r.text = f"“{q}”"
                r.font.italic, r.font.size = True, Pt(13)
                p = tf.add_paragraph()
                r = p.add_run()
                r.text = f"— {cite}"
                r.font.size = Pt(11)
                r.font.color.rgb = _rgb("#444444")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------- dispatch --

WRITERS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "graphml": to_graphml, "gexf": to_gexf, "json": to_node_link, "cytoscape": to_cytoscape,
    "csv": to_csv_zip, "turtle": to_turtle, "jsonld": to_jsonld, "cypher": to_cypher,
    "mermaid": to_mermaid, "dot": to_dot, "svg": to_svg, "png": to_png, "pptx": to_pptx,
}


def export(subgraph: dict[str, Any], fmt: str) -> tuple[bytes, str, str]:
    """(file bytes, media type, file name) for one format of ``FORMATS``."""
    key = str(fmt or "").lower().strip()
    if key not in FORMATS:
        raise InvalidParameter(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}",
                               {"format": fmt, "formats": list(FORMATS)})
    sg = _normalise(subgraph)
    media, ext = FORMATS[key]
    return WRITERS[key](sg), media, f"{_slug(sg['title'])}.{ext}"
