"""Hard-wrapped text (PDF extractions) -> blocks: the layout undone page by page.

Pages lose their furniture and footnotes (see ``layout``), lines join into
paragraphs, list items and headings, figure residue and tables become blocks
of their own, and two-column summary pages are rebuilt in reading order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.ingest.judgments import labelled_block, table_row
from graph.ingest.segment import is_report_heading
from graph.ingest.layout import (
    CAPTION_RE, _body_width, _furniture, _heading_like, _is_column_page, _join, _pages, _run_in_headings,
    QUESTION_START_RE, _split_page, _strip_markers, _strip_page_numbers, _Vocab, printed_pages,
)
from graph.records import (
    GRADES, HINT_RULE, KIND_CAPTION, KIND_COLUMNS, KIND_FOOTNOTE, KIND_HEADING, KIND_JUDGMENT, KIND_LIST_ITEM,
    KIND_PARAGRAPH, KIND_TABLE, KIND_URL, Block, Line,
)
from graph.text import collapse, ends_sentence, grade_of, is_bullet, strip_bullet, word_count

_CELLS = re.compile(r"\s\|(?:\s|$)")  # cells joined by " | " (the last one may be empty)
TABULAR_RE = re.compile(r"(?:\S\s{3,}\S)|(?:(?:^|\s)[-+]?[£$€]?\d[\d,]*(?:\.\d+)?\s*(?:%|percent)?\s*$)")


@dataclass
class _Chunk:
    lines: list[str]
    page: int
    first_on_page: bool = False
    last_on_page: bool = False
    notes: set[str] = field(default_factory=set)  # footnote numbers of the page(s) it sits on


def _chunks(body: list[str], page: int, notes: set[str], width: float) -> list[_Chunk]:
    """Blank-separated runs of lines; where an extractor left no blank lines between
    paragraphs (common in PDFs), a short line that ends a sentence, or a short
    heading-like line between sentences, also ends a run."""
    chunks: list[_Chunk] = []
    cur: list[str] = []
    lines = body + [""]
    for i, text in enumerate(lines):
        if not text.strip():
            if cur:
                chunks.append(_Chunk(cur, page, notes=set(notes)))
                cur = []
            continue
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if cur and _breaks_before(cur[-1], text, nxt, width):
            chunks.append(_Chunk(cur, page, notes=set(notes)))
            cur = []
        cur.append(text)
    if chunks:
        chunks[0].first_on_page = True
        chunks[-1].last_on_page = True
    return chunks


def _page_width(body: list[str], width: float) -> float:
    """The text width of this page (narrower on column pages), never above the document's."""
    lengths = sorted(len(t.strip()) for t in body if t.strip())
    if len(lengths) < 8:
        return width
    return min(width, float(lengths[int(0.9 * (len(lengths) - 1))]))


def _breaks_before(prev: str, line: str, nxt: str, width: float) -> bool:
    prev, line = prev.strip(), line.strip()
    if not prev or _starts_lower(line) or is_bullet(line) and is_bullet(prev) or _CELLS.search(prev) \
            and _CELLS.search(line):
        return False  # (rows of a table read by column, cells joined by " | ", stay one table)
    short_prev = len(prev) < 0.6 * width
    if table_row(prev) and table_row(line):
        return True  # rows of a table whose cell borders are gone: "Area name Requires improvement"
    if short_prev and ends_sentence(prev):
        return True  # the last line of a paragraph
    if short_prev and is_bullet(prev) and not is_bullet(line) and line[:1].isupper():
        return True  # a short list item ends the list; a wrapped item fills its line
    if ends_sentence(prev) and QUESTION_START_RE.match(line) and (line.endswith("?") or nxt.endswith("?")):
        return True  # an inspection question after a full paragraph line
    if ends_sentence(prev) and len(line) < 0.6 * width and not ends_sentence(line) and _heading_like(collapse(line)):
        if not nxt:  # the page's last line: a heading when short (the text goes on overleaf)
            return word_count(line) <= 8
        return not _starts_lower(nxt)  # a heading line between two paragraphs
    return short_prev and _heading_like(collapse(prev)) and not ends_sentence(prev) and len(prev.split()) <= 12 \
        and not prev.rstrip().endswith((" and", " or", " of", " the", " to", " in", ",")) and line[:1].isupper()


