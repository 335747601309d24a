"""Blocks -> the heading tree and the special blocks of an inspection report.

Inspection reports share a shape: inspection questions ("How effective is
the force at ...?", or a topic heading followed by its grade), sections and
subsections under them, and special sections (causes of concern,
recommendations, areas for improvement, summaries of findings, judgments).
These rules use that shared shape, never the wording of one report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.ingest import judgments
from graph.ingest.judgments import JUDGMENT_LABEL, Graded
from graph.records import (
    KIND_AFI, KIND_CAUSE, KIND_HEADING, KIND_JUDGMENT, KIND_LIST_ITEM, KIND_PARAGRAPH,
    KIND_RECOMMENDATION, KIND_SUMMARY, KIND_TABLE, Block,
)
from graph.text import collapse, sentences

QUESTION_RE = re.compile(
    r"^(?:Overview\s*[–—:-]\s*)?How (?:effective|efficient|legitimate) (?:is|are) "
    r"the (?:force|forces|constabulary|police service)\b.*\?$", re.I)
OVERVIEW_RE = re.compile(r"^(?:Overview|Overall)\b", re.I)
FRONT_RE = re.compile(
    r"^(?:Introduction|Foreword|Preface|Contents|Glossary|References|Methodology|About (?:this|the|our)\b.*|"
    r"Annex\b.*|Appendix\b.*|Force in (?:numbers|context)|Key facts|Our inspection|Background|"
    r"Context|Next steps|Conclusions?)$", re.I)
CAUSE_RE = re.compile(r"^Causes? (?:of|for) concern\b", re.I)
RECOMMENDATION_RE = re.compile(r"^Recommendations?\b(?:\s+\d+)?$", re.I)
AFI_RE = re.compile(r"^Areas? for improvement\b(?:\s+\d+)?$", re.I)
SUMMARY_RE = re.compile(r"^(?:Summary(?: of findings)?|Overall summary|Summary for question \d+)$", re.I)
OVERALL_JUDGMENT_RE = re.compile(r"^(?:Overall judge?ment|Overall grade|Our judge?ments?|Judge?ment)\s*[\d¹²³]{0,2}$",
                                 re.I)
CARRIED_RE = re.compile(r"still outstanding|outstanding from|carried (?:over|forward)|previous inspections?|"
                        r"earlier inspections?|last inspection", re.I)
ORIGIN_RE = re.compile(r"\(([^()]*\b(?:19|20)\d\d(?:/\d\d)?[^()]*)\)\s*\.?\s*$")
# an action a report asks for: "The force should ...", "By June 2022, X Police must ...", "Within three months, ..."
ACTION_RE = re.compile(r"^(?:(?:By|Within|Over)\b[^,]{1,40},\s*)?(?:The force|It|We recommend|By \w+ \d{4}|Forces?|"
                       r"The constabulary|Chief constables?|The service|"
                       r"(?:[A-Z][\w'’-]*\s+){1,4}(?:Police|Constabulary))\b"
                       r".{0,80}\b(?:should|must|needs? to|to ensure)\b", re.I)
RECOMMEND_LEAD_RE = re.compile(r"\b(?:we recommend|recommendations?)\b", re.I)

SPECIALS = (CAUSE_RE, RECOMMENDATION_RE, AFI_RE, SUMMARY_RE, OVERALL_JUDGMENT_RE)
# headings that only inspection reports carry: questions in other words, PEEL areas, inspection front matter
REPORT_HEADING_RE = re.compile(r"^(?:How (?:well|good|effective|efficient|legitimate)\b.*\?|To what extent\b.*\?|"
                               r"(?:PEEL|Police effectiveness|An inspection of|Our judge?ments|Main findings|"
                               r"Overall summary|Force in (?:numbers|context))\b)", re.I)


@dataclass
class Segmented:
    """Blocks with their heading path and question, ready to become passages."""

    block: Block
    path: list[str]
    question: str | None
    item_kind: str | None = None  # recommendation / area_for_improvement / cause_of_concern / judgment
    carried_over_from: str | None = None
    overall: bool = False
    graded: list[Graded] = field(default_factory=list)  # judgments stated in a table, labelled line or prose


@dataclass
class _State:
    stack: list[tuple[int, str]] = field(default_factory=list)
    question: str | None = None
    overall_question: str | None = None
    special: str | None = None  # cause / recommendation / afi / summary / judgment
    carried: bool = False
    lone_depth: int = 2


def _heading_type(text: str) -> str:
    if QUESTION_RE.match(text):
        return "question"
    if any(r.match(text) for r in SPECIALS):
        return "special"
    if FRONT_RE.match(text):
        return "front"
    return "ordinary"


def is_report_heading(text: str) -> bool:
    """An inspection question or one of a report's own sections (causes of concern, judgments...)."""
    return _heading_type(text) in ("question", "special") or bool(REPORT_HEADING_RE.match(text))


