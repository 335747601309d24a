"""Small text rules shared by the normaliser, the segmenter and the passage builder.

Sentence splitting, bullet and grade recognition, whitespace clean-up: the
pieces that must behave the same wherever text is cut.
"""
from __future__ import annotations

import re

from graph.records import GRADES

BULLET_RE = re.compile(r"^\s*(?:[•●▪◦■□‣⁃*·–—-]|\(?[a-z]\)|\(?\d{1,2}[.)])\s+")
NEWLINES_RE = re.compile("\r\n?|[\u2028\u2029\x85\x0b]")  # every line break a file may use
URL_LINE_RE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.I)
URL_RE = re.compile(r"(?:https?://|www\.)[^\s)>\]]+", re.I)
GRADE_RE = re.compile(r"^\s*(" + "|".join(GRADES) + r")\s*\.?\s*$", re.I)
TERMINAL = ".?!:;…"
CLOSERS = "\"'”’)]"

# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "prof", "no", "nos", "vol", "fig", "figs",
    "para", "paras", "st", "co", "ltd", "inc", "vs", "v", "cf", "approx", "dept", "govt",
    "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "supt", "insp", "sgt", "pc", "ds", "di", "dci", "dcc", "acc", "cc", "op", "ch",
}
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and
# an upper-case letter, digit, opening quote or bullet.
_SENT_END_RE = re.compile(r"([.!?…][\"'”’)\]]*)\s+(?=[A-Z0-9‘“\"'(£•])")


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def is_bullet(line: str) -> bool:
    return bool(BULLET_RE.match(line))


def strip_bullet(line: str) -> str:
    return BULLET_RE.sub("", line, count=1).strip()


def grade_of(text: str) -> str | None:
    """The judgment grade if the text is nothing but a grade ("Requires improvement")."""
    m = GRADE_RE.match(text)
    return m.group(1).lower() if m else None


def ends_sentence(text: str) -> bool:
    t = text.rstrip().rstrip(CLOSERS)
    return bool(t) and t[-1] in TERMINAL


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (covering it, no gaps but spaces)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        end = m.end(1)
        before = text[start:m.start(1)]
        word = re.split(r"[\s(]", before)[-1].lower() if before else ""
        if m.group(1)[0] == "." and (word.rstrip(".") in _ABBREV or re.fullmatch(r"(?:[a-z]\.)+[a-z]?", word)):
            continue
        if m.group(1)[0] == "." and re.fullmatch(r"\d+", word) and start == m.start(1) - len(word):
            continue  # a numbered list marker "1." at the start
        spans.append((start, end))
        start = m.end()
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def word_count(text: str) -> int:
    return len(text.split())
