"""Every export format, read back by a real reader.

The fixture's labels carry the characters that break naive writers (both
quotes, backslashes, newlines, non-ASCII, angle brackets and ampersands); each
test checks they come back unchanged wherever the format can hold them.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import re
import zipfile
from typing import Any

import networkx as nx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from graph.errors import InvalidParameter
from graph.export import FORMATS, export
from graph.export.shape import EVIDENCE_SEP, LIST_SEP
from graph.rdf import iri as node_iri

try:
    from ontology.terms import PEEL, SHAPES_TTL
except ImportError:  # pragma: no cover
    PEEL, SHAPES_TTL = None, None

NASTY = "Zoë – café \"quoted\" 'single' back\\slash\nnew line <b>&amp;</b> \\n \\' \\\\ end"
QUOTE = "However, we saw signs that \"the removal\" isn't \\ <good> & Zoë – café.\nSecond line."


def _subgraph() -> dict[str, Any]:
    return {
        "title": "How did the removal of neighbourhood officers affect <crime> & \"prevention\"?",
        "reports": [
            {"report_id": "r-2019", "title": "PEEL 2018/19 – Force Ä", "year": "2018/19", "force": "Force Ä"},
            {"report_id": "r-2015", "title": "PEEL 2015", "year": "2015", "force": "Force Ä"},
        ],
        "nodes": [
            {"id": "issue:removal-of-neighbourhood-officers", "label": "removal of neighbourhood officers",
             "type": "issue", "themes": ["neighbourhood-policing"], "reports": ["r-2019"], "years": ["2018/19"],
             "polarity": None},
            {"id": "finding:1", "label": NASTY, "type": "finding", "themes": ["crime-prevention", "victim-care"],
             "reports": ["r-2019", "r-2015"], "years": ["2018/19", "2015"], "polarity": "weakness", "score": 0.5},
            {"id": "unit:neighbourhood-teams", "label": "Neighbourhood teams", "type": "unit", "themes": [],
             "reports": ["r-2019"], "years": ["2018/19"], "polarity": None},
            {"id": "theme:crime-prevention", "label": "Crime prevention", "type": "theme", "themes": [],
             "reports": [], "years": [], "polarity": None},
            {"id": "partner:council <&>", "label": "Local council's \"team\"", "type": "partner", "themes": [],
             "reports": ["r-2015"], "years": ["2015"], "polarity": None},
            {"id": "metric:satisfaction", "label": "Victim satisfaction", "type": "metric", "value": 74.5,
             "unit": "percent", "themes": ["victim-care"], "reports": ["r-2015"], "years": ["2015"]},
            {"id": "judgment:1", "label": "Requires improvement", "type": "judgment", "grade": "requires improvement",
             "themes": [], "reports": ["r-2019"], "years": ["2018/19"]},
        ],
        "edges": [
            {"id": "rel:1", "source": "issue:removal-of-neighbourhood-officers", "target": "finding:1",
             "type": "affects", "polarity": "negative", "rule": "cause-cue:negative effect",
             "evidence": [
                 {"passage_id": "r-2019:p12", "report_id": "r-2019", "year": "2018/19",
                  "section": "Effectiveness > Preventing crime", "paragraph": 3, "quote": QUOTE},
                 {"passage_id": "r-2019:p13", "report_id": "r-2019", "year": "2018/19", "section": "Effectiveness",
                  "paragraph": 4, "quote": "A second sentence."}]},
            {"id": "rel:2", "source": "unit:neighbourhood-teams", "target": "partner:council <&>",
             "type": "partners_with", "polarity": "positive", "rule": "partner-cue",
             "evidence": [{"passage_id": "r-2015:p1", "report_id": "r-2015", "year": "2015", "section": "Legitimacy",
                           "paragraph": 1, "quote": "They work well together."}]},
            {"id": "rel:3", "source": "finding:1", "target": "theme:crime-prevention", "type": "about_theme",
             "polarity": "neutral", "rule": "theme-keyword",
             "evidence": [{"passage_id": "r-2019:p12", "report_id": "r-2019", "year": "2018/19",
                           "section": "Effectiveness > Preventing crime", "paragraph": 3, "quote": "Prevention."}]},
            {"id": "rel:4", "source": "issue:removal-of-neighbourhood-officers", "target": "unit:neighbourhood-teams",
             "type": "causes", "polarity": "negative", "rule": "cause-cue:as a result",
             "evidence": [{"passage_id": "r-2019:p14", "report_id": "r-2019", "year": "2018/19",
                           "section": "Efficiency", "paragraph": 7, "quote": "As a result, teams shrank."}]},
            {"id": "rel:5", "source": "unit:neighbourhood-teams", "target": "issue:removal-of-neighbourhood-officers",
             "type": "affects", "polarity": "neutral", "rule": "cause-cue:means that",
             "evidence": [{"passage_id": "r-2019:p14", "report_id": "r-2019", "year": "2018/19",
                           "section": "Efficiency", "paragraph": 7, "quote": "That means fewer officers."}]},
            {"id": "rel:6", "source": "metric:satisfaction", "target": "finding:1", "type": "metric_change",
             "polarity": "positive", "rule": "metric-pair",
             "evidence": [{"passage_id": "r-2015:p2", "report_id": "r-2015", "year": "2015", "paragraph": 9,
                           "quote": "Satisfaction rose."}]},
        ],
    }


EMPTY: dict[str, Any] = {"title": "", "reports": [], "nodes": [], "edges": []}


@pytest.fixture(scope="module")
def sg() -> dict[str, Any]:
    return _subgraph()


@pytest.fixture(scope="module")
def out(sg: dict[str, Any]) -> dict[str, bytes]:
    """Each format exported once; the input must not be mutated by any of them."""
    before = copy.deepcopy(sg)
    files = {}
    for fmt in FORMATS:
        data, media, name = export(sg, fmt)
        assert media == FORMATS[fmt][0]
        assert name.endswith("." + FORMATS[fmt][1]) and "/" not in name
        files[fmt] = data
    assert sg == before
    return files


def _labels(sg: dict[str, Any]) -> dict[str, str]:
    return {n["id"]: n["label"] for n in sg["nodes"]}


# ---------------------------------------------------------------- dispatch --

def test_unknown_format_lists_the_formats() -> None:
    with pytest.raises(InvalidParameter) as exc:
        export(_subgraph(), "xlsx")
    assert exc.value.detail["formats"] == list(FORMATS)
    assert "graphml" in exc.value.message


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_empty_subgraph_exports(fmt: str) -> None:
    data, _, name = export(EMPTY, fmt)
    assert data and name.startswith("peelgraph-subgraph.")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_sparse_input_and_dangling_edges(fmt: str) -> None:
    """A minimal subgraph (no lists, no evidence, an edge to an unlisted node) still exports."""
    sparse = {"nodes": [{"id": "a", "label": "A"}], "edges": [{"source": "a", "target": "b", "type": "odd type!"}]}
    assert export(sparse, fmt)[0]


# ------------------------------------------------------------ data formats --

def test_graphml_round_trip(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    g = nx.read_graphml(io.BytesIO(out["graphml"]), force_multigraph=True)
    assert g.number_of_nodes() == len(sg["nodes"]) and g.number_of_edges() == len(sg["edges"])
    for n in sg["nodes"]:
        attrs = g.nodes[n["id"]]
        assert attrs["label"] == n["label"] and attrs["type"] == n["type"]
        assert attrs.get("themes", "") == LIST_SEP.join(n["themes"])
        assert attrs.get("years", "") == LIST_SEP.join(n["years"])
    assert g.nodes["finding:1"]["polarity"] == "weakness"
    edges = {k: d for _, _, k, d in g.edges(keys=True, data=True)}
    e1 = edges["rel:1"]
    assert (e1["type"], e1["polarity"], e1["rule"]) == ("affects", "negative", "cause-cue:negative effect")
    assert e1["evidence_quote"].split(EVIDENCE_SEP)[0] == QUOTE
    assert "PEEL 2018/19 – Force Ä (2018/19), Effectiveness > Preventing crime, para 3 [r-2019:p12]" \
        in e1["evidence_citation"]


def test_gexf_round_trip(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    g = nx.read_gexf(io.BytesIO(out["gexf"]))
    assert g.number_of_nodes() == len(sg["nodes"]) and g.number_of_edges() == len(sg["edges"])
    for n in sg["nodes"]:
        assert g.nodes[n["id"]]["label"] == n["label"]
        assert g.nodes[n["id"]]["type"] == n["type"]
    data = {d["id"]: d for _, _, d in g.edges(data=True)}
    assert data["rel:1"]["relation_type"] == "affects"
    assert data["rel:1"]["evidence_quote"].split(EVIDENCE_SEP)[0] == QUOTE
    assert data["rel:2"]["polarity"] == "positive"


def test_node_link_json(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    d = json.loads(out["json"])
    g = nx.node_link_graph(d, edges="links")
    assert g.number_of_nodes() == len(sg["nodes"]) and g.number_of_edges() == len(sg["edges"])
    assert g.nodes["finding:1"]["label"] == NASTY
    assert g.nodes["finding:1"]["themes"] == ["crime-prevention", "victim-care"]
    edge = g.edges["issue:removal-of-neighbourhood-officers", "finding:1", "rel:1"]
    assert edge["evidence"] == sg["edges"][0]["evidence"]
    assert d["graph"]["title"] == sg["title"]


def test_cytoscape_json(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    d = json.loads(out["cytoscape"])
    assert {n["data"]["id"]: n["data"]["label"] for n in d["elements"]["nodes"]} == _labels(sg)
    assert [e["data"]["evidence"] for e in d["elements"]["edges"]] == [e["evidence"] for e in sg["edges"]]
    g = nx.cytoscape_graph(d)
    assert g.number_of_nodes() == len(sg["nodes"]) and g.number_of_edges() == len(sg["edges"])


def test_csv_zip(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(out["csv"])) as z:
        assert {"nodes.csv", "edges.csv"} <= set(z.namelist())
        nodes = list(csv.DictReader(io.StringIO(z.read("nodes.csv").decode("utf-8"), newline="")))
        edges = list(csv.DictReader(io.StringIO(z.read("edges.csv").decode("utf-8"), newline="")))
        evidence = list(csv.DictReader(io.StringIO(z.read("evidence.csv").decode("utf-8"), newline="")))
    assert {r["id"]: r["label"] for r in nodes} == _labels(sg)
    by_id = {r["id"]: r for r in nodes}
    assert by_id["finding:1"]["themes"] == "crime-prevention; victim-care"
    assert by_id["finding:1"]["polarity"] == "weakness"
    assert by_id["metric:satisfaction"]["value"] == "74.5"
    e = {r["id"]: r for r in edges}
    assert len(e) == len(sg["edges"])
    assert (e["rel:1"]["source"], e["rel:1"]["target"], e["rel:1"]["type"]) == \
        ("issue:removal-of-neighbourhood-officers", "finding:1", "affects")
    assert e["rel:1"]["evidence_quote"].split(EVIDENCE_SEP)[0] == QUOTE
    assert "[r-2019:p12]" in e["rel:1"]["evidence_citation"]
    assert len(evidence) == sum(len(x["evidence"]) for x in sg["edges"])
    assert evidence[0]["quote"] == QUOTE


# --------------------------------------------------------------------- RDF --

def _check_rdf(g: Graph, sg: dict[str, Any]) -> None:
    for n in sg["nodes"]:
        assert str(g.value(node_iri(n["id"]), RDFS.label)) == n["label"]
    if PEEL is None:
        return
    assert (node_iri("issue:removal-of-neighbourhood-officers"), RDF.type, PEEL.Issue) in g
    assert (node_iri("unit:neighbourhood-teams"), RDF.type, PEEL.Unit) in g
    rels = list(g.subjects(RDF.type, PEEL.Relation))
    assert len(rels) == len(sg["edges"])
    s, t = node_iri("issue:removal-of-neighbourhood-officers"), node_iri("finding:1")
    assert (s, PEEL.affects, t) in g
    rel = node_iri("rel:1")
    assert g.value(rel, PEEL.source) == s and g.value(rel, PEEL.target) == t
    assert str(g.value(rel, PEEL.polarity)) == "negative"
    assert str(g.value(rel, PEEL.rule)) == "cause-cue:negative effect"
    assert QUOTE in {str(q) for q in g.objects(rel, PEEL.quote)}
    assert len(list(g.objects(rel, PROV.wasDerivedFrom))) == 2
    assert (node_iri("partner:council <&>"), RDFS.label, Literal("Local council's \"team\"")) in g


def _shacl(g: Graph) -> None:
    if SHAPES_TTL is None or not SHAPES_TTL.exists():
        pytest.skip("no SHACL shapes yet")
    from pyshacl import validate

    conforms, _, text = validate(g, shacl_graph=Graph().parse(SHAPES_TTL, format="turtle"))
    assert conforms, text


def test_turtle(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    g = Graph().parse(data=out["turtle"].decode("utf-8"), format="turtle")
    _check_rdf(g, sg)
    _shacl(g)


def test_jsonld(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    g = Graph().parse(data=out["jsonld"].decode("utf-8"), format="json-ld")
    _check_rdf(g, sg)
    turtle = Graph().parse(data=out["turtle"].decode("utf-8"), format="turtle")
    assert len(g) == len(turtle)
    _shacl(g)


def test_rdf_iris_are_percent_encoded() -> None:
    assert node_iri("partner:council <&>") == URIRef("https://w3id.org/peelgraph/id/partner/council%20%3C%26%3E")
    assert node_iri("theme:crime-prevention") == URIRef("https://w3id.org/peelgraph/theme/crime-prevention")
    assert node_iri("odd id/with slash") == URIRef("https://w3id.org/peelgraph/id/odd%20id%2Fwith%20slash")


# ------------------------------------------------------------------ Cypher --

_CYPHER_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_CYPHER_LITERAL = re.compile(r"'((?:[^'\\\n\r]|\\(?:[\\'\"nrtbf]|u[0-9a-fA-F]{4}))*)'")


def _unescape_cypher(body: str) -> str:
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 5 else _CYPHER_ESCAPES[m.group(1)],
                  body)


def test_cypher_escaping(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    script = out["cypher"].decode("utf-8")
    statements = [s for s in script.splitlines() if s and not s.startswith("//")]
    node_lines = [s for s in statements if s.startswith("MERGE (n:PeelNode")]
    edge_lines = [s for s in statements if s.startswith("MATCH ")]
    assert len(node_lines) == len(sg["nodes"]) and len(edge_lines) == len(sg["edges"])
    assert all(s.endswith(";") for s in statements)
    for s in statements:  # every quote is inside a well-formed literal: nothing is left after removing them
        rest = _CYPHER_LITERAL.sub("", s)
        assert "'" not in rest and "\\" not in rest, s
    for n, line in zip(sg["nodes"], node_lines):
        lits = [_unescape_cypher(m) for m in _CYPHER_LITERAL.findall(line)]
        assert lits[0] == n["id"] and n["label"] in lits
        label = re.match(r"MERGE \(n:PeelNode \{id: '(?:[^'\\]|\\.)*'\}\) SET n:(\w+)", line)
        assert label and re.fullmatch(r"[A-Za-z0-9_]+", label.group(1))
    assert "SET n:Issue" in node_lines[0] and "SET n:Finding" in node_lines[1]
    assert all(re.search(r"-\[r:[A-Za-z0-9_]+ \{id: ", s) for s in edge_lines)
    assert "[r:AFFECTS {id: 'rel:1'}]" in edge_lines[0] and "r.polarity = 'negative'" in edge_lines[0]
    assert QUOTE in [_unescape_cypher(m) for m in _CYPHER_LITERAL.findall(edge_lines[0])]


def test_cypher_sanitises_names() -> None:
    sg = {"nodes": [{"id": "x", "label": "x", "type": "weird type`) DETACH DELETE n //", "bad key!": "v"}],
          "edges": [{"id": "e", "source": "x", "target": "x", "type": "rel`]->() DELETE r //"}]}
    script = export(sg, "cypher")[0].decode()
    body = _CYPHER_LITERAL.sub("''", script)
    assert "`" not in body and "//" not in body.split("\n", 1)[1]  # nothing injected outside literals
    assert body.count("DELETE") == 2  # only inside the two sanitised names below
    assert "SET n:WeirdTypeDETACHDELETEN" in script and "r:REL_DELETE_R" in script and "n.bad_key = 'v'" in script


# --------------------------------------------------------- Mermaid and DOT --

def test_mermaid(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    text = out["mermaid"].decode("utf-8")
    assert "\ngraph LR\n" in text
    decls = re.findall(r'^  (\w+)\["([^"]*)"\]$', text, flags=re.M)
    assert len(decls) == len(sg["nodes"]) and len({d[0] for d in decls}) == len(decls)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i, _ in decls)
    finding = dict(decls)["n_finding_1"]
    assert "<b>" not in finding and "#lt;b#gt;" in finding and "#quot;quoted#quot;" in finding
    assert "Zoë – café" in finding and "<br/>" in finding
    arrows = re.findall(r"^  \w+ (?:-->|-\.->|==>)\|\"[^\"]*\"\| \w+$", text, flags=re.M)
    assert len(arrows) == len(sg["edges"])


def _dot_strings(text: str) -> list[str]:
    return [re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), s)
            for s in re.findall(r'"((?:[^"\\]|\\.)*)"', text)]


def test_dot(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    text = out["dot"].decode("utf-8")
    assert text.startswith("digraph") and text.rstrip().endswith("}")
    node_lines = [line for line in text.splitlines() if re.match(r'^  "(?:[^"\\]|\\.)*" \[label=', line)]
    assert len(node_lines) == len(sg["nodes"])
    for n, line in zip(sg["nodes"], node_lines):
        strings = _dot_strings(line)
        assert strings[0] == n["id"] and strings[1] == n["label"]
    edge_lines = [line for line in text.splitlines() if " -> " in line]
    assert len(edge_lines) == len(sg["edges"])
    assert 'style="dashed"' in edge_lines[0] and 'color="#c62828"' in edge_lines[0]
    # no unescaped quote can end a string early: every line splits into whole strings
    for line in node_lines + edge_lines:
        assert '"' not in re.sub(r'"(?:[^"\\]|\\.)*"', "", line)
