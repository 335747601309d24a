"""Raw lines -> clean blocks: the layout clean-up every later stage relies on.

Two kinds of input reach us. Paragraph text (HTML, DOCX, clean text files)
has one paragraph per line and needs little more than classification.
Wrapped text (PDF extractions) needs its layout undone: pages, footnotes
under a rule or at the page foot, link URLs, figure residue and tables,
running headers and page numbers, two-column summary pages, hard wrapping
and line-end hyphenation. The rules look at layout and generic report
conventions only, never at the wording of a particular report.
"""
from __future__ import annotations

import re

from graph.ingest import judgments
from graph.ingest.layout import CAPTION_RE, RUN_IN_RE, _heading_like, _run_in_headings, question_line
from graph.ingest.wrapped import from_wrapped
from graph.records import (
    HINT_CAPTION, HINT_HEADING, HINT_ITEM, HINT_PARA, HINT_TABLE, KIND_CAPTION, KIND_JUDGMENT, KIND_LIST_ITEM,
    KIND_PARAGRAPH, KIND_TABLE, KIND_URL, Block, Line, RawDocument,
)
from graph.text import URL_LINE_RE, collapse, ends_sentence, grade_of, is_bullet, strip_bullet, word_count

TABLE_WORDS = 200  # a table longer than this is cut into several blocks (passages)


def normalise(doc: RawDocument) -> list[Block]:
    wrapped = doc.wrapped if doc.wrapped is not None else looks_wrapped(doc.lines)
    blocks = from_wrapped(doc.lines) if wrapped else _from_paragraph_lines(doc.lines)
    return [b for b in blocks if b.text.strip()]


def looks_wrapped(lines: list[Line]) -> bool:
    """Hard-wrapped text has many lines of similar width that stop mid-sentence."""
    body = [ln.text.strip() for ln in lines if ln.text.strip()]
    if len(body) < 5:
        return False
    lengths = sorted(len(t) for t in body)
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    if p90 > 200:
        return False
    # Judge by the lines of (near) full width: headings, grades and bullets are short in both
    # layouts, and a clean report with many of them must not pass for wrapped text.
    wide = [i for i, t in enumerate(body) if len(t) >= 0.6 * p90]
    open_idx = [i for i in wide if not ends_sentence(body[i])]
    # and a wrapped line's sentence goes on in the next line, mostly with a lower-case word
    # (a clean line ending "... (Legitimacy 2017)" is followed by a new paragraph or bullet)
    goes_on = sum(1 for i in open_idx if i + 1 < len(body) and body[i + 1][:1].islower())
    return len(open_idx) / len(wide) > 0.4 and goes_on >= 0.3 * len(open_idx)


# ---------------------------------------------------------------- paragraph text


def _from_paragraph_lines(lines: list[Line]) -> list[Block]:
    blocks: list[Block] = []
    numbered = numbers_paragraphs([ln.text for ln in lines])
    for ln in lines:
        text = collapse(ln.text)
        if not text:
            continue
        if numbered and NUMBERED_PARA_RE.match(text) and word_count(text) >= 20:
            blocks.append(Block(KIND_PARAGRAPH, text, ln.page))  # "12. The force ...": a paragraph, number kept
        elif ln.hint == HINT_HEADING:
            blocks.extend(_run_in_headings(text, ln.page, ln.level))
        elif ln.hint == HINT_ITEM:
            blocks.append(Block(KIND_LIST_ITEM, strip_bullet(text) if is_bullet(text) else text, ln.page))
        elif ln.hint == HINT_TABLE:
            _add_row(blocks, text, ln.page)
        elif judged := judgments.labelled_block(text, ln.page):
            blocks.append(judged)
        elif ln.hint == HINT_CAPTION:
            blocks.append(Block(KIND_CAPTION, text, ln.page))
        elif URL_LINE_RE.match(text):
            blocks.append(Block(KIND_URL, text, ln.page))
        elif grade_of(text):
            blocks.append(Block(KIND_JUDGMENT, grade_of(text) or text, ln.page))
        elif is_bullet(text) and ln.hint != HINT_PARA:
            blocks.append(Block(KIND_LIST_ITEM, strip_bullet(text), ln.page))
        elif ln.hint != HINT_PARA and (RUN_IN_RE.match(text) or _heading_like(text) or question_line(text)):
            blocks.extend(_run_in_headings(text, ln.page, 0))
        elif CAPTION_RE.match(text) and word_count(text) < 40:
            blocks.append(Block(KIND_CAPTION, text, ln.page))
        else:
            blocks.append(Block(KIND_PARAGRAPH, text, ln.page))
    return blocks


def _add_row(blocks: list[Block], row: str, page: int) -> None:
    """Consecutive table rows are one table block (one passage), up to about a passage's length."""
    last = blocks[-1] if blocks else None
    if last is not None and last.kind == KIND_TABLE and word_count(last.text) + word_count(row) <= TABLE_WORDS:
        last.text += "\n" + row
    else:
        blocks.append(Block(KIND_TABLE, row, page))


NUMBERED_PARA_RE = re.compile(r"^(\d{1,4})\.\s+[A-Z‘“\"']")


def numbers_paragraphs(texts: list[str]) -> bool:
    """Does the report number its paragraphs? At least five long lines open with numbers that rise."""
    numbers = [int(m.group(1)) for t in texts if (m := NUMBERED_PARA_RE.match(t.strip())) and word_count(t) >= 20]
    return len(numbers) >= 5 and all(a < b for a, b in zip(numbers, numbers[1:]))
