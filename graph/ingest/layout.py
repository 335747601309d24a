"""Page layout rules for text extracted from PDFs: what is furniture, a footnote, a heading.

Running headers and page numbers, footnotes under a rule or at the page foot,
link URLs, two-column pages, line-end hyphenation and hard wrapping: each a
rule about layout and generic report conventions, never about one report.
"""
from __future__ import annotations

import re
from collections import Counter
from statistics import median

from graph.ingest.judgments import labelled_block
from graph.records import HINT_RULE, KIND_HEADING, Block, Line
from graph.text import URL_LINE_RE, collapse, is_bullet, word_count

CAPTION_RE = re.compile(r"^\s*(?:(?:Figure|Fig\.|Table|Chart|Graph|Map|Diagram|Infographic)\s+\d+[A-Za-z]?\b"
                        r"|Source\s*:|Sources\s*:|Notes?\s*:|\*)", re.I)
# A heading that a line runs straight into: "Summary for question 2How effective ...?"
RUN_IN_RE = re.compile(r"^(Summary for question \d+)\s*(\S.*)?$", re.I)
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




def _heading_like(text: str) -> bool:
    """A short line that does not read as a sentence: a heading in paragraph text."""
    if word_count(text) > 16 or len(text) > 140 or not text[0].isupper() and not text[0].isdigit():
        return False
    if text.rstrip()[-1] in ".,;:!" or is_bullet(text):
        return False
    digits = sum(c.isdigit() for c in text)
    return digits < len(text) * 0.3


QUESTION_START_RE = re.compile(r"^(?:How (?:well|effective|efficient|legitimate|good) |To what extent )")


def question_line(text: str) -> bool:
    """An inspection question on a line of its own ("To what extent is the force ...?"), however long."""
    return bool(QUESTION_START_RE.match(text)) and text.rstrip().endswith("?") and word_count(text) <= 40


def _run_in_headings(text: str, page: int, level: int) -> list[Block]:
    """A heading line -> heading blocks; a line that is an area and its grade is a judgment instead."""
    judged = labelled_block(text, page)
    if judged is not None:
        return [judged]
    m = RUN_IN_RE.match(text)
    if not m:
        return [Block(KIND_HEADING, text, page, level)]
    out = [Block(KIND_HEADING, m.group(1), page, level)]
    if m.group(2):
        out.append(Block(KIND_HEADING, m.group(2).strip(), page, level))
    return out


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


def printed_pages(pages: list[tuple[int, list[Line]]]) -> dict[int, int]:
    """Physical page -> the page number printed at its head or foot, when the document prints them
    in order on at least half its pages (a citation gives the number the reader sees)."""
    printed: dict[int, int] = {}
    for page_no, plines in pages:
        texts = [ln.text for ln in plines if ln.text.strip()]
        for t in texts[:1] + texts[-1:]:
            if PAGE_NO_RE.match(t):
                printed[page_no] = int(re.search(r"\d+", t).group(0))  # type: ignore[union-attr]
                break
    numbers = [printed[p] for p, _ in pages if p in printed]
    in_order = all(a < b for a, b in zip(numbers, numbers[1:]))
    return printed if numbers and in_order and len(numbers) * 2 >= len(pages) else {}


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


def _split_page(plines: list[Line], last_note: int
                ) -> tuple[list[str], list[tuple[str, list[str]]], list[str], list[list[str]]]:
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


