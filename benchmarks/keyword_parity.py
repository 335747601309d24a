"""Keyword-only ranking on SQLite (FTS5 BM25) and PostgreSQL, side by side, on a question set.

Both stores hold the same corpus. For each question the keyword side of search
(``mode=keyword``) runs on both; the script prints the search metrics of each
(definitions: ../shared/eval/README.md), the mean overlap of their top 10
passages, how often the first hit is the same passage, and how often the top
10 are the same passages in the same order. A PostgreSQL database that is empty
is built first (the SQLite store too), so one call measures from nothing.

    python benchmarks/keyword_parity.py --store DIR --database-url postgresql://... [--qa PATH]
                                        [--encoder hash|minilm] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from answers import DEFAULT_QA, search_scores  # noqa: E402


def keyword_hits(service, question: str, k: int = 10) -> list[tuple[str, str]]:
    """(passage id, text) of the keyword-only top ``k``."""
    return [(h["passage_id"], h["text"]) for h in service.search(question, k=k, mode="keyword")["hits"]]


def open_service(store: Path, encoder: str, database_url: str | None):
    """A service over the store, built from the bundled corpus if it holds no report."""
    from api.service import Service
    from api.settings import Settings

    service = Service(Settings(store=store, encoder=encoder, database_url=database_url))
    if not service.reports():
        service.build()
    return service


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qa", default=str(DEFAULT_QA))
    ap.add_argument("--store", required=True, help="the SQLite store directory (built if empty)")
    ap.add_argument("--database-url", required=True, help="the PostgreSQL store (built if empty)")
    ap.add_argument("--encoder", default="hash", help="keyword ranking does not use it; hash builds fastest")
    ap.add_argument("--verbose", action="store_true", help="print the questions whose top 10 differ")
    args = ap.parse_args(argv)

    questions = [json.loads(line) for line in open(args.qa, encoding="utf-8") if line.strip()]
    lite = open_service(Path(args.store), args.encoder, None)
    pg = open_service(Path(args.store) / "unused-by-postgres", args.encoder, args.database_url)
    a = [keyword_hits(lite, q["question"]) for q in questions]
    b = [keyword_hits(pg, q["question"]) for q in questions]

    n = len(questions) or 1
    overlap = sum(len({p for p, _ in x} & {p for p, _ in y}) / max(1, min(10, len(x))) for x, y in zip(a, b)) / n
    same_first = sum(bool(x) and bool(y) and x[0][0] == y[0][0] for x, y in zip(a, b)) / n
    same_order = sum([p for p, _ in x] == [p for p, _ in y] for x, y in zip(a, b)) / n
    cols = ["Hit@1", "Hit@5", "Recall@10", "MRR@10"]
    print(f"{len(questions)} questions from {args.qa}\n")
    print(f"{'keyword only':<14}" + "".join(f"{c:>10}" for c in cols))
    for label, ranked in (("SQLite", a), ("PostgreSQL", b)):
        s = search_scores(questions, [[t for _, t in r] for r in ranked])
        print(f"{label:<14}" + "".join(f"{s[c]:10.3f}" for c in cols))
    print(f"\ntop-10 overlap {overlap:.3f}; same first hit {same_first:.3f}; "
          f"same top 10 in the same order {same_order:.3f}")
    if args.verbose:
        for q, x, y in zip(questions, a, b):
            ids = [p for p, _ in x], [p for p, _ in y]
            if ids[0] != ids[1]:
                print(f"\n{q['id']} {q['question']}\n  sqlite {ids[0][:5]}\n  pg     {ids[1][:5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
