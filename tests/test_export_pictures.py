"""The pictures (SVG, PNG) and the slides (PPTX): one drawing, checked by its geometry.

The fixture is ``test_export``'s subgraph, whose labels carry the characters
that break naive writers; ``check_scene`` and ``glued_pairs`` are also used on
the bundled corpus by ``test_export_corpus``.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from PIL import Image
from pptx import Presentation

from graph.export import export, layout
from graph.export.shape import normalise as _normalise
from test_export import _labels, _subgraph  # tests/ is on sys.path (no __init__.py)


@pytest.fixture(scope="module")
def sg() -> dict[str, Any]:
    return _subgraph()


@pytest.fixture(scope="module")
def out(sg: dict[str, Any]) -> dict[str, bytes]:
    return {fmt: export(sg, fmt)[0] for fmt in ("svg", "png", "pptx")}


# ----------------------------------------------------------------- pictures --

def _connected(sg: dict[str, Any]) -> set[str]:
    return {end for e in sg["edges"] if e["source"] != e["target"] for end in (e["source"], e["target"])}


def test_svg(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    root = ET.fromstring(out["svg"])
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("viewBox") == f"0 0 {layout.WIDTH} {layout.HEIGHT}"
    nodes = root.findall(f".//{ns}g[@class='node']")
    assert {g.get("data-id") for g in nodes} == _connected(sg)  # only nodes joined by a relation
    titles = {g.get("data-id"): g.find(f"{ns}title").text for g in nodes}
    assert titles == {k: layout.clean_text(v) for k, v in _labels(sg).items() if k in _connected(sg)}
    words = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "Zoë – café" in words and "<b>&amp;</b>" in words and "Neighbourhood teams" in words
    assert "Also mentioned: Requires improvement" in words  # the unconnected judgment
    groups = root.findall(f".//{ns}g[@class='edge']")
    drawn = [i for g in groups for i in g.get("data-ids").split()]
    assert sorted(drawn) == sorted(e["id"] for e in sg["edges"])  # every relation is in some stroke
    assert layout.clean_text(sg["title"]) in words and "Sources: PEEL 2018/19" in words
    assert "Issue" in words and "partners with" in words and "negative" in words  # the legend
    dashed = [g for g in groups if g.get("data-polarity") == "negative"]
    negative = layout.edge_style("affects", "negative").colour
    assert dashed and all(g.find(f"{ns}path").get("stroke") == negative for g in dashed)
    assert all(g.find(f"{ns}path").get("stroke-dasharray") for g in dashed)


def test_png(out: dict[str, bytes]) -> None:
    img = Image.open(io.BytesIO(out["png"]))
    assert img.format == "PNG" and img.size == (layout.WIDTH, layout.HEIGHT)
    colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert (0xd6, 0x27, 0x28) in colours  # the fill is painted


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two (left, top, width, height) rectangles share any area."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _crosses(p: tuple[float, float], q: tuple[float, float], box: layout.Box) -> bool:
    """Whether an axis-parallel segment runs through the inside of a box."""
    (x0, x1), (y0, y1) = sorted((p[0], q[0])), sorted((p[1], q[1]))
    return x0 < box.right - 1 and x1 > box.left + 1 and y0 < box.top + box.h - 1 and y1 > box.top + 1


def check_scene(sc: layout.Scene) -> None:
    """The geometry a reader relies on: boxes apart, inside the slide, clear of the title, and no connector
    through a box: each path's control polygon (which holds its curve) is made of horizontal and vertical
    runs that stay out of every box."""
    rects = {b.id: (b.left, b.top, b.w, b.h) for b in sc.boxes}
    for i, p in enumerate(sc.boxes):
        assert 0 <= p.left and p.right <= layout.WIDTH - layout.LEGEND_W and 0 <= p.top
        assert p.top + p.h <= sc.footer_y
        assert not _overlap(rects[p.id], sc.title_box)
        for q in sc.boxes[i + 1:]:
            assert not _overlap(rects[p.id], rects[q.id]), (p.id, q.id)
    for s in sc.strokes:
        for a, b in zip(s.points, s.points[1:]):
            assert a[0] == b[0] or a[1] == b[1], s.points  # axis-parallel
            for box in sc.boxes:
                assert not _crosses(a, b, box), (s.ids, box.id)


def test_layout_is_deterministic_and_routed_around_boxes(sg: dict[str, Any]) -> None:
    a, b = layout.scene(_normalise(sg)), layout.scene(_normalise(sg))
    assert [(x.x, x.y) for x in a.boxes] == [(x.x, x.y) for x in b.boxes]
    check_scene(a)
    big = layout.scene(_normalise(_big(40, 60)))
    check_scene(big)


def test_labels_wrap_between_words_and_title_fits() -> None:
    long = "supervision of investigations by detective sergeants in the public protection unit was inconsistent"
    title = "What did the inspectorate say about " + "the supervision of investigations " * 6 + "?"
    sc = layout.scene(_normalise({"title": title, "nodes": [{"id": "a", "label": long}, {"id": "b", "label": "b"}],
                                  "edges": [{"source": "a", "target": "b", "type": "affects"}]}))
    words = set(long.split())
    for line in next(x for x in sc.boxes if x.id == "a").lines:
        assert all(w in words for w in line.removesuffix("…").split()), line  # whole words only
    assert len(sc.title_lines) <= 2 and all(w in title.split() for w in " ".join(sc.title_lines)
                                             .removesuffix("…").split())
    _, y, _, h = sc.title_box
    assert h >= len(sc.title_lines) * sc.title_size and all(b.top > y + h for b in sc.boxes)


def _big(n_nodes: int, n_edges: int) -> dict[str, Any]:
    types = list(layout.NODE_TYPES)
    rels = list(layout.RELATION_STYLES)
    nodes = [{"id": f"n{i}", "label": f"node number {i} with a fairly long label to wrap",
              "type": types[i % len(types)]} for i in range(n_nodes)]
    edges = [{"id": f"e{j}", "source": f"n{(j * 7) % n_nodes}", "target": f"n{(j * 13 + 1) % n_nodes}",
              "type": rels[j % len(rels)], "polarity": ("negative", "positive", "neutral")[j % 3]}
             for j in range(n_edges)]
    return {"title": "Big", "nodes": nodes, "edges": edges}


def test_large_subgraph_is_capped_and_says_so() -> None:
    sc = layout.scene(_normalise(_big(90, 150)))
    assert 2 <= len(sc.boxes) <= layout.MAX_NODES and sc.truncated
    assert sc.mentioned.startswith("Also mentioned: ") and sc.mentioned.endswith(" more")
    root = ET.fromstring(export(_big(90, 150), "svg")[0])
    assert sc.mentioned in " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    check_scene(sc)


# -------------------------------------------------------------------- PPTX --

NS = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


def glued_pairs(slide: Any) -> set[frozenset[str]]:
    """The node pairs the connectors join, following waypoints; every connector must be glued at both ends."""
    names = {s.shape_id: s.name for s in slide.shapes}
    ends: list[tuple[str, str]] = []
    for c in (s for s in slide.shapes if s.name.startswith("edge:")):
        st = c._element.find(".//p:nvCxnSpPr/p:cNvCxnSpPr/a:stCxn", NS)
        end = c._element.find(".//p:nvCxnSpPr/p:cNvCxnSpPr/a:endCxn", NS)
        assert st is not None and end is not None, c.name  # glued at both ends
        ends.append((names[int(st.get("id"))], names[int(end.get("id"))]))
    into = {b: a for a, b in ends if b.startswith("waypoint:")}
    pairs = set()
    for a, b in ends:
        if not b.startswith("waypoint:"):
            assert not a.startswith("waypoint:") or a in into
            pairs.add(frozenset((into.get(a, a).removeprefix("node:"), b.removeprefix("node:"))))
    return pairs


def test_pptx(sg: dict[str, Any], out: dict[str, bytes]) -> None:
    prs = Presentation(io.BytesIO(out["pptx"]))
    assert prs.slide_width * 9 == prs.slide_height * 16
    slide = prs.slides[0]
    nodes = {s.name.removeprefix("node:"): s for s in slide.shapes if s.name.startswith("node:")}
    assert set(nodes) == _connected(sg)
    for n in sg["nodes"]:
        if n["id"] in nodes:
            text, label = nodes[n["id"]].text_frame.text, layout.clean_text(n["label"])
            assert text == label or (text.endswith("…") and label.startswith(text[:-1]))
            assert nodes[n["id"]]._element.nvSpPr.cNvPr.get("descr") == label  # the whole label as alt text
            assert nodes[n["id"]].shape_type == 1  # an editable auto shape, not a picture
    assert not [s for s in slide.shapes if s.shape_type == 13]  # no pictures anywhere
    assert glued_pairs(slide) == {frozenset((e["source"], e["target"])) for e in sg["edges"]}
    for c in (s for s in slide.shapes if s.name.startswith("edge:") and not s.name.endswith("#lead")):
        ln = c._element.find(".//a:ln", NS)
        assert ln.find("a:tailEnd", NS) is not None or ln.find("a:headEnd", NS) is not None  # an arrowhead
    texts = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert layout.clean_text(sg["title"]) in texts and "Issue" in texts and "Sources:" in texts
    evidence = " ".join(s.text_frame.text for sl in list(prs.slides)[1:] for s in sl.shapes if s.has_text_frame)
    assert "However, we saw signs that \"the removal\" isn't \\ <good> & Zoë – café. Second line." in evidence
    assert "PEEL 2018/19 – Force Ä, 2018/19, paragraph 3" in evidence
    assert "Prevention." not in evidence  # about_theme: a tag, not evidence of a link
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert layout.clean_text(sg["title"]) in notes
    assert "PEEL 2018/19 – Force Ä (2018/19), Effectiveness > Preventing crime, para 3 [r-2019:p12]" in notes


def test_pptx_paginates_long_evidence() -> None:
    big = _big(10, 30)
    for e in big["edges"]:
        e["evidence"] = [{"passage_id": f"p{e['id']}", "report_id": "r", "quote": "word " * 60, "paragraph": 1}]
    prs = Presentation(io.BytesIO(export(big, "pptx")[0]))
    assert len(prs.slides) > 2
    assert "(1 of" in " ".join(s.text_frame.text for s in prs.slides[1].shapes if s.has_text_frame)
    for sl in list(prs.slides)[1:]:
        body = next(s for s in sl.shapes if s.name == "Evidence").text_frame.text
        assert 1 <= body.count("→") // 2 <= 6  # at most six relations a slide
