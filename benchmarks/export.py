"""Time every export format on the answer subgraph of a real question (and a synthetic one),
and measure how the slide reads: slides, boxes drawn, overlaps, connectors through boxes or unglued.

The default subgraph is what `POST /api/export {"question": ...}` exports: the
answer subgraph of QUESTION over the store in PEELGRAPH_STORE (data/build by
default; build it first with `peelgraph build`). `--synthetic` uses a
generated subgraph of --nodes/--edges instead. Run:
``.venv/bin/python benchmarks/export.py [--question Q] [--synthetic] [--repeat R]``.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.export import FORMATS, export  # noqa: E402
from graph.export.layout import NODE_TYPES, RELATION_STYLES  # noqa: E402

WORDS = ("neighbourhood officers demand crime prevention victims safeguarding partners training "
         "supervision investigations backlog call handling workforce capacity vulnerable people").split()


def synthetic(n_nodes: int = 40, n_edges: int = 80, seed: int = 7) -> dict[str, Any]:
    """A connected, evidenced subgraph with the shape of a real answer."""
    rnd = random.Random(seed)
    reports = [{"report_id": f"r{i}", "title": f"Inspection report {i}", "year": y, "force": "A police force"}
               for i, y in enumerate(("2015", "2018/19"))]
    types = list(NODE_TYPES)
    nodes = [{"id": f"{types[i % len(types)]}:{i}",
              "label": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 8))),
              "type": types[i % len(types)], "themes": rnd.sample(["crime-prevention", "victim-care",
                                                                      "neighbourhood-policing"], 2),
              "reports": ["r1"], "years": ["2018/19"], "polarity": rnd.choice([None, "weakness", "strength"])}
             for i in range(n_nodes)]
    edges = []
    for j in range(n_edges):
        a = nodes[j % n_nodes] if j < n_nodes else rnd.choice(nodes)
        b = rnd.choice([n for n in nodes if n is not a])
        edges.append({"id": f"rel:{j}", "source": a["id"], "target": b["id"], "type": rnd.choice(list(RELATION_STYLES)),
                      "polarity": rnd.choice(["negative", "positive", "neutral"]), "rule": "cause-cue:synthetic",
                      "evidence": [{"passage_id": f"r1:p{j}", "report_id": "r1", "year": "2018/19",
                                    "section": "Effectiveness > Preventing crime", "paragraph": j,
                                    "quote": " ".join(rnd.choice(WORDS) for _ in range(30)) + "."}]})
    return {"title": "How did the removal of neighbourhood officers affect crime prevention?",
            "reports": reports, "nodes": nodes, "edges": edges}


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def slide_quality(sg: dict[str, Any]) -> dict[str, Any]:
    """What a reader of slide 1 would notice, read back from the PPTX and from the drawing."""
    import io

    from pptx import Presentation

    from graph.export import layout
    from graph.export.shape import normalise

    prs = Presentation(io.BytesIO(export(sg, "pptx")[0]))
    shapes = list(prs.slides[0].shapes)
    rect = {s.shape_id: (s.left, s.top, s.width, s.height) for s in shapes}
    boxes = [s.shape_id for s in shapes if s.name.startswith("node:")]
    title = next(s.shape_id for s in shapes if s.name == "Title")
    conns = [s for s in shapes if s.name.startswith("edge:")]
    glued = sum(1 for c in conns if c._element.find(".//{*}stCxn") is not None
                and c._element.find(".//{*}endCxn") is not None)
    sc = layout.scene(normalise(sg))
    through = sum(1 for st in sc.strokes for a, b in zip(st.points, st.points[1:]) for bx in sc.boxes
                  if min(a[0], b[0]) < bx.right - 1 and max(a[0], b[0]) > bx.left + 1
                  and min(a[1], b[1]) < bx.top + bx.h - 1 and max(a[1], b[1]) > bx.top + 1)
    return {"slides": len(prs.slides), "nodes drawn": f"{len(boxes)} of {len(sg['nodes'])}",
            "box overlaps": sum(_overlap(rect[a], rect[b]) for i, a in enumerate(boxes) for b in boxes[i + 1:]),
            "title overlaps": sum(_overlap(rect[title], rect[s.shape_id]) for s in shapes if s.shape_id != title),
            "connectors glued at both ends": f"{glued} of {len(conns)}",
            "connector runs through a box": through,
            "labels shortened (…)": sum(1 for b in sc.boxes if b.lines and b.lines[-1].endswith("…")),
            "smallest label (pt)": min((b.size * 0.6 for b in sc.boxes), default=0)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=40)
    ap.add_argument("--edges", type=int, default=80)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--question", default="How did the removal of neighbourhood officers affect the disruption "
                                          "of organised crime?")
    args = ap.parse_args()
    if args.synthetic:
        sg = synthetic(args.nodes, args.edges)
    else:
        from api.service import Service
        from api.settings import Settings

        svc = Service(Settings())
        t = time.perf_counter()
        sg = svc.select(question=args.question)
        print(f"question: {args.question}\nselecting the answer subgraph (ask + graph): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms (first call, includes model load)")
    print(f"subgraph: {len(sg['nodes'])} nodes, {len(sg['edges'])} edges; median of {args.repeat} runs")
    print(f"{'format':<10} {'ms':>9} {'bytes':>10}")
    total = 0.0
    for fmt in FORMATS:
        times, size = [], 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            data, _, _ = export(sg, fmt)
            times.append((time.perf_counter() - t) * 1000)
            size = len(data)
        med = statistics.median(times)
        total += med
        print(f"{fmt:<10} {med:9.1f} {size:10d}")
    print(f"{'all':<10} {total:9.1f}")
    print("slide 1, as a reader sees it:")
    for key, value in slide_quality(sg).items():
        print(f"  {key:<32} {value}")


if __name__ == "__main__":
    main()
