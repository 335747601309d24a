"""Subgraph writers: one registry of formats, one drawing description for SVG, PNG and PPTX."""
from graph.export.registry import FORMATS, WRITERS, export

__all__ = ["FORMATS", "WRITERS", "export"]
