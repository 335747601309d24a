"""Report metadata against the truth: force, programme and period of every benchmark document, in every format.

Each PEEL-style document of ``benchmarks/{formats,dev,heldout,unseen,unseen2,unseen3,unseen4}``
is rendered as text, HTML, PDF and DOCX (as ``formats.py`` renders them) and read the
way an upload is (load, normalise, ``metadata.detect``); the two bundled reports are
read as they are and also re-rendered as HTML, PDF and DOCX, one paragraph per line.

The truth: force and period from each set's ``expected.json`` (``force``, ``year``);
the programme from what the document's title block says (its first heading lines),
unless ``expected.json`` names it (``programme``):

- "Police effectiveness 2017" (one pillar) -> ``PEEL effectiveness`` (efficiency, legitimacy);
- "Police effectiveness, efficiency and legitimacy 2018/19" -> ``Integrated PEEL``;
- "PEEL 2021/22", "PEEL 2023–25" (a round from 2021 on) -> ``Graded PEEL``.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/metadata.py [--set dev] [--formats txt,html] [-v]``
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from format_docs import FORMATS, SETS, Piece, expected, names, render, to_docx, to_html, to_pdf  # noqa: E402

from graph.ingest.load import load_bytes  # noqa: E402
from graph.ingest.metadata import detect  # noqa: E402
from graph.ingest.normalise import normalise  # noqa: E402
from graph.records import ReportMeta  # noqa: E402

FIELDS = ("force", "programme", "period")
BUNDLED = ROOT / "data" / "corpus"
# what the two bundled reports are (read from their text by a person, as the corpus README says)
BUNDLED_TRUTH = {
    "000_a005810b8da77936": {"force": "Cleveland Police", "programme": "PEEL effectiveness", "year": "2018/19"},
    "004_872d08147d1315cb": {"force": "Cleveland Police", "programme": "PEEL effectiveness", "year": "2015"},
}
Truth = dict[str, str]


def programme_truth(markup: str, year: str) -> str:
    """The programme a document's title block names (its first heading lines)."""
    head = " ".join(line.lstrip("#").strip() for line in markup.splitlines()[:3] if line.startswith("#"))
    pillars = [p for p in ("effectiveness", "efficiency", "legitimacy") if re.search(rf"\b{p}\b", head, re.I)]
    if len(pillars) == 1:
        return f"PEEL {pillars[0]}"
    return "Graded PEEL" if int(year[:4]) >= 2021 else "Integrated PEEL"


def documents(set_name: str, formats: tuple[str, ...]) -> Iterator[tuple[str, str, bytes, Truth]]:
    """(document name, format, file bytes, truth) of one set; ``bundled`` is the two bundled reports."""
    if set_name == "bundled":
        yield from _bundled(formats)
        return
    folder = SETS[set_name]
    exp = expected(folder)
    for name in names(folder):
        want = exp[name]
        truth = {"force": want["force"], "year": want["year"],
                 "programme": want.get("programme") or programme_truth(
                     (folder / f"{name}.md").read_text(encoding="utf-8"), want["year"])}
        for fmt in formats:
            yield name, fmt, render(name, fmt, folder), truth


def _bundled(formats: tuple[str, ...]) -> Iterator[tuple[str, str, bytes, Truth]]:
    for name, truth in BUNDLED_TRUTH.items():
        raw = (BUNDLED / f"{name}.txt").read_bytes()
        for fmt in formats:
            yield name, fmt, _render_text(raw, fmt), truth


def _render_text(raw: bytes, fmt: str) -> bytes:
    """A plain-text report as a file of ``fmt``, one paragraph per non-empty line."""
    if fmt == "txt":
        return raw
    pieces = [Piece("para", line.strip()) for line in raw.decode("utf-8").splitlines() if line.strip()]
    return {"html": lambda: to_html(pieces).encode("utf-8"), "pdf": lambda: to_pdf(pieces),
            "docx": lambda: to_docx(pieces)}[fmt]()


def read_meta(name: str, fmt: str, data: bytes) -> ReportMeta:
    """The metadata an upload of these bytes gets."""
    raw = load_bytes(data, f"{name}.{fmt}")
    return detect(normalise(raw), None, raw.title)


def run(set_name: str, formats: tuple[str, ...], verbose: bool) -> dict[str, list[int]]:
    """Right and total per field over one set."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, fmt, data, truth in documents(set_name, formats):
        meta = read_meta(name, fmt, data)
        got = {"force": meta.force, "programme": meta.programme, "period": meta.year}
        want = {"force": truth["force"], "programme": truth["programme"], "period": truth["year"]}
        for f in FIELDS:
            tally[f][0] += got[f] == want[f]
            tally[f][1] += 1
        wrong = [f"{f}={got[f]!r} (truth {want[f]!r})" for f in FIELDS if got[f] != want[f]]
        if verbose and wrong:
            print(f"  {set_name}/{name}.{fmt}: " + "; ".join(wrong))
    return tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", choices=[*sorted(SETS), "bundled"],
                    help="a set to score (repeatable; default: every set and the bundled reports)")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated (default: txt,html,pdf,docx)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every wrong field")
    args = ap.parse_args()
    sets = args.set or [*SETS, "bundled"]
    formats = tuple(args.formats.split(","))
    print(f"{'set':10}{'docs':>6}" + "".join(f"{f:>11}" for f in FIELDS))
    total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in sets:
        tally = run(s, formats, args.verbose)
        for f in FIELDS:
            total[f][0] += tally[f][0]
            total[f][1] += tally[f][1]
        print(f"{s:10}{tally['force'][1]:>6}" + "".join(f"{tally[f][0] / tally[f][1]:>11.2f}" for f in FIELDS))
    print(f"{'all':10}{total['force'][1]:>6}" + "".join(f"{total[f][0] / total[f][1]:>11.2f}" for f in FIELDS))


if __name__ == "__main__":
    main()
