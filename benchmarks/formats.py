"""Every PEEL format, as text, HTML and PDF: force, period, graded judgments, partners and items.

The documents are ``benchmarks/formats/*.md`` (written for this benchmark,
one per PEEL round: 2015 effectiveness, 2016 legitimacy, 2017 efficiency,
2018/19 integrated, 2021/22 and 2023-25 graded areas), each rendered by
``format_docs`` in three formats; ``expected.json`` holds what a reader
finds in them. Recall is counted per format and per document:

- judgments: an expected (area, grade) is found when a judgment item has the
  grade and its question holds every key phrase (or it is the overall
  judgment and the expected one is marked overall);
- partners: a named partner is found when an entity's label or alias, or the
  surface of one of its mentions, is the same name (case, plural, "the");
- items: causes of concern, recommendations and areas for improvement,
  min(found, expected) / expected.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/formats.py [-v]``
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from format_docs import FORMATS, expected, names, render  # noqa: E402

from graph.extract import entities  # noqa: E402
from graph.ingest.load import load_bytes  # noqa: E402
from graph.ingest.pipeline import build_report  # noqa: E402
from graph.records import Report  # noqa: E402


def judgment_hits(report: Report, want: list[dict]) -> list[bool]:  # type: ignore[type-arg]
    got = [(i.question or "", i.grade, i.overall) for i in report.items if i.kind == "judgment"]
    hits = []
    for w in want:
        keys = [k.lower() for k in w["keys"]]
        hits.append(any(grade == w["grade"] and (all(k in q.lower() for k in keys) or (w.get("overall") and ov))
                        for q, grade, ov in got))
    return hits


def partner_hits(report: Report, want: list[str]) -> list[bool]:
    ex = entities.extract(report)
    keys: set[str] = set()
    for e in ex.entities.values():
        keys |= {entities.norm_key(x) for x in (e.label, *e.aliases)}
    keys |= {entities.norm_key(m.surface) for m in ex.mentions}
    return [entities.norm_key(w) in keys for w in want]


def item_recall(report: Report, want: dict[str, int]) -> tuple[int, int]:
    found = total = 0
    for kind, n in want.items():
        have = sum(1 for i in report.items if i.kind == kind)
        found += min(have, n)
        total += n
    return found, total


def run(verbose: bool) -> dict[str, dict[str, float]]:
    exp = expected()
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for name in names():
        want = exp[name]
        for fmt in FORMATS:
            report = build_report(load_bytes(render(name, fmt), f"{name}.{fmt}"))
            t = tally[fmt]
            meta_ok = (("force", report.meta.force == want["force"]), ("period", report.meta.year == want["year"]))
            for key, ok in meta_ok:
                t[key][0] += ok
                t[key][1] += 1
            j = judgment_hits(report, want["judgments"])
            p = partner_hits(report, want["partners"])
            f, n = item_recall(report, want.get("items", {}))
            for key, hits in (("judgments", j), ("partners", p)):
                t[key][0] += sum(hits)
                t[key][1] += len(hits)
            t["items"][0] += f
            t["items"][1] += n
            if verbose:
                _show(name, fmt, report, want, j, p)
    return {fmt: {k: a / b if b else 0.0 for k, (a, b) in t.items()} for fmt, t in tally.items()}


def _show(name: str, fmt: str, report: Report, want: dict,  # type: ignore[type-arg]
          j: list[bool], p: list[bool]) -> None:
    missed_j = [f"{w['keys']}={w['grade']}" for w, ok in zip(want["judgments"], j) if not ok]
    missed_p = [w for w, ok in zip(want["partners"], p) if not ok]
    print(f"{name}.{fmt}: force={report.meta.force!r} year={report.meta.year!r}")
    if missed_j:
        print("   missed judgments:", "; ".join(missed_j))
        print("   judgments found:", [(i.question, i.grade) for i in report.items if i.kind == "judgment"])
    if missed_p:
        print("   missed partners:", "; ".join(missed_p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="list what each document missed")
    args = ap.parse_args()
    figures = run(args.verbose)
    cols = ("force", "period", "judgments", "partners", "items")
    print(f"{'format':8}" + "".join(f"{c:>11}" for c in cols))
    for fmt in FORMATS:
        print(f"{fmt:8}" + "".join(f"{figures[fmt][c]:>11.2f}" for c in cols))
    allj = sum(figures[f]["judgments"] for f in FORMATS) / len(FORMATS)
    allp = sum(figures[f]["partners"] for f in FORMATS) / len(FORMATS)
    print(f"mean judgments recall {allj:.2f} (target 0.80), partners recall {allp:.2f} (target 0.80)")


if __name__ == "__main__":
    main()
