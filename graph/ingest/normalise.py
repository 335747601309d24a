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
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from graph.records import (
    HINT_CAPTION, HINT_HEADING, HINT_ITEM, HINT_PARA, HINT_RULE, HINT_TABLE, KIND_CAPTION, KIND_COLUMNS,
    KIND_FOOTNOTE, KIND_HEADING, KIND_JUDGMENT, KIND_LIST_ITEM, KIND_PARAGRAPH, KIND_TABLE,
    KIND_URL, Block, Line, RawDocument,
)
from graph.text import (
    URL_LINE_RE, collapse, ends_sentence, grade_of, is_bullet, strip_bullet, word_count,
)

CAPTION_RE = re.compile(r"^\s*(?:(?:Figure|Fig\.|Table|Chart|Graph|Map|Diagram|Infographic)\s+\d+[A-Za-z]?\b|Source\s*:|Sources\s*:|Notes?\s*:|\*)", re.I)
# A heading that a line runs straight into: "Summary for question 2How effective ...?"
RUN_IN_RE = re.compile(r"^(Summary for question \d+)\s*(\S.*)?$", re.I)
TABULAR_RE = re.compile(r"(?:\S\s{3,}\S)|(?:(?:^|\s)[-+]?[£$€]?\d[\d,]*(?:\.\d+)?\s*(?:%|percent)?\s*$)")
PAGE_NO_RE = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.I)
# Footnote markers glued to the word or punctuation before them: "judgment1", "(IOM)9", "Act 2014.3", "fraud)4 5 6".
MARKER_RE = re.compile(r"(?:(?<=[A-Za-z)\].,;:’'\"”?])|(?<=\b(?:19|20)\d\d))(\d{1,3})((?:\s\d{1,3})*)(?=[\s,.;:)]|$)")
FOOTNOTE_START_RE = re.compile(r"^\s*(\d{1,3})\s+([^a-z\s].*)$")  # a note's text does not start in lower case
HYPHEN_PREFIXES = {
    "anti", "co", "non", "multi", "pre", "post", "re", "self", "cross", "well", "semi", "sub",
    "inter", "intra", "over", "under", "counter", "cyber", "ex", "high", "low", "long", "short",
    "front", "back", "first", "second", "third", "full", "part", "half", "one", "two", "three",
    "four", "five", "six", "year", "day", "week", "month", "risk", "evidence", "problem", "on",
    "off", "out", "in", "up", "down", "all", "top", "mid", "cost", "value", "life", "joint",
}


@dataclass
class _Chunk:
    lines: list[str]
    page: int
    first_on_page: bool = False
    last_on_page: bool = False
    notes: set[str] = field(default_factory=set)  # footnote numbers of the page(s) it sits on


def normalise(doc: RawDocument) -> list[Block]:
    wrapped = doc.wrapped if doc.wrapped is not None else looks_wrapped(doc.lines)
    blocks = _from_wrapped(doc.lines) if wrapped else _from_paragraph_lines(doc.lines)
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
    for ln in lines:
        text = collapse(ln.text)
        if not text:
            continue
        if ln.hint == HINT_HEADING:
            blocks.extend(_run_in_headings(text, ln.page, ln.level))
        elif ln.hint == HINT_ITEM:
            blocks.append(Block(KIND_LIST_ITEM, strip_bullet(text) if is_bullet(text) else text, ln.page))
        elif ln.hint == HINT_TABLE:
            blocks.append(Block(KIND_TABLE, text, ln.page))
        elif ln.hint == HINT_CAPTION:
            blocks.append(Block(KIND_CAPTION, text, ln.page))
        elif URL_LINE_RE.match(text):
            blocks.append(Block(KIND_URL, text, ln.page))
        elif grade_of(text):
            blocks.append(Block(KIND_JUDGMENT, grade_of(text) or text, ln.page))
        elif is_bullet(text) and ln.hint != HINT_PARA:
            blocks.append(Block(KIND_LIST_ITEM, strip_bullet(text), ln.page))
        elif ln.hint != HINT_PARA and (RUN_IN_RE.match(text) or _heading_like(text)):
            blocks.extend(_run_in_headings(text, ln.page, 0))
        elif CAPTION_RE.match(text) and word_count(text) < 40:
            blocks.append(Block(KIND_CAPTION, text, ln.page))
        else:
            blocks.append(Block(KIND_PARAGRAPH, text, ln.page))
    return blocks


