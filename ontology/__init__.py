"""peelgraph ontology package."""
