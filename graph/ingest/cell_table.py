"""A PDF table without grades, read by column: each row's cells joined by " | ".

Tables of partnership boards and their members, or of programmes and their
partners, have no grade to anchor a row. A PDF's plain text reads each cell
line as a short line of its own, which the layout rules take for a run of
headings: the cells' text would not reach any passage. pypdf's layout mode
keeps the columns as character positions; this module finds a table there
(a line of two or more cells, then lines that leave the gaps between its
cells open, whether cells are set at the left or in the middle), groups the
lines of each row (a row starts at a line with a cell in the first column)
and rewrites the table as one " | " row per row, which the layout rules keep
as a table.
The rest of the page is kept, its alignment spaces collapsed.
"""
from __future__ import annotations

import re

from graph.ingest.grade_table import Runs, _centred, _col, _joined_row, _row_of, _runs
from graph.text import grade_of

GAP = 3  # spaces between two cells of a row; prose has one (two after a full stop in some PDFs)
# a cheap test on the plain text: three lines in a row, each short and not ending a sentence (cells read as
# lines); the layout text then decides whether they are a table
TABLE_HINT = re.compile(r"(?m)(?:^[^\n.!?:;]{1,80}[^\n.!?:;,]\n){2}^[^\n.!?:;]{1,80}$")


def _cells(line: str) -> Runs:
    """The line's cells: runs of text parted by gaps of ``GAP`` spaces or more (not single or double ones)."""
    out: Runs = []
    for pos, text in _runs(line):
        if out and pos - (out[-1][0] + len(out[-1][1])) < GAP:
            prev_pos, prev = out.pop()
            text = prev + " " * (pos - prev_pos - len(prev)) + text
            pos = prev_pos
        out.append((pos, text))
    return out


def _gutters(cover: set[int], gaps: list[tuple[int, int]]) -> list[int] | None:
    """Where each column after the first begins: the end of the widest stretch (``GAP`` wide or more) inside
    each gap of the header that no cell covers; None when a cell spans a gap (prose, not a row of cells)."""
    starts = []
    for lo, hi in gaps:
        free = [p for p in range(lo, hi) if p not in cover]
        runs: list[list[int]] = []
        for p in free:
            if runs and runs[-1][-1] == p - 1:
                runs[-1].append(p)
            else:
                runs.append([p])
        best = max(runs, key=len, default=[])
        if len(best) < GAP:
            return None
        starts.append(best[-1] + 1)
    return starts


def _covered(line: str) -> set[int]:
    """The character positions the line's cells cover, their inner spaces included."""
    return {p for pos, text in _cells(line) for p in range(pos, pos + len(text))}


def _region(lines: list[str], head: int) -> tuple[list[int], int] | None:
    """The table under a header line: its column starts and the first line after it. Lines belong while
    the header's gaps stay open down the page (cells set at the left or in the middle of their column alike);
    None when no line below has a cell beyond the first column."""
    cells = _cells(lines[head])
    gaps = [(a + len(x), b) for (a, x), (b, _) in zip(cells, cells[1:])]
    cover = _covered(lines[head])
    end = head + 1
    while end < len(lines) and (not lines[end].strip() or _gutters(cover | _covered(lines[end]), gaps)):
        cover |= _covered(lines[end])
        end += 1
    starts = [min(cover)] + (_gutters(cover, gaps) or [])
    rows = _rows(lines, head + 1, end)
    while rows and all(len(_cells(lines[i])) == 1 and _col(_cells(lines[i])[0][0], starts) == 0 for i in rows[-1]):
        rows.pop()  # a line at the margin after the table (a heading, a short line of prose) is not a row
    if not rows or not any(_col(pos, starts) > 0 for row in rows for i in row for pos, _ in _cells(lines[i])):
        return None
    if any(grade_of(text) for i in (head, *(k for row in rows for k in row)) for _, text in _cells(lines[i])):
        return None  # a table of grades: ``grade_table`` and ``grade_grid`` read those
    return starts, max(i for row in rows for i in row) + 1


def _rows(lines: list[str], first: int, end: int) -> list[list[int]]:
    """Blank-separated groups of line numbers (what follows the last row is told apart by them)."""
    rows: list[list[int]] = [[]]
    for i in range(first, end):
        if lines[i].strip():
            rows[-1].append(i)
        elif rows[-1]:
            rows.append([])
    return [r for r in rows if r]


def _table_rows(lines: list[str], first: int, end: int, starts: list[int]) -> list[str]:
    """The table's rows as " | " lines: a row starts at a line with a cell in the first column; the lines
    without one are the wrapped cells of the row above (cells set at the top of their row) or of the nearest
    such line (cells set in the middle, wrapped around the first column's text: see ``grade_table``). A line
    with only a first-column cell in the same block as the first-column line above it (no blank line between)
    is that cell wrapped."""
    body = [k for k in range(first, end) if lines[k].strip()]
    starting = [k for k in body if _col(_cells(lines[k])[0][0], starts) == 0]
    wrapped = {k for j, k in zip(starting, starting[1:])
               if len(_cells(lines[k])) == 1 and all(lines[i].strip() for i in range(j, k))}
    anchors = [k for k in starting if k not in wrapped]
    if not anchors:
        return [_joined_row([lines[k]], starts) for k in body]
    centred = _centred(lines, anchors, body, starts)
    rows: dict[int, list[int]] = {a: [] for a in anchors}
    for k in body:
        if k not in wrapped:
            rows[_row_of(k, anchors, centred, lines, starts)].append(k)
    out = []
    for a in anchors:
        first_cell, sep, rest = _joined_row([lines[k] for k in rows[a]], starts).partition(" | ")
        more = [_cells(lines[k])[0][1] for k in sorted(wrapped) if k > a and _owner(k, anchors) == a]
        out.append(" ".join([first_cell, *more]) + sep + rest)
    return out


def _owner(k: int, anchors: list[int]) -> int:
    """The row a wrapped first-column line belongs to: the last row started above it."""
    return max(a for a in anchors if a < k)


def with_rows(layout: str) -> str:
    """The layout text with each table without grades rewritten as " | " rows, the other lines as they were
    (so that the grade readers can still read the page's columns)."""
    lines = layout.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        region = _region(lines, i) if len(_cells(lines[i])) >= 2 else None
        if region is None:
            out.append(lines[i])
            i += 1
            continue
        starts, end = region
        out += ["", _joined_row([lines[i]], starts), *_table_rows(lines, i + 1, end, starts), ""]
        i = end
    return "\n".join(out)


def collapsed(layout: str) -> str:
    """Layout text read as plain text: alignment spaces collapsed."""
    return "\n".join(" ".join(x.split()) for x in layout.split("\n"))


def table_text(layout: str) -> str | None:
    """The page with each table without grades rewritten as " | " rows, or None when it has none."""
    tabled = with_rows(layout)
    return collapsed(tabled) if tabled != layout else None