def segment(blocks: list[Block]) -> list[Segmented]:
    levels = _levels(blocks)
    st = _State()
    out: list[Segmented] = []
    listing = False  # after "graded good in five areas ...", until the next heading: plain grades are gradings
    for i, b in enumerate(blocks):
        if b.kind == KIND_HEADING:
            _enter_heading(st, b.text, levels[i])
            out.append(Segmented(b, _path(st), st.question))
            listing = False
            continue
        seg = Segmented(b, _path(st), st.question)
        if b.kind == KIND_JUDGMENT:
            _judgment(st, b, seg)
        else:
            opens = i > 0 and blocks[i - 1].kind in (KIND_HEADING, KIND_JUDGMENT)
            listing = listing or judgments.counts_areas(b.text)
            seg.graded = _graded(b, st.stack[-1][1] if st.stack and opens else None, listing)
            if st.special and b.kind in (KIND_PARAGRAPH, KIND_LIST_ITEM):
                _special_item(st, b, seg)
        out.append(seg)
    return out


def _judgment(st: _State, b: Block, seg: Segmented) -> None:
    """A grade block: for the question named beside it, else the current (or overall) question."""
    seg.item_kind = KIND_JUDGMENT
    label = JUDGMENT_LABEL.match(b.lead) if b.lead else None
    if b.lead and not label:  # the question is named next to the grade (summary pages, tables)
        seg.question = _strip_overview(b.lead)
    elif (label and label.group("overall")) or st.special == "judgment" or st.question is None \
            or st.question == st.overall_question:
        seg.overall = st.overall_question is not None or st.question is None or bool(label and label.group("overall"))
        seg.question = st.overall_question or st.question


def _graded(b: Block, heading: str | None, listing: bool = False) -> list[Graded]:
    """Judgments a table, a labelled line or a sentence about the force states.

    A plain "the force is good at X" counts only where it opens the section about X (as graded
    areas are reported since 2021) or follows a count of graded areas (``listing``); elsewhere (a
    summary of a pillar) it describes, not grades."""
    if b.kind == KIND_TABLE:
        return judgments.table(b.text.split("\n"))
    if b.kind not in (KIND_PARAGRAPH, KIND_LIST_ITEM, KIND_SUMMARY):
        return []
    if not judgments.names_grade(b.text):
        return []
    found = judgments.line(b.text)
    if found:
        return found
    sents = sentences(b.text)
    return [g for n, s in enumerate(sents) for g in judgments.prose(s)
            if g.explicit or listing or (n == 0 and heading is not None and not heading.endswith("?")
                and judgments.names_heading(g.area, heading))]


