"""The registry of export formats: one writer per format, each in the module of its family.

``export(subgraph, fmt)`` returns ``(bytes, media type, file name)``. Every
format keeps the node and edge attributes it can hold; pictures (SVG, PNG,
PPTX) share one drawing, ``graph.export.layout.scene``; Turtle and JSON-LD come
from the one RDF writer, ``graph.rdf``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from graph import rdf
from graph.errors import InvalidParameter
from graph.export import pictures, scripts, slides, tables, xml
from graph.export.shape import file_name, normalise


class Writer(NamedTuple):
    media: str
    ext: str
    write: Callable[[dict[str, Any]], bytes]


WRITERS: dict[str, Writer] = {
    "graphml": Writer("application/graphml+xml", "graphml", xml.to_graphml),
    "gexf": Writer("application/gexf+xml", "gexf", xml.to_gexf),
    "json": Writer("application/json", "json", tables.to_node_link),
    "cytoscape": Writer("application/json", "cyjs", tables.to_cytoscape),
    "csv": Writer("application/zip", "zip", tables.to_csv_zip),
    "turtle": Writer("text/turtle", "ttl", rdf.turtle),
    "jsonld": Writer("application/ld+json", "jsonld", rdf.jsonld),
    "cypher": Writer("application/x-cypher-query", "cypher", scripts.to_cypher),
    "mermaid": Writer("text/vnd.mermaid", "mmd", scripts.to_mermaid),
    "dot": Writer("text/vnd.graphviz", "dot", scripts.to_dot),
    "svg": Writer("image/svg+xml", "svg", pictures.to_svg),
    "png": Writer("image/png", "png", pictures.to_png),
    "pptx": Writer("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx",
                   slides.to_pptx),
}
FORMATS: dict[str, tuple[str, str]] = {k: (w.media, w.ext) for k, w in WRITERS.items()}


def export(subgraph: dict[str, Any], fmt: str) -> tuple[bytes, str, str]:
    """(file bytes, media type, file name) for one format of ``FORMATS``."""
    key = str(fmt or "").lower().strip()
    if key not in WRITERS:
        raise InvalidParameter(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}",
                               {"format": fmt, "formats": list(FORMATS)})
    sg = normalise(subgraph)
    w = WRITERS[key]
    return w.write(sg), w.media, f"{file_name(sg['title'])}.{w.ext}"
