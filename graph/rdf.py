"""The knowledge graph as RDF (Turtle, JSON-LD) in the peelgraph ontology.

Each relation is written twice, as the ontology asks: the direct triple
(``?s peel:affects ?o``) and a reified ``peel:Relation`` node with its type,
source, target, polarity, rule, ``prov:wasDerivedFrom`` passages and the
quoted sentences. Themes are the SKOS concepts of ``ontology/themes.ttl``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

import networkx as nx
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SKOS

from ontology import PEEL, RELATION_TYPES, THEME, THEME_SCHEME, shapes_graph

DATA = Namespace("https://w3id.org/peelgraph/id/")
FORMATS = ("turtle", "json-ld")
CLASSES = {
    "force": PEEL.Force, "partner": PEEL.Partner, "unit": PEEL.Unit, "role": PEEL.Role, "programme": PEEL.Programme,
    "legislation": PEEL.Legislation, "metric": PEEL.Metric, "issue": PEEL.Issue, "theme": PEEL.Theme,
    "inspection": PEEL.Inspection, "finding": PEEL.Finding, "report": PEEL.Report,
    "recommendation": PEEL.Recommendation, "area_for_improvement": PEEL.AreaForImprovement,
    "cause_of_concern": PEEL.CauseOfConcern,
}


def iri(node_id: str) -> URIRef:
    if node_id.startswith("theme:"):
        return THEME[node_id[6:]]
    kind, _, rest = node_id.partition(":")
    return DATA[f"{kind}/{quote(rest, safe='-._~')}"]


def passage_iri(passage_id: str) -> URIRef:
    return DATA[f"passage/{quote(passage_id, safe='-._~')}"]


def to_rdf(G: nx.MultiDiGraph, nodes: Any = None, store: Any = None) -> Graph:
    """The whole graph, or the subgraph induced by ``nodes``, as an rdflib Graph."""
    H = G.subgraph(sorted(nodes)) if nodes is not None else G
    g = Graph()
    for prefix, ns in (("peel", PEEL), ("theme", THEME), ("skos", SKOS), ("prov", PROV), ("id", DATA)):
        g.bind(prefix, ns)
    passages = {p.passage_id: p for p in store.passages()} if store is not None else {}
    reports = {r["report_id"]: r for r in store.reports()} if store is not None else {}
    used_passages: set[str] = set()
    for n, d in sorted(H.nodes(data=True)):
        s = iri(n)
        g.add((s, RDF.type, CLASSES.get(d["type"], PEEL.Issue)))
        g.add((s, RDFS.label, Literal(d["label"])))
        if d["type"] == "theme":
            g.add((s, RDF.type, SKOS.Concept))
            g.add((s, SKOS.prefLabel, Literal(d["label"], lang="en")))
            g.add((s, SKOS.inScheme, THEME_SCHEME))
        for a in d.get("aliases", []):
            g.add((s, PEEL.alias, Literal(a)))
        if d.get("kind") and d["type"] not in ("finding",):
            g.add((s, PEEL.kind, Literal(d["kind"])))
        data = d.get("data") or {}
        if d["type"] == "metric":
            g.add((s, PEEL.value, Literal(Decimal(repr(float(data["value"]))), datatype=XSD.decimal)))
            g.add((s, PEEL.unit, Literal(data["unit"])))
            g.add((s, PEEL.measures, Literal(data["measures"])))
            if data.get("period"):
                g.add((s, PEEL.period, Literal(data["period"])))
            g.add((s, PEEL.inReport, iri(f"report:{data['report_id']}")))
        elif d["type"] == "finding":
            g.add((s, PEEL.polarity, Literal(data["polarity"])))
            g.add((s, PEEL.text, Literal(data["text"])))
            for r in d["reports"]:
                g.add((s, PEEL.inReport, iri(f"report:{r}")))
        elif d["type"] == "report":
            if data.get("year"):
                g.add((s, PEEL.year, Literal(data["year"])))
            if data.get("year_end") is not None:
                g.add((s, PEEL.yearEnd, Literal(int(data["year_end"]), datatype=XSD.integer)))
        elif d["type"] in ("recommendation", "area_for_improvement", "cause_of_concern") and data.get("text"):
            g.add((s, PEEL.text, Literal(data["text"])))
    for s_, t_, e in sorted(H.edges(data=True), key=lambda x: x[2]["id"]):
        prop = RELATION_TYPES[e["type"]]
        s, t = iri(s_), iri(t_)
        g.add((s, prop, t))
        r = DATA[f"relation/{e['id'][4:]}"]
        g.add((r, RDF.type, PEEL.Relation))
        g.add((r, PEEL.relationType, prop))
        g.add((r, PEEL.source, s))
        g.add((r, PEEL.target, t))
        g.add((r, PEEL.polarity, Literal(e["polarity"])))
        g.add((r, PEEL.rule, Literal(e["rule"])))
        for ev in e["evidence"]:
            g.add((r, PROV.wasDerivedFrom, passage_iri(ev["passage_id"])))
            g.add((r, PEEL.quote, Literal(ev["quote"])))
            used_passages.add(ev["passage_id"])
    for pid in sorted(used_passages):
        p = passages.get(pid)
        pi = passage_iri(pid)
        g.add((pi, RDF.type, PEEL.Passage))
        rid = p.report_id if p else pid.rsplit("-p", 1)[0]
        g.add((pi, PEEL.inReport, iri(f"report:{rid}")))
        if p is not None:
            g.add((pi, PEEL.text, Literal(p.text)))
            g.add((pi, PEEL.section, Literal(" > ".join(p.section))))
            g.add((pi, PEEL.paragraph, Literal(int(p.paragraph), datatype=XSD.integer)))
        ri = iri(f"report:{rid}")
        if (ri, RDF.type, PEEL.Report) not in g:
            g.add((ri, RDF.type, PEEL.Report))
            r = reports.get(rid)
            if r is not None:
                g.add((ri, RDFS.label, Literal(r["title"])))
    return g


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
