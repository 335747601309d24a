"""A PDF table of graded rows, read by column: each row an area (or question) with its grade.

Summary tables list one graded area a row, the grade in one column and the
area in another ("Good | Effectiveness | Preventing crime ..."). A PDF's plain
text reads a row whose area wraps over several lines as loose lines, the
grade cut off from its area. pypdf's layout mode keeps the columns as
character positions: this module finds the rows that hold a grade in that
text, gathers each row's wrapped lines (cells set in the middle of their row
or at its top), and rewrites the table as one " | " row per graded row, which
the judgment rules read like any other table. The rest of the page is kept,
its alignment spaces collapsed.
"""
from __future__ import annotations

import re

from graph.text import grade_of

# a cheap test on the plain text: a line opening with a grade and going on in capitals ("Good Effectiveness"),
# or a grade standing alone on its line (its row's other cells were read on the lines around it)
_GRADE = r"(?:Outstanding|Good|Adequate|Requires\s+improvement|Inadequate)"
TABLE_HINT = re.compile(r"(?m)^" + _GRADE + r"(?:\s+[A-Z(]|[ \t]*$[\s\S]*^" + _GRADE + r"[ \t]*$)")
_RUN = re.compile(r"\S+(?: \S+)*")  # text between gaps of two or more spaces

Runs = list[tuple[int, str]]


def _runs(line: str) -> Runs:
    return [(m.start(), m.group(0)) for m in _RUN.finditer(line)]


def _graded(lines: list[str], i: int) -> bool:
    """A table row's grade line: a cell that is nothing but a grade, beside other cells, set in from the
    margin, or with the row's other cells set in on the lines just around it (wrapped above and below)."""
    runs = _runs(lines[i])
    if not any(grade_of(t) for _, t in runs):
        return False
    if len(runs) >= 2 or runs[0][0] > 0:
        return True
    near = [x for x in (*lines[max(0, i - 2):i], *lines[i + 1:i + 3]) if x.strip()]
    return any(x[:1].isspace() for x in near)


def table_text(layout: str) -> str | None:
    """The page with its graded table rewritten as " | " rows, or None when there is no such table or no row
    of it wraps (the plain text reads a table of one-line rows well)."""
    lines = layout.split("\n")
    anchors = [i for i in range(len(lines)) if _graded(lines, i)]
    if len(anchors) < 2:
        return None
    head = _header(lines, anchors[0])
    first = head if head is not None else anchors[0]
    end = _table_end(lines, anchors[-1] + 1)
    body = [i for i in range(first + (head is not None), end) if lines[i].strip()]
    if len(body) == len(anchors):
        return None
    starts = _columns([lines[i] for i in ([head] if head is not None else []) + anchors])
    centred = _centred(lines, anchors, body, starts)
    rows: dict[int, list[int]] = {a: [] for a in anchors}
    for i in body:
        rows[_row_of(i, anchors, centred, lines, starts)].append(i)
    out = [_joined_row([lines[head]], starts)] if head is not None else []
    out += [_joined_row([lines[i] for i in rows[a]], starts) for a in anchors]
    kept = [" ".join(x.split()) for x in lines[:first]] + ["", *out, ""] + [" ".join(x.split()) for x in lines[end:]]
    return "\n".join(kept)


def _header(lines: list[str], first_anchor: int) -> int | None:
    """The header row: the nearest line above the first graded row with several cells and no grade."""
    for k in range(first_anchor - 1, max(-1, first_anchor - 6), -1):
        runs = _runs(lines[k])
        if len(runs) >= 2 and not any(grade_of(t) for _, t in runs) and not lines[k][:1].isspace():
            return k
    return None


def _table_end(lines: list[str], start: int) -> int:
    """The first line after the table: one at the margin with no column gaps (prose or a heading); a line in
    lower case there is the end of a cell wrapped around the last grade."""
    for k in range(start, len(lines)):
        text = lines[k]
        if text.strip() and not text[:1].isspace() and len(_runs(text)) == 1 and not text[:1].islower():
            return k
    return len(lines)


def _row_of(i: int, anchors: list[int], centred: bool, lines: list[str], starts: list[int]) -> int:
    """The graded row a line belongs to: where cells are centred, the nearest grade line (between two as near,
    the one that lacks the line's columns, which its cell wraps around, else the one below); else the one above."""
    if not centred:
        return max((a for a in anchors if a <= i), default=anchors[0])
    cols = _cols_of(lines[i], starts)
    return min(anchors, key=lambda a: (abs(a - i), bool(cols & _cols_of(lines[a], starts)), -a))


def _cols_of(line: str, starts: list[int]) -> set[int]:
    return {_col(pos, starts) for pos, _ in _runs(line)}


def _centred(lines: list[str], anchors: list[int], body: list[int], starts: list[int]) -> bool:
    """Are cells set in the middle of their rows? Yes when a grade line lacks a column that has text just
    above and just below it (a cell wrapped around it); a cell set at the top starts on the grade line."""
    for a in anchors:
        on = _cols_of(lines[a], starts)
        above = set().union(*(_cols_of(lines[i], starts) for i in body if a - 3 <= i < a and i not in anchors))
        below = set().union(*(_cols_of(lines[i], starts) for i in body if a < i <= a + 3 and i not in anchors))
        if (above & below) - on:
            return True
    return False


def _columns(lines: list[str]) -> list[int]:
    """Column starts: where the cells of the header and the graded rows begin, near positions merged."""
    starts: list[int] = []
    for pos in sorted(p for x in lines for p, _ in _runs(x)):
        if not starts or pos - starts[-1] > 3:
            starts.append(pos)
    return starts


def _col(pos: int, starts: list[int]) -> int:
    return max((k for k, s in enumerate(starts) if s <= pos + 2), default=0)


def _joined_row(lines: list[str], starts: list[int]) -> str:
    """One row's lines -> its cells in column order, each cell's wrapped lines joined; a line opening with a
    capital starts another item of its cell ("Investigating crime" / "Responding to the public"), joined by "; "."""
    cells: list[list[str]] = [[] for _ in starts]
    for x in lines:
        for pos, text in _runs(x):
            cells[_col(pos, starts)].append(text)
    return " | ".join("".join((("; " if t[:1].isupper() else " ") if k else "") + t for k, t in enumerate(c))
                      for c in cells)