def _heading_like(text: str) -> bool:
    """A short line that does not read as a sentence: a heading in paragraph text."""
    if word_count(text) > 16 or len(text) > 140 or not text[0].isupper() and not text[0].isdigit():
        return False
    if text.rstrip()[-1] in ".,;:!" or is_bullet(text):
        return False
    digits = sum(c.isdigit() for c in text)
    return digits < len(text) * 0.3


def _run_in_headings(text: str, page: int, level: int) -> list[Block]:
    m = RUN_IN_RE.match(text)
    if not m:
        return [Block(KIND_HEADING, text, page, level)]
    out = [Block(KIND_HEADING, m.group(1), page, level)]
    if m.group(2):
        out.append(Block(KIND_HEADING, m.group(2).strip(), page, level))
    return out


# ---------------------------------------------------------------- wrapped text


class _Vocab:
    """Words of the document itself: evidence for undoing line-end hyphenation."""

    def __init__(self, lines: list[Line]) -> None:
        words: Counter[str] = Counter()
        compounds: Counter[str] = Counter()
        for ln in lines:
            text = ln.text.strip()
            # a hyphen at the very end of a line is the question, not evidence
            if text.endswith("-"):
                text = text[:-1]
            for tok in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", text):
                tok = tok.lower()
                if "-" in tok:
                    compounds[tok] += 1
                    words.update(tok.split("-"))
                else:
                    words[tok] += 1
        self.words = words
        self.compounds = compounds

    def keep_hyphen(self, left: str, right: str) -> bool:
        left_l, right_l = left.lower(), right.lower()
        if f"{left_l}-{right_l}" in self.compounds:
            return True
        if left_l + right_l in self.words:
            return False
        if left_l in HYPHEN_PREFIXES:
            return True
        return left_l in self.words and right_l in self.words and len(left_l) > 2 and len(right_l) > 2


def _join(lines: list[str], vocab: _Vocab) -> str:
    """Undo hard wrapping: join lines, mending words broken by a line-end hyphen."""
    out = ""
    for raw in lines:
        line = collapse(raw)
        if not line:
            continue
        if not out:
            out = line
            continue
        m = re.search(r"([A-Za-z]+)-$", out)
        n = re.match(r"([a-z]+)", line)
        if m and n and not out.endswith("--"):
            if vocab.keep_hyphen(m.group(1), n.group(1)):
                out += line
            else:
                out = out[:-1] + line
        elif re.search(r"(?:https?://|www\.)\S*[/_.-]$", out) and not line[0].isupper():
            out += line  # a URL broken over two lines
        else:
            out += " " + line
    return out


def _pages(lines: list[Line]) -> list[tuple[int, list[Line]]]:
    pages: dict[int, list[Line]] = {}
    for ln in lines:
        pages.setdefault(ln.page, []).append(ln)
    return sorted(pages.items())


def _furniture(pages: list[tuple[int, list[Line]]]) -> set[str]:
    """Running headers and footers: the same line near the top or foot of many pages."""
    if len(pages) < 4:
        return set()
    seen: Counter[str] = Counter()
    for _, plines in pages:
        texts = [collapse(ln.text) for ln in plines if ln.text.strip()]
        edge = set(texts[:2] + texts[-2:])
        seen.update(re.sub(r"\d+", "#", t) for t in edge if len(t) < 100)
    threshold = max(3, int(0.3 * len(pages)))
    keys = {k for k, c in seen.items() if c >= threshold}
    out: set[str] = set()
    for _, plines in pages:
        for ln in plines:
            t = collapse(ln.text)
            if t and re.sub(r"\d+", "#", t) in keys:
                out.add(t)
    return out


def _strip_page_numbers(plines: list[Line]) -> list[Line]:
    idx = [i for i, ln in enumerate(plines) if ln.text.strip()]
    drop = {i for i in idx[:1] + idx[-1:] if PAGE_NO_RE.match(plines[i].text)}
    return [ln for i, ln in enumerate(plines) if i not in drop]


def _body_width(pages: list[tuple[int, list[Line]]]) -> float:
    lengths = sorted(len(ln.text.strip()) for _, pl in pages for ln in pl if ln.text.strip())
    if not lengths:
        return 80.0
    return float(lengths[int(0.9 * (len(lengths) - 1))])


