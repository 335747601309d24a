"""peelgraph ontology package: the vocabulary, themes, gazetteers and shapes."""

from ontology.terms import (
    ACRONYMS_JSON, FINDING_POLARITIES, GRADES, KINDS, ORGANISATIONS_JSON, PEEL, PEEL_TTL,
    PROGRAMMES_JSON, PROV, RELATION_POLARITIES, RELATION_TYPES, ROLES_JSON, SHAPES_TTL, SKOS,
    TERM_CLASSES, TERM_TYPES, THEME, THEME_KEYWORDS_JSON, THEME_SCHEME, THEMES_TTL, UNITS_JSON,
    Term, Theme, acronyms, gazetteer, legend, thesaurus, ontology_graph, relation_iri, shapes_graph, themes,
)
from ontology.terms import InspectionProgramme, inspection_programmes

__all__ = [
    "ACRONYMS_JSON", "FINDING_POLARITIES", "GRADES", "KINDS", "ORGANISATIONS_JSON", "PEEL",
    "PEEL_TTL", "PROGRAMMES_JSON", "PROV", "RELATION_POLARITIES", "RELATION_TYPES", "ROLES_JSON",
    "SHAPES_TTL", "SKOS", "TERM_CLASSES", "TERM_TYPES", "THEME", "THEME_KEYWORDS_JSON",
    "THEME_SCHEME", "THEMES_TTL", "UNITS_JSON", "Term", "Theme", "acronyms", "gazetteer",
    "legend", "ontology_graph", "relation_iri", "shapes_graph", "themes", "thesaurus",
    "InspectionProgramme", "inspection_programmes",
]
