"""The knowledge graph as RDF (Turtle, JSON-LD) in the peelgraph ontology: the one RDF writer.

Everything that turns the graph into RDF comes through ``subgraph_rdf``: the
Turtle and JSON-LD exports hand it their subgraph, and ``to_rdf`` (the SPARQL
view and ``peelgraph rdf``) hands it the whole graph in the same shape, so one
node has one IRI everywhere (``iri``). Each relation is written twice, as the
ontology asks: the direct triple (``?s peel:affects ?o``) and a reified
``peel:Relation`` with its type, source, target, polarity, rule,
``prov:wasDerivedFrom`` passages and quoted sentences. Themes are the SKOS
concepts of ``ontology/themes.ttl``.
"""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import networkx as nx
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from graph.extract.entities import slug
from ontology import PEEL, RELATION_TYPES, THEME, THEME_SCHEME, shapes_graph

DATA = Namespace("https://w3id.org/peelgraph/id/")
ATTR = Namespace("https://w3id.org/peelgraph/attribute#")  # attributes the ontology does not name
FORMATS = ("turtle", "json-ld")
CLASSES: dict[str, URIRef] = {
    "report": PEEL.Report, "force": PEEL.Force, "question": PEEL.Question, "judgment": PEEL.Judgment,
    "finding": PEEL.Finding, "recommendation": PEEL.Recommendation, "inspection": PEEL.Inspection,
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
CORE_NODE_KEYS = ("id", "iri", "label", "type", "themes", "reports", "years", "polarity")
CORE_EDGE_KEYS = ("id", "source", "target", "type", "polarity", "rule", "evidence")
_SAFE = "-._~"
JSONLD_CONTEXT = {"peel": str(PEEL), "theme": str(THEME), "id": str(DATA), "peelattr": str(ATTR),
                  "skos": str(SKOS), "prov": str(PROV), "rdfs": str(RDFS), "xsd": str(XSD),
                  "dcterms": str(DCTERMS)}


# -------------------------------------------------------------------- IRIs --

def iri(node_id: str) -> URIRef:
    """The one IRI of a node or relation id: ``theme:x`` is the SKOS concept, ``kind:rest`` is id:kind/rest."""
    node_id = str(node_id)
    kind, sep, rest = node_id.partition(":")
    if sep and kind == "theme" and rest:
        return THEME[quote(rest, safe=_SAFE)]
    if sep and kind and re.fullmatch(r"[a-z_]+", kind):
        return DATA[f"{kind}/{quote(rest, safe=_SAFE)}"]
    return DATA[quote(node_id, safe=_SAFE)]


def passage_iri(passage_id: str) -> URIRef:
    return iri(f"passage:{passage_id}")


def report_iri(report_id: str) -> URIRef:
    return iri(f"report:{report_id}")


def relation_property(rtype: str) -> URIRef:
    return RELATION_TYPES.get(rtype) or PEEL[_camel(rtype or "related")]


# ----------------------------------------------------------------- helpers --

def as_list(value: Any) -> list[Any]:
    """Lists stay lists (without Nones), a scalar becomes a one-item list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]


def _camel(name: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    text = parts[0].lower() + "".join(p[:1].upper() + p[1:] for p in parts[1:]) if parts else "value"
    return text if not text[0].isdigit() else f"a{text}"


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


def _bound() -> Graph:
    g = Graph()
    for prefix, ns in (("peel", PEEL), ("theme", THEME), ("id", DATA), ("peelattr", ATTR), ("skos", SKOS),
                       ("prov", PROV), ("rdfs", RDFS), ("xsd", XSD), ("dcterms", DCTERMS)):
        g.bind(prefix, ns)
    return g


# ------------------------------------------------------------- the writer --

def subgraph_rdf(sg: dict[str, Any]) -> Graph:
    """A subgraph in the export shape (``title``, ``reports``, ``nodes``, ``edges`` with evidence) as RDF:
    typed, labelled nodes, and each edge as a direct triple plus a ``peel:Relation`` with its passages."""
    g = _bound()
    described: set[URIRef] = {iri(n["id"]) for n in sg["nodes"] if n.get("type") in ("report", "passage")}
    for r in sg.get("reports") or []:
        _add_report(g, r, described)
    for n in sg["nodes"]:
        _add_node(g, n)
    for e in sg["edges"]:
        _add_edge(g, e, described)
    return g


def _add_report(g: Graph, r: dict[str, Any], described: set[URIRef]) -> None:
    rid = r.get("report_id")
    if rid is None:
        return
    s = report_iri(rid)
    g.add((s, RDF.type, PEEL.Report))
    g.add((s, DCTERMS.identifier, Literal(str(rid))))
    if s not in described:  # a report node of the subgraph describes itself
        g.add((s, RDFS.label, Literal(str(r.get("title") or rid))))
        if r.get("year"):
            g.add((s, PEEL.year, Literal(str(r["year"]))))
            if (end := _year_end(r["year"])) is not None:
                g.add((s, PEEL.yearEnd, Literal(end, datatype=XSD.integer)))
    if r.get("force"):
        force = iri(f"force:{slug(str(r['force']))}")  # the id entities give a force
        g.add((s, PEEL.forForce, force))
        g.add((force, RDF.type, PEEL.Force))
        g.add((force, RDFS.label, Literal(str(r["force"]))))


def _add_node(g: Graph, n: dict[str, Any]) -> None:
    s, ntype = iri(n["id"]), n.get("type")
    g.add((s, DCTERMS.identifier, Literal(n["id"])))
    g.add((s, RDFS.label, Literal(str(n["label"]))))
    if ntype in CLASSES:
        g.add((s, RDF.type, CLASSES[ntype]))
    elif ntype:
        g.add((s, ATTR.type, Literal(str(ntype))))
    if ntype == "theme":
        g.add((s, RDF.type, SKOS.Concept))
        g.add((s, SKOS.prefLabel, Literal(str(n["label"]), lang="en")))
        if str(s).startswith(str(THEME)):
            g.add((s, SKOS.inScheme, THEME_SCHEME))
    for t in as_list(n.get("themes")):
        g.add((s, PEEL.aboutTheme, THEME[quote(str(t), safe=_SAFE)]))
    for rid in as_list(n.get("reports")):
        g.add((s, PEEL.inReport, report_iri(rid)))
    years = as_list(n.get("years"))
    for y in years[:1] if ntype == "report" else years:
        g.add((s, PEEL.year, Literal(str(y))))
    if ntype == "report" and years and (end := _year_end(years[0])) is not None:
        g.add((s, PEEL.yearEnd, Literal(end, datatype=XSD.integer)))
    if n.get("polarity") is not None:
        g.add((s, PEEL.polarity, Literal(str(n["polarity"]))))
    if ntype == "passage" and n.get("text") is None:
        g.add((s, PEEL.text, Literal(str(n["label"]))))
    for k, v in n.items():
        if k not in CORE_NODE_KEYS and v is not None:
            _add_attribute(g, s, k, v)


def _add_attribute(g: Graph, s: URIRef, key: str, value: Any) -> None:
    if key == "value" and isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        g.add((s, PEEL.value, Literal(value, datatype=XSD.integer) if isinstance(value, int)
               else Literal(Decimal(repr(value)))))
    elif key == "paragraph" and isinstance(value, int):
        g.add((s, PEEL.paragraph, Literal(value, datatype=XSD.integer)))
    elif key == "in_report":
        g.add((s, PEEL.inReport, report_iri(value)))
    else:
        prop = NODE_PROPERTIES.get(key, ATTR[_camel(key)])
        for item in as_list(value):
            g.add((s, prop, _literal(item)))


def _add_edge(g: Graph, e: dict[str, Any], described: set[URIRef]) -> None:
    s, t = iri(e["source"]), iri(e["target"])
    prop = relation_property(str(e.get("type") or "related"))
    g.add((s, prop, t))
    rel = iri(e["id"])
    g.add((rel, RDF.type, PEEL.Relation))
    g.add((rel, DCTERMS.identifier, Literal(e["id"])))
    g.add((rel, PEEL.relationType, prop))
    g.add((rel, PEEL.source, s))
    g.add((rel, PEEL.target, t))
    for key, p in (("polarity", PEEL.polarity), ("rule", PEEL.rule)):
        if e.get(key) is not None:
            g.add((rel, p, Literal(str(e[key]))))
    for k, v in e.items():
        if k not in CORE_EDGE_KEYS and v is not None:
            for item in as_list(v):
                g.add((rel, ATTR[_camel(k)], _literal(item)))
    for ev in e.get("evidence") or []:
        if ev.get("quote") is not None:
            g.add((rel, PEEL.quote, Literal(str(ev["quote"]))))
        if ev.get("passage_id") is not None:
            p = passage_iri(ev["passage_id"])
            g.add((rel, PROV.wasDerivedFrom, p))
            _add_passage(g, p, ev, described)


def _add_passage(g: Graph, p: URIRef, ev: dict[str, Any], described: set[URIRef]) -> None:
    """A passage is described once, by its first quote, unless it is a node of the subgraph."""
    g.add((p, RDF.type, PEEL.Passage))
    if p in described:
        return
    described.add(p)
    g.add((p, DCTERMS.identifier, Literal(str(ev["passage_id"]))))
    if ev.get("report_id") is not None:
        g.add((p, PEEL.inReport, report_iri(ev["report_id"])))
    # peel:text is the passage; with only the quoted sentence to hand, that is the best we have
    g.add((p, PEEL.text, Literal(str(ev.get("text") or ev.get("quote") or ""))))
    if ev.get("section"):
        sec = ev["section"]
        g.add((p, PEEL.section, Literal(" > ".join(map(str, sec)) if isinstance(sec, list) else str(sec))))
    if isinstance(ev.get("paragraph"), int) or str(ev.get("paragraph") or "").isdigit():
        g.add((p, PEEL.paragraph, Literal(int(ev["paragraph"]), datatype=XSD.integer)))


def turtle(sg: dict[str, Any]) -> bytes:
    return subgraph_rdf(sg).serialize(format="turtle", encoding="utf-8")


def jsonld(sg: dict[str, Any]) -> bytes:
    return subgraph_rdf(sg).serialize(format="json-ld", context=JSONLD_CONTEXT, encoding="utf-8")


# ------------------------------------------------------ the whole graph --

def records(G: nx.MultiDiGraph, nodes: Any = None, store: Any = None) -> dict[str, Any]:
    """The graph (or the subgraph induced by ``nodes``) in the export shape, with every attribute
    the ontology names and the full passages from the store, ready for ``subgraph_rdf``."""
    H = G.subgraph(sorted(nodes)) if nodes is not None else G
    passages = {p.passage_id: p for p in store.passages()} if store is not None else {}
    reports = [{"report_id": r["report_id"], "title": r.get("title"), "year": r.get("year")}
               for r in store.reports()] if store is not None else []
    out_nodes = [_node_record(n, d) for n, d in sorted(H.nodes(data=True))]
    out_edges = []
    for s, t, e in sorted(H.edges(data=True), key=lambda x: x[2]["id"]):
        evidence = [_evidence_record(ev, passages.get(ev["passage_id"])) for ev in e.get("evidence") or []]
        out_edges.append({"id": e["id"], "source": s, "target": t, "type": e["type"],
                          "polarity": e.get("polarity"), "rule": e.get("rule"), "evidence": evidence})
    used = {ev["report_id"] for e in out_edges for ev in e["evidence"]}
    used |= {r for n in out_nodes for r in n.get("reports", [])}
    return {"title": "", "reports": [r for r in reports if r["report_id"] in used],
            "nodes": out_nodes, "edges": out_edges}


_DATA_KEYS = {"metric": ("unit", "measures", "period"), "finding": ("text",),
              "recommendation": ("text",), "area_for_improvement": ("text",), "cause_of_concern": ("text",),
              "judgment": ("grade", "text")}


def _node_record(n: str, d: dict[str, Any]) -> dict[str, Any]:
    data, ntype = d.get("data") or {}, d["type"]
    rec: dict[str, Any] = {"id": n, "label": d["label"], "type": ntype, "aliases": list(d.get("aliases") or [])}
    if d.get("kind") and ntype != "finding":
        rec["kind"] = d["kind"]
    for key in _DATA_KEYS.get(ntype, ()):
        if data.get(key):
            rec[key] = data[key]
    if ntype == "metric":
        rec["value"] = float(data["value"])
        rec["in_report"] = data["report_id"]
    elif ntype == "finding":
        rec["polarity"], rec["reports"] = data["polarity"], list(d.get("reports") or [])
    elif ntype == "report" and data.get("year"):
        rec["years"] = [data["year"]]
    return rec


def _evidence_record(ev: dict[str, Any], p: Any) -> dict[str, Any]:
    rid = p.report_id if p is not None else ev.get("report_id") or ev["passage_id"].rsplit("-p", 1)[0]
    rec = {"passage_id": ev["passage_id"], "report_id": rid, "quote": ev.get("quote")}
    if p is not None:
        rec.update(text=p.text, section=" > ".join(p.section), paragraph=p.paragraph)
    return rec


def to_rdf(G: nx.MultiDiGraph, nodes: Any = None, store: Any = None) -> Graph:
    """The whole graph, or the subgraph induced by ``nodes``, as an rdflib Graph."""
    return subgraph_rdf(records(G, nodes, store))


def serialize(G: nx.MultiDiGraph, fmt: str = "turtle", nodes: Any = None, store: Any = None) -> str:
    g = to_rdf(G, nodes, store)
    if fmt == "json-ld":
        return g.serialize(format="json-ld", auto_compact=True)
    return g.serialize(format="turtle")


def validate(g: Graph) -> tuple[bool, str]:
    """SHACL validation against ontology/shapes.ttl: (conforms, report text)."""
    from pyshacl import validate as shacl

    conforms, _graph, text = shacl(g, shacl_graph=shapes_graph(), inference="none", advanced=True)
    return bool(conforms), str(text)
