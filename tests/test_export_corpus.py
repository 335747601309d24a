"""Exports of the bundled corpus: the flagship question's slides, a theme, and one IRI per node everywhere.

The slide checks are geometric (read back from the PPTX itself) so they hold in
any renderer; when LibreOffice is installed (``make office``) slide 1 is also
rendered to ``tests/artifacts/flagship_slide.png`` for a person to look at.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from pptx import Presentation
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from graph.export import layout
from graph.export.shape import normalise
from graph.rdf import iri
from test_export_pictures import check_scene, glued_pairs  # tests/ is on sys.path (no __init__.py)

FLAGSHIP = "How did the removal of neighbourhood officers affect the disruption of organised crime?"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def flagship(corpus_service: Any) -> dict[str, Any]:
    return corpus_service.select(question=FLAGSHIP)


@pytest.fixture(scope="module")
def deck(corpus_service: Any) -> bytes:
    return corpus_service.export("pptx", question=FLAGSHIP)[0]


def _rect(shape: Any) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.width, shape.height


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_flagship_slides_geometry(deck: bytes, flagship: dict[str, Any]) -> None:
    prs = Presentation(io.BytesIO(deck))
    assert len(prs.slides) <= 3
    slide = prs.slides[0]
    boxes = [s for s in slide.shapes if s.name.startswith("node:")]
    assert len(boxes) >= 4
    for i, a in enumerate(boxes):  # no two boxes intersect
        for b in boxes[i + 1:]:
            assert not _overlap(_rect(a), _rect(b)), (a.name, b.name)
    title = next(s for s in slide.shapes if s.name == "Title")
    assert title.text_frame.text == FLAGSHIP
    for s in slide.shapes:  # the title intersects nothing
        if s.shape_id != title.shape_id:
            assert not _overlap(_rect(title), _rect(s)), s.name
    edges = {frozenset((e["source"], e["target"])) for e in flagship["edges"]
             if e["source"] != e["target"] and {e["source"], e["target"]} <= {b.name[5:] for b in boxes}}
    assert glued_pairs(slide) == edges  # every connector glued at both ends, every drawn relation joined
    drawn = {b.name[5:] for b in boxes}
    connected = {end for e in flagship["edges"] for end in (e["source"], e["target"]) if e["source"] != e["target"]}
    assert drawn <= connected  # only nodes joined by a relation
    others = [n for n in flagship["nodes"] if n["id"] not in drawn]
    if others:
        line = next(s for s in slide.shapes if s.name == "Also mentioned").text_frame.text
        assert line.startswith("Also mentioned: ") and layout.clean_text(others[0]["label"])[:10] in line


def test_flagship_scene_routes_around_boxes(flagship: dict[str, Any]) -> None:
    check_scene(layout.scene(normalise(flagship)))


def test_flagship_evidence_and_notes(deck: bytes, flagship: dict[str, Any]) -> None:
    prs = Presentation(io.BytesIO(deck))
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert FLAGSHIP in notes
    quoted = [e for e in flagship["edges"] if e["type"] not in ("about_theme", "mentions") and e["evidence"]]
    evidence = " ".join(s.text_frame.text for sl in list(prs.slides)[1:] for s in sl.shapes if s.has_text_frame)
    for e in quoted:  # each quoted relation: one of its quotes (the one naming both ends), report, year, paragraph
        ev = next((x for x in e["evidence"] if layout.clean_text(x["quote"]) in evidence), None)
        assert ev is not None, e["evidence"]
        assert ev["year"] in evidence
        if ev.get("paragraph") is not None:
            assert f"paragraph {ev['paragraph']}" in evidence
        assert f"[{ev['passage_id']}]" in notes
    assert "about theme" not in evidence


OFFICE = shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_office = pytest.mark.skipif(not OFFICE, reason="LibreOffice and poppler not installed (make office)")


def _render(deck: bytes, tmp_path: Path, name: str) -> Path:
    """The deck as PDF through LibreOffice (a private profile, so parallel runs do not collide)."""
    (tmp_path / f"{name}.pptx").write_bytes(deck)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(tmp_path / f"{name}.pptx")],
                   check=True, capture_output=True, timeout=180)
    return tmp_path / f"{name}.pdf"


def _words_outside_their_box(deck: bytes, pdf: Path) -> list[str]:
    """Words of each node's label that LibreOffice laid out outside that node's box (overflowing text)."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', xml)]
    bad = []
    for shape in (s for s in Presentation(io.BytesIO(deck)).slides[0].shapes if s.name.startswith("node:")):
        x0, y0 = shape.left / 12700, shape.top / 12700  # EMU to points, as in the PDF
        x1, y1 = x0 + shape.width / 12700, y0 + shape.height / 12700
        near = [w for w in words if x0 - 2 <= (w[0] + w[2]) / 2 <= x1 + 2 and y0 - 30 <= (w[1] + w[3]) / 2 <= y1 + 30]
        inside = [w for w in near if y0 - 0.5 <= w[1] and w[3] <= y1 + 0.5 and x0 <= w[0] and w[2] <= x1]
        expected = len(shape.text_frame.text.split())
        if len(inside) < expected:
            bad.append(f"{shape.name}: {len(inside)} of {expected} words inside")
    return bad


