"""Every PEEL format, as text, HTML, PDF and DOCX: force, period, judgments, partners, entities and items.

Three sets of documents, each a folder of ``*.md`` written for these
benchmarks and rendered by ``format_docs`` in four formats, with an
``expected.json`` of what a reader finds in them:

- ``formats`` (``benchmarks/formats/``): one per PEEL round; the rules were
  developed against most of them, so their figures are not a test of new text;
- ``heldout`` (``benchmarks/heldout/``): other forces and rounds, annotated
  before any rule was changed, scored only before and after a round of rule
  changes (never used to fix a rule);
- ``dev`` (``benchmarks/dev/``): written separately to develop rules on;
- ``unseen``, ``unseen2``, ``unseen3`` (and ``unseen4``, by the rules' author): written by a teammate who had not read
  the rules, the first scored before any change, the others fresh after each
  round of changes (``benchmarks/unseen/README.md``); misses looked at only as counts.

Counted per format:

- judgments: an expected (area, grade) is found when a judgment item has the
  grade and its question holds every key phrase (or it is the overall
  judgment and the expected one is marked overall);
- partners: a named partner is found when an entity's label or alias, or the
  surface of one of its mentions, is the same name (case, plural, "the");
  partner precision: extracted partner entities that are a named partner,
  an annotated entity or an annotated generic one (``also_ok``), over all;
- entities (where annotated): partners and other units, roles, schemes and
  systems, recall the same way; precision over extracted unit, partner and
  programme entities;
- metrics: an annotated (value, words) is found when a metric has the value
  and its measure or surface holds the words;
- relations: found when a relation of the family has a quote containing the
  annotated one and labels holding the annotated words (first five letters);
- items: causes of concern, recommendations and areas for improvement,
  min(found, expected) / expected.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/formats.py [--set heldout] [-v]``
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from format_docs import FORMATS, SETS, expected, names, render  # noqa: E402

from graph.build import ReportGraph, extract_report  # noqa: E402
from graph.extract.entities import norm_key  # noqa: E402
from graph.ingest.load import load_bytes  # noqa: E402
from graph.ingest.pipeline import build_report  # noqa: E402
from graph.records import Report  # noqa: E402

COLS = ("force", "period", "judgments", "partners", "partner_prec", "entities", "entity_prec", "metrics",
        "relations", "items")
Tally = dict[str, list[int]]


def judgment_hits(report: Report, want: list[dict[str, Any]]) -> list[bool]:
    got = [(i.question or "", i.grade, i.overall) for i in report.items if i.kind == "judgment"]
    hits = []
    for w in want:
        keys = [k.lower() for k in w["keys"]]
        hits.append(any(grade == w["grade"] and (all(k in q.lower() for k in keys) or (w.get("overall") and ov))
                        for q, grade, ov in got))
    return hits


def _keys_by_entity(g: ReportGraph) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for e in g.entities.values():
        keys[e.id] |= {norm_key(x) for x in (e.label, *e.aliases)}
    for eid, _pid, _a, _b, surface in g.mentions:
        if surface:
            keys[eid].add(norm_key(surface))
    return keys


def name_hits(g: ReportGraph, want: list[str]) -> list[bool]:
    """Each annotated name: is some entity's label, alias or mention surface the same name?"""
    found = set().union(*_keys_by_entity(g).values()) if g.entities else set()
    return [norm_key(w) in found for w in want]


def precision(g: ReportGraph, types: tuple[str, ...], good: list[str]) -> tuple[int, int, list[str]]:
    """Extracted entities of ``types`` that are an annotated name: (right, all, the wrong labels)."""
    gold = {norm_key(x) for x in good}
    keys = _keys_by_entity(g)
    picked = [e for e in g.entities.values() if e.type in types]
    wrong = [f"{e.type}:{e.label}" for e in picked if not keys[e.id] & gold]
    return len(picked) - len(wrong), len(picked), wrong


