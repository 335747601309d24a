"""The ontology as Python: namespaces, file paths and cached loaders.

This is the bottom layer of peelgraph: it imports nothing from graph, search
or api. Everything it loads is general knowledge of UK policing, so it applies
to a report of any force and year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

PEEL = Namespace("https://w3id.org/peelgraph/ontology#")
THEME = Namespace("https://w3id.org/peelgraph/theme/")
THEME_SCHEME = URIRef("https://w3id.org/peelgraph/themes")

HERE = Path(__file__).resolve().parent
PEEL_TTL = HERE / "peel.ttl"
THEMES_TTL = HERE / "themes.ttl"
SHAPES_TTL = HERE / "shapes.ttl"
THEME_KEYWORDS_JSON = HERE / "theme_keywords.json"
ORGANISATIONS_JSON = HERE / "organisations.json"
UNITS_JSON = HERE / "units.json"
ROLES_JSON = HERE / "roles.json"
PROGRAMMES_JSON = HERE / "programmes.json"
ACRONYMS_JSON = HERE / "acronyms.json"
LEGEND_JSON = HERE / "legend.json"
THESAURUS_JSON = HERE / "thesaurus.json"

GRADES = ("outstanding", "good", "adequate", "requires improvement", "inadequate")
FINDING_POLARITIES = ("strength", "weakness", "neutral")
RELATION_POLARITIES = ("positive", "negative", "neutral")

# Relation names as the pipeline spells them (snake_case) -> ontology property.
RELATION_TYPES: dict[str, URIRef] = {
    "affects": PEEL.affects,
    "causes": PEEL.causes,
    "partners_with": PEEL.partnersWith,
    "responsible_for": PEEL.responsibleFor,
    "mentions": PEEL.mentions,
    "about_theme": PEEL.aboutTheme,
    "recommends": PEEL.recommends,
    "carried_over_from": PEEL.carriedOverFrom,
    "recurs": PEEL.recurs,
    "metric_change": PEEL.metricChange,
}

TERM_TYPES = ("force", "partner", "unit", "role", "programme", "legislation")

# Allowed `kind` values per gazetteer file.
KINDS: dict[str, tuple[str, ...]] = {
    "organisations": ("police force", "agency", "local government", "health", "education",
                      "voluntary", "private", "justice", "inspectorate", "government"),
    "units": ("local policing", "contact", "investigation", "public protection", "intelligence",
              "specialist operations", "support", "multi-agency", "oversight"),
    "roles": ("rank", "officer", "staff", "volunteer", "partner"),
    "programmes": ("operation", "system", "scheme", "model", "meeting", "legislation",
                   "strategy", "process"),
}

# The class each term type becomes in the graph.
TERM_CLASSES: dict[str, URIRef] = {
    "force": PEEL.Force, "partner": PEEL.Partner, "unit": PEEL.Unit,
    "role": PEEL.Role, "programme": PEEL.Programme, "legislation": PEEL.Legislation,
}


@dataclass(frozen=True)
class Theme:
    id: str                      # slug, e.g. "crime-prevention"
    iri: URIRef
    label: str
    definition: str
    alt_labels: tuple[str, ...]
    broader: tuple[str, ...]     # slugs of broader themes (empty for top concepts)
    keywords: tuple[str, ...]    # lower-case phrases for keyword tagging


@dataclass(frozen=True)
class Term:
    """One gazetteer entry. Match label and aliases case-insensitively, but the
    acronym case-sensitively (many acronyms are also ordinary words)."""

    label: str
    type: str                    # one of TERM_TYPES
    kind: str                    # one of KINDS[<file>]
    aliases: tuple[str, ...] = ()
    acronym: str | None = None
    area: str | None = None      # police forces: the area policed

    @property
    def names(self) -> tuple[str, ...]:
        """Every surface form: label, aliases and acronym."""
        return (self.label, *self.aliases, *((self.acronym,) if self.acronym else ()))


def relation_iri(name: str) -> URIRef:
    """The property IRI for a relation name such as 'partners_with'."""
    return RELATION_TYPES[name]


def _json(path: Path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def _themes() -> tuple[Theme, ...]:
    g = Graph().parse(THEMES_TTL, format="turtle")
    keywords = _json(THEME_KEYWORDS_JSON)
    out = []
    for iri in g.subjects(RDF.type, SKOS.Concept):
        if not isinstance(iri, URIRef):  # a blank-node concept has no IRI to cite
            continue
        slug = str(iri).removeprefix(str(THEME))
        out.append(Theme(
            id=slug,
            iri=iri,
            label=str(g.value(iri, SKOS.prefLabel)),
            definition=str(g.value(iri, SKOS.definition)),
            alt_labels=tuple(sorted(str(a) for a in g.objects(iri, SKOS.altLabel))),
            broader=tuple(sorted(str(b).removeprefix(str(THEME)) for b in g.objects(iri, SKOS.broader))),
            keywords=tuple(keywords.get(slug, ())),
        ))
    order = {slug: i for i, slug in enumerate(keywords)}
    return tuple(sorted(out, key=lambda t: (order.get(t.id, len(order)), t.id)))


def themes() -> list[Theme]:
    """The inspection themes, with their keyword lists."""
    return list(_themes())


def _term_type(source: str, kind: str) -> str:
    if source == "organisations":
        return "force" if kind == "police force" else "partner"
    if source == "programmes":
        return "legislation" if kind == "legislation" else "programme"
    return {"units": "unit", "roles": "role"}[source]


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[Term, ...]:
    files = {"organisations": ORGANISATIONS_JSON, "units": UNITS_JSON,
             "roles": ROLES_JSON, "programmes": PROGRAMMES_JSON}
    out = []
    for source, path in files.items():
        for e in _json(path):
            out.append(Term(
                label=e["label"],
                type=_term_type(source, e["kind"]),
                kind=e["kind"],
                aliases=tuple(e.get("aliases", ())),
                acronym=e.get("acronym"),
                area=e.get("area"),
            ))
    return tuple(out)


def gazetteer() -> list[Term]:
    """Forces, partners, units, roles, programmes and legislation, merged."""
    return list(_gazetteer())


@lru_cache(maxsize=1)
def _acronyms() -> tuple[tuple[str, str], ...]:
    return tuple(_json(ACRONYMS_JSON).items())


def acronyms() -> dict[str, str]:
    """Common policing acronyms -> long form (the caller may mutate the copy)."""
    return dict(_acronyms())


def _bind(g: Graph) -> Graph:
    for prefix, ns in (("peel", PEEL), ("theme", THEME), ("skos", SKOS), ("prov", PROV),
                       ("owl", OWL), ("rdfs", RDFS), ("xsd", XSD)):
        g.bind(prefix, ns)
    return g


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    g = Graph()
    g.parse(PEEL_TTL, format="turtle")
    g.parse(THEMES_TTL, format="turtle")
    return g


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


def _copy(src: Graph) -> Graph:
    g = Graph()
    for prefix, ns in src.namespaces():
        g.bind(prefix, ns, override=False)
    g += src
    return _bind(g)


def ontology_graph() -> Graph:
    """peel.ttl + themes.ttl, as a fresh copy (safe to add data to)."""
    return _copy(_ontology())


def shapes_graph() -> Graph:
    """The SHACL shapes, as a fresh copy."""
    return _copy(_shapes())


@lru_cache(maxsize=1)
def legend() -> dict[str, Any]:
    """Node fills and relation strokes: the one legend the page, SVG, PNG and PPTX all draw with."""
    data = json.loads(LEGEND_JSON.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


@lru_cache(maxsize=1)
def thesaurus() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(official terms, lay words) groups: what reports say and what people ask, for query expansion."""
    data = json.loads(THESAURUS_JSON.read_text(encoding="utf-8"))
    return [(tuple(g["official"]), tuple(g["lay"])) for g in data["groups"]]


@dataclass(frozen=True)
class InspectionProgramme:
    """An inspection programme: its name (``label``) and the wordings that name it in a title (``aliases``)."""

    key: str
    label: str
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def inspection_programmes() -> dict[str, InspectionProgramme]:
    """The inspection programmes of peel.ttl, by local name ("PeelEffectiveness", "GradedPeel" ...)."""
    g = _ontology()
    out = {}
    for s in sorted(g.subjects(RDF.type, PEEL.InspectionProgramme), key=str):
        key = str(s)[len(str(PEEL)):]
        out[key] = InspectionProgramme(key, str(g.value(s, RDFS.label)),
                                       tuple(sorted(str(a) for a in g.objects(s, PEEL.alias))))
    return out