def _special_item(st: _State, b: Block, seg: Segmented) -> None:
    text = b.text
    if st.special == "cause" and b.kind == KIND_PARAGRAPH and text.rstrip().endswith(":") \
            and RECOMMEND_LEAD_RE.search(text):
        st.special = "recommendation"  # "To address this cause of concern, we recommend that the force should:"
    elif st.special == "cause" and b.kind == KIND_PARAGRAPH and not text.rstrip().endswith(":"):
        seg.item_kind = KIND_CAUSE
        b.kind = KIND_CAUSE
    elif st.special in ("recommendation", "afi"):
        if b.kind == KIND_PARAGRAPH and CARRIED_RE.search(text) and text.rstrip().endswith(":"):
            st.carried = True
            return
        if b.kind == KIND_PARAGRAPH and (text.rstrip().endswith(":") or not ACTION_RE.match(text)):
            return
        kind = KIND_RECOMMENDATION if st.special == "recommendation" else KIND_AFI
        seg.item_kind = kind
        b.kind = kind
        origin = ORIGIN_RE.search(text)
        if origin:
            seg.carried_over_from = collapse(origin.group(1))
        elif st.carried:
            seg.carried_over_from = "previous inspection"
    elif st.special == "summary" and b.kind == KIND_PARAGRAPH:
        b.kind = KIND_SUMMARY


def _strip_overview(text: str) -> str:
    return re.sub(r"^(?:Overview|Overall)\s*[–—:-]\s*", "", text).strip()


def _enter_heading(st: _State, text: str, level: int) -> None:
    kind = _heading_type(text)
    while st.stack and st.stack[-1][0] >= level:
        st.stack.pop()
    st.stack.append((level, text))
    st.carried = False
    if level <= 1:
        st.special = None
        st.lone_depth = 2
        if kind == "question" or kind == "ordinary":
            # ordinary headings reach level 1 only when a grade follows them
            if level == 0:
                st.overall_question = _strip_overview(text)
                st.question = st.overall_question
            else:
                st.question = _strip_overview(text)
        else:
            st.question = None
        return
    if kind == "special":
        st.special = ("cause" if CAUSE_RE.match(text) else "recommendation" if RECOMMENDATION_RE.match(text)
                      else "afi" if AFI_RE.match(text) else "judgment" if OVERALL_JUDGMENT_RE.match(text)
                      else "summary")
    else:
        st.special = None


def _path(st: _State) -> list[str]:
    return [t for _, t in st.stack]


def _levels(blocks: list[Block]) -> list[int]:
    """Heading levels: 0 overall question, 1 inspection question or front matter,
    2 section (and special sections), 3 subsection."""
    levels = [0] * len(blocks)
    hinted = [b.level for b in blocks if b.kind == KIND_HEADING and b.level > 0
              and _heading_type(b.text) == "ordinary"]
    top_hint = min(hinted) if hinted else None
    lone_depth = 2
    for i, b in enumerate(blocks):
        if b.kind != KIND_HEADING:
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        kind = _heading_type(b.text)
        next_is_heading = nxt is not None and nxt.kind == KIND_HEADING
        if kind == "question":
            overall = OVERVIEW_RE.match(b.text) or (
                next_is_heading and _heading_type(nxt.text) == "question")  # type: ignore[union-attr]
            levels[i] = 0 if overall else 1
            lone_depth = 2
        elif kind == "front":
            levels[i] = 1
            lone_depth = 2
        elif kind == "special":
            levels[i] = 2
            lone_depth = 2
        elif nxt is not None and nxt.kind == KIND_JUDGMENT:
            levels[i] = 1  # a topic heading with its grade is an inspection question
            lone_depth = 2
        elif top_hint is not None and b.level > 0:
            levels[i] = 2 if b.level <= top_hint else 3
        elif next_is_heading and _heading_type(nxt.text) == "question" and b.text.endswith("?"):  # type: ignore[union-attr]
            levels[i] = 0  # the pillar's overall question, right above its first question
            lone_depth = 2
        elif next_is_heading and _heading_type(nxt.text) == "ordinary":  # type: ignore[union-attr]
            levels[i] = 2
            lone_depth = 3
        else:
            levels[i] = lone_depth
    return levels