def _text(lines: list[str], vocab: _Vocab, notes: set[str]) -> tuple[str, list[str]]:
    """Joined text with the page's footnote markers taken out (and returned)."""
    text = _join(lines, vocab)
    return _strip_markers(text, notes) if notes else (text, [])


def _starts_lower(text: str) -> bool:
    t = text.lstrip("‘'\"“(")
    return bool(t) and t[0].islower()


def _merge_broken(chunks: list[_Chunk]) -> list[_Chunk]:
    """A blank line or page break inside a sentence: the next chunk starts in lower case."""
    out: list[_Chunk] = []
    for ch in chunks:
        if out and out[-1].lines and not ends_sentence(out[-1].lines[-1]) and _starts_lower(ch.lines[0]) \
                and not CAPTION_RE.match(out[-1].lines[0]):
            out[-1].lines.extend(ch.lines)
            out[-1].notes |= ch.notes
        else:
            out.append(_Chunk(list(ch.lines), ch.page, ch.first_on_page, ch.last_on_page, set(ch.notes)))
    return out


def _is_question_line_run(lines: list[str]) -> int:
    """How many leading lines form a question heading ("How well does ...?"), or 0."""
    for j in range(min(8, len(lines))):
        if lines[j].rstrip().endswith("?"):
            text = collapse(" ".join(lines[: j + 1]))
            if word_count(text) <= 30 and text[0].isupper() and not is_bullet(text):
                return j + 1
            return 0
        if ends_sentence(lines[j]):
            return 0
    return 0


def _is_tabular(lines: list[str]) -> bool:
    rows = [t for t in lines if t.strip()]
    if len(rows) == 1 and not re.search(r"\S\s{3,}\S", rows[0]):
        return False  # one line ending in a number is a heading ("Area for improvement 2"), not a table
    if rows and all(_CELLS.search(t) for t in rows):
        return True  # rows of a table read by column
    hits = sum(1 for t in rows if TABULAR_RE.search(t.rstrip()) or _CELLS.search(t))
    return bool(rows) and hits / len(rows) >= 0.5 and not (ends_sentence(rows[-1]) and word_count(" ".join(rows)) > 12)


def _is_prose(text: str) -> bool:
    return word_count(text) >= 8 and ends_sentence(text) and not CAPTION_RE.match(text)


def _paragraph_blocks(chunks: list[_Chunk], vocab: _Vocab, width: float) -> list[Block]:
    blocks: list[Block] = []
    in_figure = False
    for ch in _merge_broken(chunks):
        lines = [t for t in ch.lines if t.strip()]
        text, refs = _text(lines, vocab, ch.notes)
        if not text:
            continue
        grade = grade_of(text)
        judged = None if grade or len(lines) > 2 else labelled_block(text, ch.page)
        if grade or judged:
            blocks.append(judged or Block(KIND_JUDGMENT, grade or "", ch.page))
            in_figure = False
            continue
        if CAPTION_RE.match(text):
            blocks.append(Block(KIND_CAPTION, text, ch.page, footnote_refs=refs))
            in_figure = True
            continue
        if in_figure and not _is_prose(text) and not _is_question_line_run(lines):
            blocks.append(Block(KIND_TABLE, "\n".join(collapse(t) for t in lines), ch.page))
            continue
        in_figure = False
        if _is_tabular(lines):
            blocks.append(Block(KIND_TABLE, "\n".join(collapse(t) for t in lines), ch.page))
            continue
        blocks.extend(_split_chunk(lines, ch, vocab, width))
    return blocks


