"""Segmented blocks -> the normalised report text, passages and items.

A passage is what search returns and what a citation points at: a
paragraph, a list with its lead-in, a table, a footnote. Paragraphs longer
than ``MAX_WORDS`` are cut between sentences (the embedding model reads
256 word pieces), never inside one. Offsets point into the normalised text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from graph.records import (
    KIND_AFI, KIND_CAUSE, KIND_COLUMNS, KIND_HEADING, KIND_JUDGMENT, KIND_LIST_ITEM, KIND_PARAGRAPH, KIND_SUMMARY,
    KIND_RECOMMENDATION, KIND_TABLE, KIND_URL, Item, Passage,
)
from graph.ingest.segment import Segmented
from graph.text import split_sentences, word_count

MAX_WORDS = 200
LISTABLE = (KIND_LIST_ITEM, KIND_RECOMMENDATION, KIND_AFI)
NOT_PASSAGES = (KIND_HEADING, KIND_URL, KIND_JUDGMENT)
NUMBERED = (KIND_PARAGRAPH, KIND_SUMMARY, KIND_CAUSE)  # the blocks a report numbers when it numbers paragraphs


@dataclass
class _Unit:
    """One or more consecutive blocks that become one passage (a list with its lead-in)."""

    segs: list[Segmented]
    spans: list[tuple[int, int]]  # offsets of each block's text in the report text

    @property
    def kind(self) -> str:
        kinds = [s.block.kind for s in self.segs]
        for k in (KIND_RECOMMENDATION, KIND_AFI, KIND_CAUSE):
            if k in kinds:
                return k
        return kinds[-1] if kinds[-1] != KIND_LIST_ITEM else ("list" if len(kinds) > 1 else KIND_LIST_ITEM)


def build(report_id: str, segs: list[Segmented]) -> tuple[str, list[Passage], list[Item]]:
    text, spans = _layout(segs)
    units = _units(segs, spans)
    passages: list[Passage] = []
    items: list[Item] = []
    para_no: dict[tuple[str, ...], int] = {}
    block_passage: dict[int, str] = {}
    printed = _printed_numbers(units)
    for n, unit in enumerate(units):
        first = unit.segs[0]
        key = tuple(first.path)
        para_no[key] = printed[n] if printed else para_no.get(key, 0) + 1
        for start, end in _pieces(text, unit):
            pid = f"{report_id}-p{len(passages) + 1:04d}"
            refs = sorted({r for s in unit.segs for r in s.block.footnote_refs}, key=int)
            passages.append(Passage(
                passage_id=pid, report_id=report_id, ordinal=len(passages) + 1, section=list(first.path),
                question=first.question, paragraph=para_no[key], kind=unit.kind, text=text[start:end],
                start=start, end=end, page=first.block.page, footnote_refs=refs,
            ))
            for s, (a, b) in zip(unit.segs, unit.spans):
                if a < end and b > start:
                    block_passage.setdefault(id(s), pid)
    for s in segs:
        items.extend(_items(report_id, s, block_passage.get(id(s)), len(items)))
    return text, passages, _dedupe_judgments(items)


def _items(report_id: str, s: Segmented, passage_id: str | None, count: int) -> list[Item]:
    """The block's own item, then each judgment stated in its text."""
    out: list[Item] = []
    b = s.block
    if s.item_kind:
        out.append(Item(
            item_id=f"{report_id}-i{count + 1:03d}", report_id=report_id, kind=s.item_kind,
            question=s.question, text=b.text if s.item_kind != KIND_JUDGMENT else b.text.capitalize(),
            passage_id=passage_id, carried_over_from=s.carried_over_from,
            grade=b.text.lower() if s.item_kind == KIND_JUDGMENT else None, lead=b.lead, overall=s.overall,
        ))
    for g in s.graded:
        out.append(Item(
            item_id=f"{report_id}-i{count + len(out) + 1:03d}", report_id=report_id, kind=KIND_JUDGMENT,
            question=g.area or s.question, text=g.grade.capitalize(), passage_id=passage_id, grade=g.grade,
            lead=g.area or None, overall=g.overall,
        ))
    return out


