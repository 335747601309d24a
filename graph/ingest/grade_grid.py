"""The PEEL grade grid of a PDF page, read by column: each grade heads a column listing the areas it was given.

Since 2021 reports open with a table whose header row is the five grades and
whose cells list the areas graded so. A PDF's plain text reads such a table
cell after cell and loses which column an area stood in; pypdf's layout mode
keeps the columns as character positions. This module finds the header in
that layout text and rewrites the grid as two table rows ("Outstanding | Good
| ..." and the areas of each column joined by "; "), which the judgment rules
read like any other grade grid. The rest of the page is kept, its alignment
spaces collapsed.
"""
from __future__ import annotations

import re

from graph.records import GRADES

# a cheap test on the plain text: the grid's header names the grades in order
GRID_HINT = re.compile(r"Outstanding\b[\s\S]{0,200}?\bAdequate\b[\s\S]{0,200}?\bInadequate\b")
_HEAD_WORDS = {"Outstanding": "outstanding", "Good": "good", "Adequate": "adequate", "Requires": "requires improvement",
               "Inadequate": "inadequate"}
_RUN = re.compile(r"\S+(?: \S+)*")  # text between gaps of two or more spaces


def grid_text(layout: str) -> str | None:
    """The page with its grade grid rewritten as two table rows, or None when there is no grid."""
    lines = layout.split("\n")
    head = _header(lines)
    if head is None:
        return None
    first, last, columns = head
    end = _grid_end(lines, last + 1)
    cells: list[list[str]] = [[] for _ in columns]
    starts = [pos for pos, _ in columns]
    for line in lines[last + 1:end]:
        for m in _RUN.finditer(line):
            for a, text in _cut_at_columns(m.start(), m.group(0), starts):
                col = max((i for i, pos in enumerate(starts) if pos <= a + 2), default=0)
                cells[col].append(text)
    rows = [" | ".join(g.capitalize() for _, g in columns), " | ".join("; ".join(_areas(c)) for c in cells)]
    if not any(cells):
        return None
    kept = [" ".join(x.split()) for x in lines[:first]] + ["", *rows, ""] + [" ".join(x.split()) for x in lines[end:]]
    return "\n".join(kept)


def _header(lines: list[str]) -> tuple[int, int, list[tuple[int, str]]] | None:
    """(first line, last line, [(column start, grade)]) of a header naming at least four grades."""
    for i, line in enumerate(lines):
        found = [(m.start(), _HEAD_WORDS[m.group(0)]) for m in re.finditer(r"\b(?:" + "|".join(_HEAD_WORDS) + r")\b",
                                                                            line)]
        if len(found) < 3:
            continue
        first, last = i, i
        for j in (i - 1, i + 1):  # "Requires" / "improvement" set over two lines beside the others
            if 0 <= j < len(lines) and re.fullmatch(r"\s*(?:Requires|improvement)\s*", lines[j]):
                first, last = min(first, j), max(last, j)
                found += [(m.start(), "requires improvement") for m in re.finditer(r"\bRequires\b", lines[j])]
        columns = sorted(set(found))
        if len({g for _, g in columns}) >= 4 and [g for _, g in columns] == [g for g in GRADES if g in dict(
                (g, p) for p, g in columns)]:
            return first, last, columns
    return None


def _cut_at_columns(start: int, text: str, starts: list[int]) -> list[tuple[int, str]]:
    """A run that crosses a column start is two cells whose text touched: "resourcesand suspects" is
    "...resources" ending one column and "and suspects" (a wrapped area's function word) opening the next."""
    out: list[tuple[int, str]] = []
    for pos in starts:
        cut = _glue_point(text, pos - start)
        if cut:
            out.append((start, text[:cut].rstrip()))
            start, text = pos, text[cut:]  # the glued words open the column whose start they crossed
    return out + [(start, text)]


def _glue_point(text: str, cut: int) -> int | None:
    """Where, near a column start, two cells' words were glued together, if they were."""
    if not 0 < cut < len(text):
        return None
    for w in re.finditer(r"[A-Za-z-]+", text):
        if w.start() < cut <= w.end() + 1 and w.end() > cut - 5:
            glued = re.match(r"^([a-z-]{3,}?)(and|of|the|for|to|in|with)$", w.group(0))
            if glued and w.end() - w.start() > len(glued.group(2)) + 2:
                return w.start() + len(glued.group(1))
    return None


def _is_prose(text: str) -> bool:
    t = text.strip()
    return bool(t) and "   " not in t and (len(t) > 60 or t.endswith("."))


def _grid_end(lines: list[str], start: int) -> int:
    """The first line after the grid: prose (a long line with no column gaps), a heading standing alone at
    the margin with prose after it, or the end of the page."""
    for k in range(start, len(lines)):
        text = lines[k]
        if _is_prose(text):
            return k
        nxt = next((x for x in lines[k + 1:] if x.strip()), "")
        if text.strip() and not text[:1].isspace() and "   " not in text.strip() and _is_prose(nxt):
            return k
    return len(lines)


def _areas(parts: list[str]) -> list[str]:
    """A column's lines -> its areas: an area starts with a capital; a line in lower case goes on the one before."""
    out: list[str] = []
    for p in parts:
        if out and not p[:1].isupper():
            out[-1] += " " + p
        else:
            out.append(p)
    return out