def _split_chunk(lines: list[str], ch: _Chunk, vocab: _Vocab, width: float) -> list[Block]:
    """One blank-separated chunk -> leading headings, then a paragraph and/or list items."""
    out: list[Block] = []
    # leading headings: question lines, or a short first line over more text
    while lines:
        n = _is_question_line_run(lines)
        if n and (n < len(lines) or word_count(" ".join(lines)) <= 30):
            out.extend(_run_in_headings(_text(lines[:n], vocab, ch.notes)[0], ch.page, 0))
            lines = lines[n:]
            continue
        first = collapse(lines[0])
        if len(lines) > 1 and _heading_like(first) and len(first) < 0.6 * width and word_count(first) <= 8 \
                and not _starts_lower(lines[1]):
            out.extend(_run_in_headings(first, ch.page, 0))
            lines = lines[1:]
            continue
        break
    if not lines:
        return out
    whole = _join(lines, vocab)
    if len(lines) <= 2 and _heading_like(whole) and not is_bullet(lines[0]):
        out.extend(_run_in_headings(_text(lines, vocab, ch.notes)[0], ch.page, 0))
        return out
    groups: list[list[str]] = [[]]
    for t in lines:
        if is_bullet(t) and groups[-1]:
            groups.append([])
        groups[-1].append(t)
    for g in groups:
        text, refs = _text(g, vocab, ch.notes)
        if is_bullet(g[0]):
            out.append(Block(KIND_LIST_ITEM, strip_bullet(text), ch.page, footnote_refs=refs))
        else:
            out.append(Block(KIND_PARAGRAPH, text, ch.page, footnote_refs=refs))
    return out


def _column_blocks(run: list[list[_Chunk]], vocab: _Vocab) -> list[Block]:
    """Pages laid out in two columns: rebuild paragraphs in reading order, or keep one block.

    Extraction gives each column's paragraphs in turn; only a paragraph that
    runs over a page break is cut, and its rest opens the next page in lower
    case. We pair the open paragraphs with those rests in order; if they do
    not pair up one to one, the run is kept whole as a marked block.
    """
    items: list[dict] = []  # {"kind", "lines", "page"}
    open_idx: list[int] = []
    ok = True
    for page_chunks in run:
        for ch in page_chunks:
            lines = [t for t in ch.lines if t.strip()]
            text = collapse(" ".join(lines))
            if _starts_lower(text):
                if not open_idx:
                    ok = False
                    break
                i = open_idx.pop(0)
                items[i]["lines"].extend(lines)
                items[i]["notes"] = items[i]["notes"] | ch.notes
                if not ends_sentence(text):
                    open_idx.insert(0, i)
                continue
            kind = "grade" if grade_of(text) else "question" if _is_question_line_run(lines) == len(lines) else "para"
            items.append({"kind": kind, "lines": lines, "page": ch.page, "notes": ch.notes})
            if kind == "para" and not ends_sentence(text):
                open_idx.append(len(items) - 1)
    if not ok or open_idx:
        page = run[0][0].page if run and run[0] else 1
        text = "\n".join(_join([t for t in ch.lines if t.strip()], vocab) for pc in run for ch in pc)
        return [Block(KIND_COLUMNS, text, page)]
    blocks: list[Block] = []
    questions = [it for it in items if it["kind"] == "question"]
    grades = [it for it in items if it["kind"] == "grade"]
    if questions and len(questions) == len(grades):
        for q, g in zip(questions, grades):
            blocks.append(Block(KIND_JUDGMENT, grade_of(collapse(" ".join(g["lines"]))) or "", g["page"],
                                lead=_join(q["lines"], vocab)))
    for it in items:
        if it["kind"] == "para":
            text, refs = _text(it["lines"], vocab, it["notes"])
            blocks.append(Block(KIND_PARAGRAPH, text, it["page"], footnote_refs=refs))
    return blocks