PARA_NO_RE = re.compile(r"^(\d{1,4})\.?\s+(?=[A-Z‘“\"'(])")


def _printed_numbers(units: list[_Unit]) -> list[int] | None:
    """The paragraph numbers the report prints ("12. The force ..."), when it numbers most paragraphs in
    order; a passage with no number of its own takes the number of the paragraph it follows."""
    numbers = [int(m.group(1)) if u.segs[0].block.kind in NUMBERED and (m := PARA_NO_RE.match(u.segs[0].block.text))
               else None for u in units]
    paras = [x for u, x in zip(units, numbers) if u.segs[0].block.kind in NUMBERED]
    given = [x for x in paras if x is not None]
    if len(given) < 3 or len(given) * 10 < len(paras) * 6 or any(a >= b for a, b in zip(given, given[1:])):
        return None
    out, last = [], 0
    for x in numbers:
        last = x if x is not None else max(last, 1)
        out.append(last)
    return out


def _layout(segs: list[Segmented]) -> tuple[str, list[tuple[int, int]]]:
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for s in segs:
        t = s.block.text
        spans.append((pos, pos + len(t)))
        parts.append(t)
        pos += len(t) + 2
    return "\n\n".join(parts), spans


def _units(segs: list[Segmented], spans: list[tuple[int, int]]) -> list[_Unit]:
    units: list[_Unit] = []
    for idx, (s, span) in enumerate(zip(segs, spans)):
        kind = s.block.kind
        if kind in NOT_PASSAGES:
            continue
        prev = units[-1] if units else None
        joins_list = (
            prev is not None and kind in LISTABLE and prev.segs[-1].path == s.path
            and idx > 0 and prev.segs[-1] is segs[idx - 1]
            and (prev.segs[-1].block.kind in LISTABLE or prev.segs[-1].block.text.rstrip().endswith(":"))
            and word_count(" ".join(x.block.text for x in prev.segs)) + word_count(s.block.text) <= MAX_WORDS
        )
        if joins_list and prev is not None:
            prev.segs.append(s)
            prev.spans.append(span)
        else:
            units.append(_Unit([s], [span]))
    return units


def _pieces(text: str, unit: _Unit) -> list[tuple[int, int]]:
    """Split a unit into passages of at most MAX_WORDS, between sentences."""
    start, end = unit.spans[0][0], unit.spans[-1][1]
    if len(unit.segs) > 1 or word_count(text[start:end]) <= MAX_WORDS or unit.kind in (KIND_TABLE, KIND_COLUMNS):
        if unit.kind != KIND_COLUMNS or word_count(text[start:end]) <= MAX_WORDS:
            return [(start, end)]
    sents = [(start + a, start + b) for a, b in split_sentences(text[start:end])]
    out: list[tuple[int, int]] = []
    cur_start, cur_words, cur_end = None, 0, start
    for a, b in sents:
        w = word_count(text[a:b])
        if cur_start is not None and cur_words + w > MAX_WORDS:
            out.append((cur_start, cur_end))
            cur_start, cur_words = None, 0
        if cur_start is None:
            cur_start = a
        cur_words += w
        cur_end = b
    if cur_start is not None:
        out.append((cur_start, cur_end))
    return out


def _dedupe_judgments(items: list[Item]) -> list[Item]:
    """One judgment per question: the one in the body beats the one on a summary page."""
    def key(it: Item) -> str:
        return "overall" if it.overall else " ".join(sorted(set(
            w for w in (it.question or "").lower().replace(",", " ").split() if len(w) > 3)))

    body = {key(it) for it in items if it.kind == KIND_JUDGMENT and not it.lead}
    out = [it for it in items if not (it.kind == KIND_JUDGMENT and it.lead and key(it) in body)]
    seen: set[str] = set()
    result = []
    for it in out:
        if it.kind == KIND_JUDGMENT:
            if key(it) in seen:
                continue
            seen.add(key(it))
        result.append(it)
    return result