def _is_column_page(body: list[str], width: float) -> bool:
    texts = [t.strip() for t in body if t.strip()]
    if len(texts) < 12:
        return False
    lengths = sorted(len(t) for t in texts)
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    return p90 < 0.62 * width and median(lengths) > 15


def _markers(text: str) -> list[str]:
    out = []
    for m in MARKER_RE.finditer(text):
        out.append(m.group(1))
        out.extend(m.group(2).split())
    return out


def _split_page(plines: list[Line], last_note: int) -> tuple[list[str], list[tuple[str, list[str]]], list[str], list[list[str]]]:
    """Separate a page into body lines, footnotes (number, lines), link URLs and residue.

    ``last_note`` is the number of the last footnote seen on earlier pages:
    notes are numbered in sequence, so the next number is a note even when
    its marker could not be found in the body.
    """
    rule = next((i for i, ln in enumerate(plines) if ln.hint == HINT_RULE), None)
    texts = [ln.text for ln in plines]
    if rule is None:
        rule = _footnote_start(texts, last_note)
        body, foot = texts[:rule], texts[rule:]
    else:
        body, foot = texts[:rule], texts[rule + 1:]
    urls = [t for t in body if URL_LINE_RE.match(t)]
    body = [t for t in body if not URL_LINE_RE.match(t)]
    cited = {n for t in body for n in _markers(t)}
    notes: list[tuple[str, list[str]]] = []
    residue: list[list[str]] = []
    after_blank = False
    for text in foot:
        if not text.strip():
            after_blank = True
            continue
        m = FOOTNOTE_START_RE.match(text)
        prev = int(notes[-1][0]) if notes else last_note
        if m and int(m.group(1)) > prev and (m.group(1) in cited or int(m.group(1)) == prev + 1):
            notes.append((m.group(1), [m.group(2)]))
        elif URL_LINE_RE.match(text) and (after_blank or not notes):
            urls.append(text)
        elif notes and not after_blank:
            notes[-1][1].append(text)
        elif residue and not after_blank:
            residue[-1].append(text)
        else:
            residue.append([text])
        after_blank = False
    return body, notes, urls, residue


def _footnote_start(texts: list[str], last_note: int) -> int:
    """Without a rule line, footnotes start at a numbered line in the lower part
    of the page whose number is cited above it or follows the last note."""
    for i in range(int(len(texts) * 0.4), len(texts)):
        m = FOOTNOTE_START_RE.match(texts[i])
        if m and int(m.group(1)) > last_note and (
            m.group(1) in {n for t in texts[:i] for n in _markers(t)} or int(m.group(1)) == last_note + 1
        ) and i > 0 and not texts[i - 1].strip():
            return i
    return len(texts)


def _strip_markers(text: str, numbers: set[str]) -> tuple[str, list[str]]:
    refs: list[str] = []

    def repl(m: re.Match[str]) -> str:
        nums = [m.group(1)] + m.group(2).split()
        if all(n in numbers for n in nums):
            refs.extend(nums)
            return ""
        return m.group(0)

    return MARKER_RE.sub(repl, text), refs


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
    if not prev or _starts_lower(line) or is_bullet(line) and is_bullet(prev):
        return False
    short_prev = len(prev) < 0.6 * width
    if short_prev and ends_sentence(prev):
        return True  # the last line of a paragraph
    if ends_sentence(prev) and len(line) < 0.6 * width and not ends_sentence(line) and _heading_like(collapse(line)):
        return bool(nxt) and not _starts_lower(nxt)  # a heading line between two paragraphs
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
    hits = sum(1 for t in rows if TABULAR_RE.search(t.rstrip()))
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
        if grade:
            blocks.append(Block(KIND_JUDGMENT, grade, ch.page))
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


def _from_wrapped(lines: list[Line]) -> list[Block]:
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
    body_blocks = _merge_tables(body_blocks)
    # Side blocks go after the body text of their page, never inside a paragraph.
    out: list[Block] = []
    pending = sorted(side)
    for b in body_blocks:
        while pending and pending[0] < b.page:
            out.extend(side.pop(pending.pop(0)))
        out.append(b)
    for p in pending:
        out.extend(side[p])
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
