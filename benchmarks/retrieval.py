"""Retrieval quality on the dev QA set, scored on the system's own passages.

Prints BM25-only, dense-only and the hybrid system side by side (Hit@1,
Hit@5, Recall@10, MRR@10), with the naive baselines from DESIGN.md.

    python benchmarks/retrieval.py [--qa PATH] [--store DIR]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_QA = ROOT.parent / "shared" / "eval" / "dev_qa.jsonl"
BASELINES = [  # DESIGN.md: 800-character chunks, Hit@5 / Recall@10 / MRR@10
    ("naive BM25 (800-char chunks)", None, 0.63, 0.63, 0.46),
    ("naive MiniLM dense", None, 0.75, 0.69, 0.43),
    ("naive txtai hybrid", None, 0.69, 0.69, 0.52),
]


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def score(questions: list[dict], ranked: list[list[str]]) -> dict[str, float]:
    """README rules: an evidence string is hit when it is a substring of a returned passage."""
    h1 = h5 = rec = mrr = 0.0
    for q, texts in zip(questions, ranked):
        ev = [_ws(e) for e in q["evidence"]]
        texts = [_ws(t) for t in texts]
        first = next((r for r, t in enumerate(texts[:10], 1) if any(e in t for e in ev)), None)
        h1 += bool(first and first <= 1)
        h5 += bool(first and first <= 5)
        mrr += 1 / first if first else 0.0
        rec += sum(any(e in t for t in texts[:10]) for e in ev) / len(ev)
    n = len(questions) or 1
    return {"Hit@1": h1 / n, "Hit@5": h5 / n, "Recall@10": rec / n, "MRR@10": mrr / n}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qa", default=str(DEFAULT_QA))
    ap.add_argument("--store", default=None, help="a built store (default: build the bundled corpus in a temp dir)")
    ap.add_argument("--encoder", default="minilm")
    ap.add_argument("--verbose", action="store_true", help="print each question's first hit rank per system")
    args = ap.parse_args(argv)

    from api.service import Service
    from api.settings import Settings

    questions = [json.loads(line) for line in open(args.qa, encoding="utf-8") if line.strip()]
    tmp = None
    if args.store is None:
        tmp = tempfile.TemporaryDirectory(prefix="peelgraph-bench-")
        store = Path(tmp.name)
    else:
        store = Path(args.store)
    service = Service(Settings(store=store, encoder=args.encoder))
    t0 = time.perf_counter()
    if not service.reports():
        service.build()
    service.search("warm up", k=1)
    print(f"store {store}: {len(service.reports())} reports, ready in {time.perf_counter() - t0:.1f} s\n")

    systems = [("BM25 only (system passages)", "keyword"), ("dense only (system passages)", "dense"),
               ("peelgraph hybrid", "hybrid")]
    rows = []
    per_question: dict[str, list] = {}
    for label, mode in systems:
        ranked = []
        for q in questions:
            hits = service.search(q["question"], k=10, mode=mode)["hits"]
            ranked.append([h["text"] for h in hits])
        s = score(questions, ranked)
        rows.append((label, s))
        for q, texts in zip(questions, ranked):
            ev = [_ws(e) for e in q["evidence"]]
            first = next((r for r, t in enumerate(texts, 1) if any(e in _ws(t) for e in ev)), None)
            per_question.setdefault(q["id"], []).append(first)

    print(f"{'system':<34} {'Hit@1':>6} {'Hit@5':>6} {'Rec@10':>7} {'MRR@10':>7}")
    for label, s in rows:
        print(f"{label:<34} {s['Hit@1']:6.3f} {s['Hit@5']:6.3f} {s['Recall@10']:7.3f} {s['MRR@10']:7.3f}")
    for label, _, h5, r10, mrr in BASELINES:
        print(f"{label:<34} {'-':>6} {h5:6.2f} {r10:7.2f} {mrr:7.2f}")
    hyb = rows[-1][1]
    ok = hyb["Hit@5"] >= 0.95 and hyb["Recall@10"] >= 0.90 and hyb["MRR@10"] >= 0.80
    print(f"\ntargets Hit@5 >= 0.95, Recall@10 >= 0.90, MRR@10 >= 0.80: {'met' if ok else 'NOT met'}"
          f" ({len(questions)} questions)")
    if args.verbose:
        print("\nfirst hit rank (keyword / dense / hybrid):")
        for qid, ranks in per_question.items():
            print(f"  {qid}: {' / '.join(str(r or '-') for r in ranks)}")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
