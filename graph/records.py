"""The records that flow through the pipeline: raw lines -> blocks -> passages.

Plain dataclasses, no I/O: loaders produce a ``RawDocument``, the normaliser
turns it into ``Block``s, the segmenter and passage builder produce
``Passage``s and ``Item``s, and the store persists a ``Report``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# the five judgment grades, best first: defined once, in the ontology; re-exported for the ingest stages
from ontology.terms import GRADES as GRADES

# Hints a loader may attach to a line when the file format tells us its role.
HINT_HEADING = "heading"  # with Line.level 1..6
HINT_ITEM = "item"  # a list item (bullet or numbered)
HINT_TABLE = "table"  # one row of a table, cells joined by " | "
HINT_PARA = "para"  # a complete paragraph: never joined with its neighbours
HINT_CAPTION = "caption"  # figure/table caption
HINT_RULE = "rule"  # a horizontal rule (footnote separator in PDF extractions); text is ""

# Block and passage kinds.
KIND_HEADING = "heading"
KIND_PARAGRAPH = "paragraph"
KIND_LIST_ITEM = "list_item"
KIND_TABLE = "table"
KIND_FOOTNOTE = "footnote"
KIND_CAPTION = "caption"
KIND_URL = "url"
KIND_COLUMNS = "columns"  # a multi-column page that could not be put in reading order
KIND_JUDGMENT = "judgment"
KIND_CAUSE = "cause_of_concern"
KIND_RECOMMENDATION = "recommendation"
KIND_AFI = "area_for_improvement"
KIND_SUMMARY = "summary"  # a "summary of findings" paragraph

ITEM_KINDS = (KIND_RECOMMENDATION, KIND_AFI, KIND_CAUSE, KIND_JUDGMENT)


@dataclass
class Line:
    text: str
    page: int = 1
    hint: str | None = None
    level: int = 0


@dataclass
class RawDocument:
    """What a loader read: lines in reading order, with page numbers and hints."""

    source: str
    format: str  # txt | pdf | html | docx
    sha256: str
    lines: list[Line]
    # True when lines are hard-wrapped (PDF text), False when each line is a
    # whole paragraph, None to let the normaliser decide from the text.
    wrapped: bool | None = None
    title: str | None = None  # a title the file itself declares (HTML <title>, DOCX core property)
    # False when the source has no pages (HTML, DOCX, text with one paragraph per line): citations give no page
    paged: bool = True


@dataclass
class Block:
    kind: str
    text: str
    page: int = 1
    level: int = 0  # heading level (1 = inspection question)
    footnote_refs: list[str] = field(default_factory=list)  # footnote markers cited in the text
    marker: str | None = None  # a footnote's own number
    lead: str | None = None  # a list item's lead-in sentence ("The force should:")


@dataclass
class Passage:
    passage_id: str
    report_id: str
    ordinal: int
    section: list[str]
    question: str | None
    paragraph: int
    kind: str
    text: str
    start: int
    end: int
    page: int | None = 1  # the printed page; None when the source has no pages
    footnote_refs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Item:
    """A recommendation, area for improvement, cause of concern or judgment."""

    item_id: str
    report_id: str
    kind: str
    question: str | None
    text: str
    passage_id: str | None = None
    carried_over_from: str | None = None
    grade: str | None = None
    lead: str | None = None
    overall: bool = False  # a judgment of the whole inspection, not of one question

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReportMeta:
    force: str | None
    year: str | None  # the period as published: "2015", "2018/19"
    year_end: int | None  # last calendar year of the period, for filters and ordering
    programme: str | None  # e.g. "PEEL effectiveness"
    title: str


@dataclass
class Report:
    report_id: str
    source: str
    format: str
    sha256: str
    meta: ReportMeta
    text: str  # the normalised text every passage offset points into
    passages: list[Passage]
    items: list[Item]
    # what a reader should know about the ingest ("no force or period found: this may not be an inspection report")
    warnings: list[str] = field(default_factory=list)
