"""An archive of many forces' PEEL reports, and a check of the question set written over it.

The bundled corpus holds one force in two years, so question answering scored on it
never meets what real stores hold: many forces and rounds whose reports share stock
sentences and headings. This writes every PEEL-style format-test document of the
benchmark folders (other forces, 2014 to 2025) as a report file, alternating plain
text and HTML by sorted file name, beside copies of the two bundled reports, so a
store can be built from it and ``benchmarks/data/archive_qa.jsonl`` scored on it.

    python benchmarks/archive.py OUT_DIR                          # write the archive
    python benchmarks/archive.py --check QA_PATH OUT_DIR [--store DIR]

``--check`` validates the question set: JSON lines with unique ids and the
expected fields, each evidence string found exactly once in the whole archive's
text and inside a passage of the store built from it (``--store``, else
``$PEELGRAPH_STORE``, else a store built into a temporary folder with the hash
encoder). Whitespace is collapsed before every comparison, as the metrics do.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import format_docs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("dev", "heldout", "unseen", "unseen2", "unseen3", "unseen4")
BUNDLED = ROOT / "data" / "corpus"
KINDS = {"fact", "finding", "why", "cross", "compare", "recommendation"}
FIELDS = ("id", "question", "kind", "year", "evidence", "answer", "force")
_FORCE = re.compile(r"An inspection of (.+)$", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Runs of whitespace -> one space, as the search metrics compare text."""
    return _SPACE.sub(" ", text).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def documents() -> list[tuple[str, str, str]]:
    """(folder, document name, force slug) of every markup document, sorted."""
    out = []
    for folder in FOLDERS:
        path = format_docs.SETS[folder]
        for name in format_docs.names(path):
            found = _FORCE.search((path / f"{name}.md").read_text(encoding="utf-8"))
            out.append((folder, name, _slug(found.group(1)) if found else "unknown"))
    return out


def write_archive(out_dir: Path) -> list[Path]:
    """Every document rendered as a report file (txt, html alternating) plus the bundled reports."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (folder, name, force) in enumerate(documents()):
        fmt = ("txt", "html")[i % 2]
        target = out_dir / f"{folder}__{name}__{force}.{fmt}"
        target.write_bytes(format_docs.render(name, fmt, format_docs.SETS[folder]))
        written.append(target)
    for src in sorted(BUNDLED.glob("*.txt")):
        written.append(Path(shutil.copy(src, out_dir / src.name)))
    return written


def archive_texts() -> dict[str, str]:
    """Document key -> its text as a reader sees it (markup rendered as text, bundled files as they are)."""
    texts = {f"{folder}__{name}": squash(format_docs.to_text(format_docs.parse(
        (format_docs.SETS[folder] / f"{name}.md").read_text(encoding="utf-8"))))
        for folder, name, _ in documents()}
    for src in sorted(BUNDLED.glob("*.txt")):
        texts[src.name] = squash(src.read_text(encoding="utf-8"))
    return texts


def _peelgraph(store: Path, *args: str) -> str:
    env = dict(os.environ, PEELGRAPH_STORE=str(store), PEELGRAPH_ENCODER="hash", PYTHONPATH=str(ROOT))
    cli = "import sys; from api.cli import main; sys.exit(main())"  # the console script, run by this interpreter
    done = subprocess.run([sys.executable, "-c", cli, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def store_passages(store: Path) -> list[str]:
    """The text of every passage the store holds, whitespace collapsed."""
    out: list[str] = []
    while True:
        rows = json.loads(_peelgraph(store, "passages", "--json", "--limit", "500", "--offset", str(len(out))))
        out.extend(squash(r["text"]) for r in rows)
        if len(rows) < 500:
            return out


def _row_problems(row: dict[str, Any], line: int) -> list[str]:
    """Field-level problems of one question (missing fields, unknown kind, evidence count and length)."""
    problems = [f"line {line}: missing {f}" for f in FIELDS if f not in row]
    if row.get("kind") not in KINDS:
        problems.append(f"line {line}: kind {row.get('kind')!r}")
    evidence = row.get("evidence")
    if not isinstance(evidence, list) or not 1 <= len(evidence) <= 3:
        return problems + [f"line {line}: evidence must be a list of 1 to 3 strings"]
    problems += [f"{row.get('id')}: evidence of {len(e)} characters: {e[:40]!r}"
                 for e in evidence if not 30 <= len(squash(e)) <= 200]
    return problems


def load(qa_path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The question set's rows, and the problems of lines that are not JSON or lack fields."""
    rows, problems = [], []
    for line, raw in enumerate(qa_path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            rows.append(json.loads(raw))
        except json.JSONDecodeError as exc:
            problems.append(f"line {line}: not JSON ({exc})")
            continue
        problems += _row_problems(rows[-1], line)
    return rows, problems


def check(rows: list[dict[str, Any]], passages: list[str]) -> list[str]:
    """Problems of the set as a whole: ids numbered in order under one letter (a01, a02...), and each
    evidence string once in the archive and in a passage."""
    texts = archive_texts()
    problems = []
    ids = [r.get("id") for r in rows]
    letter = str(ids[0] or "a")[0] if ids else "a"
    if ids != [f"{letter}{i:02d}" for i in range(1, len(rows) + 1)]:
        problems.append(f"expected ids {letter}01..{letter}{len(rows):02d} in order")
    for row in rows:
        for ev in row.get("evidence") or []:
            needle = squash(ev)
            count = sum(t.count(needle) for t in texts.values())
            if count != 1:
                problems.append(f"{row.get('id')}: evidence found {count} times in the archive: {ev[:50]!r}")
            if not any(needle in p for p in passages):
                problems.append(f"{row.get('id')}: evidence in no stored passage: {ev[:50]!r}")
    return problems


def _passages_for_check(out_dir: Path, store: str | None) -> list[str]:
    """The passages to check against; from a store built into a temporary folder when none is given."""
    if store:
        return store_passages(Path(store))
    with tempfile.TemporaryDirectory(prefix="archive-store-") as built:
        _peelgraph(Path(built), "build", str(out_dir))
        return store_passages(Path(built))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="OUT_DIR, or QA_PATH OUT_DIR with --check")
    parser.add_argument("--check", action="store_true", help="validate a question set against the archive")
    parser.add_argument("--store", default=os.environ.get("PEELGRAPH_STORE"), help="store built from OUT_DIR")
    args = parser.parse_args(argv)
    if not args.check:
        written = write_archive(Path(args.paths[-1]))
        print(f"wrote {len(written)} reports to {args.paths[-1]}")
        return 0
    if len(args.paths) != 2:
        parser.error("--check takes QA_PATH OUT_DIR")
    qa_path, out_dir = Path(args.paths[0]), Path(args.paths[1])
    if not out_dir.is_dir():
        write_archive(out_dir)
    passages = _passages_for_check(out_dir, args.store)
    rows, problems = load(qa_path)
    problems += check(rows, passages)
    kinds = {k: sum(r.get("kind") == k for r in rows) for k in sorted(KINDS)}
    print(f"{len(rows)} questions, {sum(len(r.get('evidence', [])) for r in rows)} evidence strings, "
          f"{len(passages)} passages; kinds {kinds}")
    for problem in problems:
        print(problem, flush=True)
    print("valid" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
