"""The ontology package: vocabulary, themes, gazetteers, acronyms and shapes."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import ontology
from ontology import terms
from ontology.terms import PEEL, PROV, THEME

ONTOLOGY_DIR = Path(terms.__file__).parent

CLASSES = [
    "Report", "Force", "Question", "Judgment", "Finding", "Recommendation", "AreaForImprovement",
    "CauseOfConcern", "Unit", "Role", "Partner", "Programme", "Legislation", "Theme", "Issue",
    "Metric", "Passage", "Inspection", "Relation",
]
OBJECT_PROPERTIES = [
    "affects", "causes", "partnersWith", "responsibleFor", "mentions", "aboutTheme", "recommends",
    "carriedOverFrom", "recurs", "metricChange",
    "hasPassage", "inReport", "inQuestion", "hasJudgment", "forForce", "hasFinding", "hasItem",
    "relationType", "source", "target",
]
DATATYPE_PROPERTIES = [
    "grade", "polarity", "rule", "quote", "year", "yearEnd", "section", "paragraph", "text",
    "value", "unit", "measures", "period", "kind", "alias",
]
REQUIRED_THEMES = [
    "crime-prevention", "neighbourhood-policing", "anti-social-behaviour", "investigation-quality",
    "digital-forensics", "victim-care", "vulnerability-safeguarding", "domestic-abuse",
    "missing-exploited-children", "offender-management", "serious-organised-crime",
    "specialist-capabilities", "national-threats", "partnership-working", "workforce-training",
    "demand-resourcing", "performance-data-quality", "leadership-governance", "call-handling",
    "public-engagement", "mental-health", "problem-solving",
]
REQUIRED_ACRONYMS = (
    "ASB OCG SOC ROCU NCA PCSO PCC CSE CCE DA DASH IDVA MARAC MAPPA MASH IOM RSO SCPO SHPO RUI "
    "PNC PND ARV SFO AFO CID TSU HTCU NCRS HOCR SPR CBRN DVI COMAH STRA LPA SARA POP THRIVE "
    "MoRiLE HMICFRS HMIC CPS IOPC NPCC BWV"
).split()
# Names that belong to one report, never to the general ontology code.
REPORT_SPECIFIC = ["Cleveland", "Teesside", "VEMT", "Hartlepool", "Middlesbrough"]


def norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\u2019", "'")).strip().lower()


# ------------------------------------------------------------- parsing ---

@pytest.mark.parametrize("name", ["peel.ttl", "themes.ttl", "shapes.ttl"])
def test_turtle_files_parse(name: str) -> None:
    assert len(Graph().parse(ONTOLOGY_DIR / name, format="turtle")) > 50


@pytest.mark.parametrize("name", ["theme_keywords.json", "organisations.json", "units.json",
                                  "roles.json", "programmes.json", "acronyms.json"])
def test_json_files_parse(name: str) -> None:
    assert json.loads((ONTOLOGY_DIR / name).read_text(encoding="utf-8"))


def test_package_reexports_terms_api() -> None:
    for name in ("PEEL", "THEME", "PROV", "SKOS", "themes", "gazetteer", "acronyms",
                 "ontology_graph", "shapes_graph", "Term", "Theme"):
        assert getattr(ontology, name) is getattr(terms, name)
    assert str(PEEL) == "https://w3id.org/peelgraph/ontology#"
    assert str(THEME) == "https://w3id.org/peelgraph/theme/"


def test_loaders_return_copies() -> None:
    g = ontology.ontology_graph()
    n = len(g)
    g.add((PEEL.x, RDF.type, PEEL.Unit))
    assert len(ontology.ontology_graph()) == n
    ontology.acronyms()["ZZZ"] = "nothing"
    assert "ZZZ" not in ontology.acronyms()


# ---------------------------------------------------------- vocabulary ---

@pytest.mark.parametrize("name", CLASSES)
def test_class_declared_and_documented(name: str) -> None:
    g = ontology.ontology_graph()
    c = PEEL[name]
    assert (c, RDF.type, OWL.Class) in g
    assert g.value(c, RDFS.label) and g.value(c, RDFS.comment)


def test_relation_is_prov_entity_and_documents_reification() -> None:
    g = ontology.ontology_graph()
    assert (PEEL.Relation, RDFS.subClassOf, PROV.Entity) in g
    comment = str(g.value(PEEL.Relation, RDFS.comment))
    for word in ("relationType", "source", "target", "wasDerivedFrom", "quote", "direct triple"):
        assert word in comment


@pytest.mark.parametrize("name,kind", [(n, OWL.ObjectProperty) for n in OBJECT_PROPERTIES]
                         + [(n, OWL.DatatypeProperty) for n in DATATYPE_PROPERTIES])
def test_property_declared_and_documented(name: str, kind: URIRef) -> None:
    g = ontology.ontology_graph()
    p = PEEL[name]
    assert (p, RDF.type, kind) in g
    assert g.value(p, RDFS.label) and g.value(p, RDFS.comment)


def test_every_peel_term_is_labelled() -> None:
    g = ontology.ontology_graph()
    subjects = {s for s in g.subjects() if isinstance(s, URIRef) and s.startswith(str(PEEL))}
    assert all(g.value(s, RDFS.label) and g.value(s, RDFS.comment) for s in subjects)


def test_relation_types_map_to_declared_properties() -> None:
    g = ontology.ontology_graph()
    for name, iri in terms.RELATION_TYPES.items():
        assert (iri, RDF.type, OWL.ObjectProperty) in g, name
        assert ontology.relation_iri(name) == iri


def test_typed_literal_ranges() -> None:
    g = ontology.ontology_graph()
    assert g.value(PEEL.yearEnd, RDFS.range) == namespace.XSD.integer
    assert g.value(PEEL.paragraph, RDFS.range) == namespace.XSD.integer
    assert g.value(PEEL.value, RDFS.range) == namespace.XSD.decimal
    assert g.value(PEEL.year, RDFS.range) == namespace.XSD.string


# -------------------------------------------------------------- themes ---

def test_themes_are_complete() -> None:
    ts = ontology.themes()
    assert len(ts) >= 18
    ids = {t.id for t in ts}
    assert set(REQUIRED_THEMES) <= ids
    for t in ts:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", t.id), t.id
        assert t.iri == THEME[t.id]
        assert t.label and t.definition.endswith("."), t.id
        assert len(t.alt_labels) >= 2, t.id
        assert 15 <= len(t.keywords) <= 40, (t.id, len(t.keywords))
        assert all(k == k.lower() and k.strip() == k and k for k in t.keywords), t.id
        assert len(set(t.keywords)) == len(t.keywords), t.id
        assert set(t.broader) <= ids and t.id not in t.broader


def test_theme_keywords_and_concepts_match() -> None:
    keywords = json.loads((ONTOLOGY_DIR / "theme_keywords.json").read_text(encoding="utf-8"))
    assert set(keywords) == {t.id for t in ontology.themes()}


def test_theme_scheme_structure() -> None:
    g = ontology.ontology_graph()
    for t in ontology.themes():
        assert (t.iri, SKOS.inScheme, terms.THEME_SCHEME) in g
        assert (t.iri, RDF.type, PEEL.Theme) in g
        is_top = (t.iri, SKOS.topConceptOf, terms.THEME_SCHEME) in g
        assert is_top != bool(t.broader), t.id
    assert any(t.broader for t in ontology.themes())


# ---------------------------------------------------------- gazetteers ---

def test_gazetteer_types_and_kinds() -> None:
    sources = {"organisations": terms.ORGANISATIONS_JSON, "units": terms.UNITS_JSON,
               "roles": terms.ROLES_JSON, "programmes": terms.PROGRAMMES_JSON}
    for source, path in sources.items():
        for e in json.loads(path.read_text(encoding="utf-8")):
            assert set(e) <= {"label", "kind", "aliases", "acronym", "area"}, e
            assert e["kind"] in terms.KINDS[source], (source, e)
            assert isinstance(e["aliases"], list)
    for t in ontology.gazetteer():
        assert t.type in terms.TERM_TYPES and t.label.strip() == t.label and t.label
        assert all(a.strip() == a and a for a in t.aliases), t
        assert (t.type == "force") == (t.kind == "police force")
        assert (t.type == "legislation") == (t.kind == "legislation")


def test_gazetteer_counts_and_forces() -> None:
    by_type = defaultdict(list)
    for t in ontology.gazetteer():
        by_type[t.type].append(t)
    territorial = [t for t in by_type["force"] if t.area not in
                   (None, "Scotland", "Northern Ireland")]
    assert len(territorial) == 43
    labels = {t.label for t in ontology.gazetteer()}
    for name in ("Police Scotland", "Police Service of Northern Ireland", "British Transport Police",
                 "Civil Nuclear Constabulary", "Ministry of Defence Police", "National Crime Agency",
                 "College of Policing", "Home Office", "Crown Prosecution Service",
                 "regional organised crime unit", "multi-agency safeguarding hub",
                 "Police National Computer", "Modern Slavery Act 2015"):
        assert name in labels, name
    assert all(len(by_type[k]) >= 20 for k in terms.TERM_TYPES)


def test_gazetteer_labels_unique() -> None:
    seen: dict[str, str] = {}
    for t in ontology.gazetteer():
        key = norm(t.label)
        assert key not in seen, (t.label, seen.get(key))
        seen[key] = t.label


# Surface forms deliberately shared by two entries: (name, labels). None so far:
# where a name could mean two things (e.g. MASH, the hub, vs a MASH process) it
# is kept on one entry only (the unit), and IOM the scheme vs the IOM team are
# told apart by distinct names ("IOM" vs "IOM team").
ALLOWED_COLLISIONS: dict[str, set[str]] = {}


def test_aliases_do_not_collide_across_entries() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    repeated = []
    for t in ontology.gazetteer():
        names = [norm(n) for n in t.names]
        repeated += [(t.label, n) for n in set(names) if names.count(n) > 1]
        for n in names:
            owners[n].add(t.label)
    assert not repeated, "a name repeated within one entry"
    clashes = {n: labels for n, labels in owners.items()
               if len(labels) > 1 and ALLOWED_COLLISIONS.get(n) != labels}
    assert not clashes


def test_gazetteer_acronyms_agree_with_acronym_map() -> None:
    """Every gazetteer acronym is in acronyms.json, expanding to one of its names
    (or a part of one: 'VAWG' -> 'violence against women and girls')."""
    acr = ontology.acronyms()
    bad = []
    for t in ontology.gazetteer():
        if t.acronym:
            long = norm(acr.get(t.acronym, "?"))
            if not any(long in norm(n) for n in t.names if n != t.acronym):
                bad.append((t.acronym, t.label, acr.get(t.acronym)))
    assert not bad


# ------------------------------------------------------------ acronyms ---

def test_acronyms() -> None:
    acr = ontology.acronyms()
    assert len(acr) >= 150
    for key, long in acr.items():
        assert key.strip() == key and key != key.lower() and re.fullmatch(r"[A-Za-z0-9&]+", key), key
        assert long.strip() and long.strip() == long, key
    for key in REQUIRED_ACRONYMS:
        assert key in acr, key


# -------------------------------------------------------------- shapes ---

P1, R1, J1, F1, M1 = (URIRef(f"https://example.org/{n}") for n in ("p1", "r1", "j1", "f1", "m1"))
ISSUE, UNIT = URIRef("https://example.org/issue"), URIRef("https://example.org/unit")


def conforming_graph() -> Graph:
    g = Graph()
    g.add((R1, RDF.type, PEEL.Report))
    g.add((R1, PEEL.year, Literal("2018/19")))
    g.add((R1, PEEL.yearEnd, Literal(2019)))
    g.add((P1, RDF.type, PEEL.Passage))
    g.add((P1, PEEL.inReport, R1))
    g.add((P1, PEEL.text, Literal("Officers were taken from neighbourhood teams to answer calls.")))
    g.add((P1, PEEL.section, Literal("Effectiveness > Preventing crime")))
    g.add((P1, PEEL.paragraph, Literal(12)))
    g.add((ISSUE, RDF.type, PEEL.Issue))
    g.add((ISSUE, RDFS.label, Literal("abstraction of neighbourhood officers")))
    g.add((UNIT, RDF.type, PEEL.Unit))
    g.add((UNIT, RDFS.label, Literal("neighbourhood team")))
    g.add((ISSUE, PEEL.affects, UNIT))
    rel = BNode()
    g.add((rel, RDF.type, PEEL.Relation))
    g.add((rel, PEEL.relationType, PEEL.affects))
    g.add((rel, PEEL.source, ISSUE))
    g.add((rel, PEEL.target, UNIT))
    g.add((rel, PEEL.polarity, Literal("negative")))
    g.add((rel, PEEL.rule, Literal("cue:taken-from")))
    g.add((rel, PROV.wasDerivedFrom, P1))
    g.add((rel, PEEL.quote, Literal("Officers were taken from neighbourhood teams.")))
    g.add((J1, RDF.type, PEEL.Judgment))
    g.add((J1, RDFS.label, Literal("Preventing crime: requires improvement")))
    g.add((J1, PEEL.grade, Literal("requires improvement")))
    g.add((F1, RDF.type, PEEL.Finding))
    g.add((F1, RDFS.label, Literal("Neighbourhood officers are often abstracted")))
    g.add((F1, PEEL.polarity, Literal("weakness")))
    g.add((M1, RDF.type, PEEL.Metric))
    g.add((M1, RDFS.label, Literal("victim satisfaction 78 percent")))
    g.add((M1, PEEL.value, Literal("78.0", datatype=namespace.XSD.decimal)))
    return g


def conforms(g: Graph) -> tuple[bool, str]:
    ok, _, text = validate(g, shacl_graph=ontology.shapes_graph(), advanced=True)
    return ok, text


def test_shapes_accept_conforming_graph() -> None:
    ok, text = conforms(conforming_graph())
    assert ok, text


def test_shapes_accept_xsd_string_literals() -> None:
    g = conforming_graph()
    g.set((J1, PEEL.grade, Literal("good", datatype=namespace.XSD.string)))
    g.set((F1, PEEL.polarity, Literal("strength", datatype=namespace.XSD.string)))
    ok, text = conforms(g)
    assert ok, text


def test_shapes_accept_the_theme_scheme() -> None:
    ok, text = conforms(ontology.ontology_graph())
    assert ok, text


def relation_node(g: Graph) -> BNode:
    return next(iter(g.subjects(RDF.type, PEEL.Relation)))


def test_shapes_reject_relation_without_evidence() -> None:
    g = conforming_graph()
    rel = relation_node(g)
    g.remove((rel, PROV.wasDerivedFrom, None))
    g.remove((rel, PEEL.quote, None))
    ok, text = conforms(g)
    assert not ok and "wasDerivedFrom" in text and "quote" in text


def test_shapes_reject_relation_from_non_passage() -> None:
    g = conforming_graph()
    g.remove((P1, RDF.type, PEEL.Passage))
    assert not conforms(g)[0]


def test_shapes_reject_relation_without_direct_triple() -> None:
    g = conforming_graph()
    g.remove((ISSUE, PEEL.affects, UNIT))
    ok, text = conforms(g)
    assert not ok and "direct triple" in text


def test_shapes_reject_relation_with_two_targets() -> None:
    g = conforming_graph()
    g.add((relation_node(g), PEEL.target, ISSUE))
    assert not conforms(g)[0]


@pytest.mark.parametrize("grade", ["very good", "Good", "requires-improvement", "", "good "])
def test_shapes_reject_bad_grade(grade: str) -> None:
    g = conforming_graph()
    g.set((J1, PEEL.grade, Literal(grade)))
    ok, text = conforms(g)
    assert not ok and "grade" in text


def test_shapes_reject_bad_polarity_and_missing_label() -> None:
    g = conforming_graph()
    g.set((F1, PEEL.polarity, Literal("positive")))
    assert not conforms(g)[0]
    g = conforming_graph()
    g.set((relation_node(g), PEEL.polarity, Literal("weakness")))
    assert not conforms(g)[0]
    g = conforming_graph()
    g.remove((UNIT, RDFS.label, None))
    assert not conforms(g)[0]


def test_shapes_reject_metric_without_value_and_passage_without_text() -> None:
    g = conforming_graph()
    g.remove((M1, PEEL.value, None))
    assert not conforms(g)[0]
    g = conforming_graph()
    g.remove((P1, PEEL.text, None))
    assert not conforms(g)[0]


# --------------------------------------------------------- generality ---

def test_no_report_specific_words_in_ontology_code() -> None:
    pattern = re.compile("|".join(REPORT_SPECIFIC), re.IGNORECASE)
    for path in ONTOLOGY_DIR.glob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_ontology_imports_no_upper_layer() -> None:
    for path in ONTOLOGY_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                assert n.split(".")[0] not in {"graph", "search", "api"}, (path.name, n)