@needs_office
def test_flagship_slide_renders_in_libreoffice(deck: bytes, tmp_path: Path) -> None:
    from PIL import Image

    pdf = _render(deck, tmp_path, "flagship")
    assert _words_outside_their_box(deck, pdf) == []  # every label fits its box as rendered
    subprocess.run(["pdftoppm", "-png", "-r", "120", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "slide")], check=True, timeout=60)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "slide.png", ARTIFACTS / "flagship_slide.png")
    img = Image.open(ARTIFACTS / "flagship_slide.png").convert("RGB")
    assert img.width * 9 == pytest.approx(img.height * 16, rel=0.01)
    colours = {c for _, c in img.getcolors(maxcolors=1 << 22) or []}
    assert (0xd6, 0x27, 0x28) in colours  # the issue boxes are painted in the legend's colour


@needs_office
def test_theme_slide_labels_fit_in_libreoffice(corpus_service: Any, tmp_path: Path) -> None:
    deck = corpus_service.export("pptx", theme="neighbourhood-policing")[0]
    assert _words_outside_their_box(deck, _render(deck, tmp_path, "theme")) == []


def test_theme_export_is_capped_and_readable(corpus_service: Any) -> None:
    sg = corpus_service.select(theme="neighbourhood-policing")
    sc = layout.scene(normalise(sg))
    assert 2 <= len(sc.boxes) <= layout.MAX_NODES
    check_scene(sc)
    if len(sc.boxes) < len(sg["nodes"]):
        assert sc.mentioned.startswith("Also mentioned: ")
    for b in sc.boxes:  # labels whole, or cut after a whole word
        words = {w.rstrip(",;:.") for w in layout.clean_text(b.label).split()}
        assert all(w.rstrip(",;:.") in words for line in b.lines for w in line.removesuffix("…").split()), b.lines


def test_one_iri_per_node_in_sparql_and_every_export(corpus_service: Any, flagship: dict[str, Any]) -> None:
    ids = [n["id"] for n in flagship["nodes"]]
    want = {i: str(iri(i)) for i in ids}
    rows = corpus_service.sparql("SELECT ?s ?id WHERE { ?s <http://purl.org/dc/terms/identifier> ?id }")["rows"]
    sparql = {r["id"]["value"]: r["s"]["value"] for r in rows if r["id"]["value"] in want}
    assert sparql == want
    node_ids = {"node_ids": ids}
    for fmt in ("turtle", "jsonld"):
        g = Graph().parse(data=corpus_service.export(fmt, **node_ids)[0].decode(), format="json-ld" if fmt ==
                          "jsonld" else "turtle")
        assert {str(o): str(s) for s, o in g.subject_objects(DCTERMS.identifier) if str(o) in want} == want, fmt
        assert all((URIRef(v), None, None) in g for v in want.values())
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        g = read(io.BytesIO(corpus_service.export(fmt, **node_ids)[0]))
        assert {n: d["iri"] for n, d in g.nodes(data=True)} == want, fmt
    cypher = corpus_service.export("cypher", **node_ids)[0].decode()
    found = dict(re.findall(r"MERGE \(n:PeelNode \{id: '((?:[^'\\]|\\.)*)'\}\).*?n\.iri = '((?:[^'\\]|\\.)*)'",
                            cypher))
    assert found == want
    data = json.loads(corpus_service.export("json", **node_ids)[0])
    assert {n["id"]: n["iri"] for n in data["nodes"]} == want