def from_wrapped(lines: list[Line]) -> list[Block]:
    pages = _pages(lines)
    vocab = _Vocab(lines)
    furniture = _furniture(pages)
    width = _body_width(pages)
    body_blocks: list[Block] = []
    side: dict[int, list[Block]] = {}
    normal: list[_Chunk] = []
    columns: list[list[_Chunk]] = []
    last_note = 0
    for page_no, plines in pages:
        plines = [ln for ln in plines if ln.hint == HINT_RULE or collapse(ln.text) not in furniture]
        plines = _strip_page_numbers(plines)
        body, notes, urls, residue = _split_page(plines, last_note)
        last_note = int(notes[-1][0]) if notes else last_note
        side[page_no] = (
            [Block(KIND_FOOTNOTE, _join(t, vocab), page_no, marker=n) for n, t in notes]
            + [Block(KIND_URL, collapse(u), page_no) for u in urls]
            + [Block(KIND_TABLE, "\n".join(collapse(t) for t in r), page_no) for r in residue]
        )
        page_chunks = _chunks(body, page_no, {n for n, _ in notes}, _page_width(body, width))
        if _is_column_page(body, width):
            if normal:
                body_blocks += _paragraph_blocks(normal, vocab, width)
                normal = []
            columns.append(page_chunks)
        else:
            if columns:
                body_blocks += _column_blocks(columns, vocab)
                columns = []
            normal += page_chunks
    if columns:
        body_blocks += _column_blocks(columns, vocab)
    body_blocks += _paragraph_blocks(normal, vocab, width)
    out = _with_side_blocks(_merge_tables(_cell_runs(body_blocks)), side)
    printed = printed_pages(pages)
    for b in out:
        b.page = printed.get(b.page, b.page)
    return out


def _with_side_blocks(body_blocks: list[Block], side: dict[int, list[Block]]) -> list[Block]:
    """Side blocks (footnotes, URLs, residue) go after the body text of their page, never inside a paragraph."""
    out: list[Block] = []
    pending = sorted(side)
    for b in body_blocks:
        while pending and pending[0] < b.page:
            out.extend(side.pop(pending.pop(0)))
        out.append(b)
    for p in pending:
        out.extend(side[p])
    return out


CELL_RUN = 4  # so many short "headings" in a row, none a report's own, are the cells of a table
_GRADED = re.compile(r"\b(?:" + "|".join(GRADES) + r")\b", re.I)  # a row of a graded table: the judgment rules'


def _cell_runs(blocks: list[Block]) -> list[Block]:
    """A heading is followed by text, not by another heading: a run of ``CELL_RUN`` or more headings on one page,
    none a question, a grade or a section of the report's own, is a table whose cells were read as lines (its borders
    gone). The first stays a heading (the table's title); the rest become one table, one cell a line."""
    out: list[Block] = []
    run: list[Block] = []
    for b in [*blocks, None]:
        cell = b is not None and b.kind == KIND_HEADING and not b.text.endswith("?") and not _GRADED.search(b.text) \
            and not is_report_heading(b.text)
        if b is not None and cell and (not run or b.page == run[0].page):
            run.append(b)
            continue
        if len(run) >= CELL_RUN:
            out += [run[0], Block(KIND_TABLE, "\n".join(x.text for x in run[1:]), run[1].page)]
        else:
            out += run
        run = [b] if b is not None and cell else []
        if b is not None and not cell:
            out.append(b)
    return out


def _merge_tables(blocks: list[Block]) -> list[Block]:
    """Table rows split by blank lines are one table."""
    out: list[Block] = []
    for b in blocks:
        if b.kind == KIND_TABLE and out and out[-1].kind == KIND_TABLE and b.page - out[-1].page <= 1:
            out[-1].text += "\n" + b.text
        else:
            out.append(b)
    return out
