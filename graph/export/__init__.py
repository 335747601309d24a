"""Subgraph writers: one registry of formats, one drawing description for SVG, PNG and PPTX."""
from graph.export.writers import FORMATS, export

__all__ = ["FORMATS", "export"]