def metric_hits(g: ReportGraph, want: list[list[Any]]) -> list[bool]:
    ms = [(e.data["value"], f"{e.data['measures']} {e.label}".lower()) for e in g.entities.values()
          if e.type == "metric"]
    return [any(abs(v - value) < 1e-6 and words.lower() in text for v, text in ms) for value, words in want]


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[A-Za-z][\w'’-]*", text)}


def relation_hits(g: ReportGraph, want: list[dict[str, Any]]) -> list[bool]:
    """Annotated relations found with a quote holding the annotated words and labels holding theirs."""
    label = {k: e.label for k, e in g.entities.items()}
    rels = [("causal" if r.type in ("affects", "causes") else r.type, _stems(label.get(r.source, r.source)),
             _stems(label.get(r.target, r.target)), [ev.quote for ev in r.evidence]) for r in g.relations]
    return [any(t == w["type"] and any(w["quote"] in q for q in qs)
                and (w["source"] is None or _stems(w["source"]) <= s) and _stems(w["target"]) <= d
                for t, s, d, qs in rels) for w in want]


def item_recall(report: Report, want: dict[str, int]) -> tuple[int, int]:
    found = total = 0
    for kind, n in want.items():
        have = sum(1 for i in report.items if i.kind == kind)
        found += min(have, n)
        total += n
    return found, total


def score(report: Report, want: dict[str, Any], t: dict[str, list[int]]) -> dict[str, list[Any]]:
    """Add one document's counts to the tally ``t``; return what it missed, for -v."""
    g = extract_report(report)
    t["force"][0] += report.meta.force == want["force"]
    t["period"][0] += report.meta.year == want["year"]
    t["force"][1] += 1
    t["period"][1] += 1
    names_all = want["partners"] + want.get("entities", [])
    hits = {"judgments": (judgment_hits(report, want["judgments"]), want["judgments"]),
            "partners": (name_hits(g, want["partners"]), want["partners"]),
            "entities": (name_hits(g, names_all), names_all) if "entities" in want else ([], []),
            "metrics": (metric_hits(g, want.get("metrics", [])), want.get("metrics", [])),
            "relations": (relation_hits(g, want.get("relations", [])), want.get("relations", []))}
    missed: dict[str, list[Any]] = {}
    for key, (h, w) in hits.items():
        t[key][0] += sum(h)
        t[key][1] += len(h)
        missed[key] = [x for x, ok in zip(w, h) if not ok]
    good = names_all + want.get("also_ok", [])
    prec = (("partner_prec", ("partner",)), ("entity_prec", ("unit", "partner", "programme")))
    for key, types in prec[:2 if "entities" in want else 1]:
        right, n, wrong = precision(g, types, good)
        t[key][0] += right
        t[key][1] += n
        missed[key] = wrong
    f, n = item_recall(report, want.get("items", {}))
    t["items"][0] += f
    t["items"][1] += n
    return missed


def run(folder: Path, verbose: bool, formats: tuple[str, ...] = FORMATS) -> dict[str, dict[str, float | None]]:
    """Figures per format (None where the set has nothing to count)."""
    exp = expected(folder)
    tally: dict[str, Tally] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for name in names(folder):
        for fmt in formats:
            report = build_report(load_bytes(render(name, fmt, folder), f"{name}.{fmt}"))
            missed = score(report, exp[name], tally[fmt])
            if verbose:
                _show(name, fmt, report, missed)
    return {fmt: {k: (a / b if b else None) for k, (a, b) in ((c, t[c]) for c in COLS)} for fmt, t in tally.items()}


def _show(name: str, fmt: str, report: Report, missed: dict[str, list[Any]]) -> None:
    print(f"{name}.{fmt}: force={report.meta.force!r} year={report.meta.year!r}")
    for key, xs in missed.items():
        if xs:
            print(f"   {'wrong' if key.endswith('prec') else 'missed'} {key}: {xs}")
    if missed["judgments"]:
        print("   judgments found:", [(i.question, i.grade) for i in report.items if i.kind == "judgment"])


def table(figures: dict[str, dict[str, float | None]]) -> str:
    """The figures as a table, one row per format and a mean row."""
    rows = [f"{'format':8}" + "".join(f"{c:>13}" for c in COLS)]
    for fmt, f in figures.items():
        rows.append(f"{fmt:8}" + "".join(f"{'-' if f[c] is None else format(f[c], '.2f'):>13}" for c in COLS))
    mean = {c: [f[c] for f in figures.values() if f[c] is not None] for c in COLS}
    rows.append(f"{'mean':8}" + "".join(f"{format(sum(v) / len(v), '.2f') if v else '-':>13}" for v in mean.values()))
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=sorted(SETS), default="formats", help="which documents (default: formats)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list what each document missed")
    args = ap.parse_args()
    figures = run(SETS[args.set], args.verbose)
    print(f"== {args.set} ({SETS[args.set].relative_to(ROOT)})")
    print(table(figures))
    print("targets: judgments 0.80, partners 0.80 (on documents nobody has seen)")


if __name__ == "__main__":
    main()
