"""Sentences -> findings: each evaluative statement with its polarity.

A sentence is a finding when it judges the force or one of its units
("The force doesn't have...", "Neighbourhood teams aren't...", "We found
good examples..."): cue words count towards strength or weakness, a
negation in front of a strength word turns it into a weakness, and a
sentence with cues on both sides or none is neutral.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from graph.records import KIND_CAUSE, KIND_PARAGRAPH, KIND_SUMMARY, Report
from graph.text import shorten, split_sentences

FINDING_KINDS = (KIND_PARAGRAPH, KIND_SUMMARY, KIND_CAUSE, "list")

_STRENGTH = re.compile(
    r"\b(?:good|well|effective(?:ly)?|strong(?:ly)?|strength|positive(?:ly)?|clear(?:ly)?|thorough(?:ly)?|"
    r"proactive(?:ly)?|committed|commitment|impressive|improved|improving|improvements?|robust|comprehensive|"
    r"skilled|successful(?:ly)?|excellent|outstanding|appropriate(?:ly)?|properly|correctly|well-established|"
    r"well-led|well-developed|valuable|capable|confident|knowledgeable|understands|effectively|promptly|"
    r"encouraging|innovative|benefit)\b", re.I)
_WEAKNESS = re.compile(
    r"(?:n['’]t\b|\bnot\b|\bno\b|\blacks?\b|\blacking\b|\blimited\b|\binsufficient(?:ly)?\b|\bpoor(?:ly)?\b|"
    r"\bweak(?:ness|nesses)?\b|\bconcern(?:ed|s)?\b|\bfail(?:s|ing|ed|ure)?\b|\bdelays?\b|\bdelayed\b|"
    r"\bbacklogs?\b|\brequires? improvement\b|\binadequate(?:ly)?\b|\btoo (?:long|few|many|slow|much)\b|"
    r"\bunclear\b|\binconsistent(?:ly)?\b|\bdisappointed\b|\bunable\b|\bcannot\b|\bstruggl\w*|"
    r"\b(?:over)?stretched\b|\bpressure\b|\bmissing opportunities\b|\bineffective\b|\bunder-used\b|"
    r"\broom for improvement\b|\bcould do more\b|\bdecline\b|\bdeteriorat\w*|\buncertain\b|\bfrustrated\b|"
    r"\bnegative(?:ly)?\b|\badverse(?:ly)?\b|\bexposing\b|\bsuffered\b|\bworse\b|\bshortages?\b)", re.I)
_NEGATORS = re.compile(r"(?:n['’]t|\bnot\b|\bno\b|\bnever\b|\blimited\b|\black\b)\s+(?:\w+\s+){0,2}$", re.I)
_SUBJECT = re.compile(
    r"\b(?:the force|force['’]s|its|it|officers|staff|we found|we saw|hmic found|team|teams|unit|units|"
    r"partners|supervisors|investigators|leaders|the workforce|they)\b", re.I)
_NOT_FINDING = re.compile(r"^(?:it is important|we set out|these are the basis|hmic['’]s|our .{0,40}inspection|"
                          r"the public expects|this is the first year)", re.I)


@dataclass
class Finding:
    id: str
    report_id: str
    passage_id: str
    question: str | None
    polarity: str  # strength | weakness | neutral
    text: str
    start: int
    end: int
    themes: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return shorten(self.text, 100)


def polarity(sentence: str) -> str | None:
    """strength / weakness / neutral for an evaluative sentence, None when it is not evaluative."""
    s = w = 0
    for m in _STRENGTH.finditer(sentence):
        if _NEGATORS.search(sentence[max(0, m.start() - 30):m.start()]):
            w += 1
        else:
            s += 1
    w += len(_WEAKNESS.findall(sentence))
    # "The force doesn't have ... well" counted the negator once as a weakness and once flipping the strength
    if s == 0 and w == 0:
        return "neutral" if re.match(r"^(?:we|hmic) (?:found|saw|noted)", sentence, re.I) else None
    if w > s:
        return "weakness"
    if s > w:
        return "strength"
    return "neutral"


def is_evaluative(sentence: str, force: str | None = None) -> bool:
    if len(sentence.split()) < 5 or _NOT_FINDING.search(sentence.strip()):
        return False
    if _SUBJECT.search(sentence):
        return True
    return bool(force and force.lower() in sentence.lower())


def extract(report: Report, passage_themes: dict[str, list[str]], mentions_by_passage: dict[str, list],
            sentence_themes: Callable[[str], Iterable[str]] | None = None) -> list[Finding]:
    """Findings of a report. ``mentions_by_passage``: passage id -> Mention list (offsets in the passage)."""
    out: list[Finding] = []
    force = report.meta.force
    for p in report.passages:
        if p.kind not in FINDING_KINDS:
            continue
        for n, (a, b) in enumerate(split_sentences(p.text)):
            sent = p.text[a:b].strip()
            if not is_evaluative(sent, force):
                continue
            pol = "weakness" if p.kind == KIND_CAUSE else polarity(sent)
            if pol is None:
                continue
            themes = list(sentence_themes(sent)) if sentence_themes else []
            if not themes:
                themes = list(passage_themes.get(p.passage_id, []))[:2]
            ents = sorted({m.entity_id for m in mentions_by_passage.get(p.passage_id, [])
                           if a <= m.start and m.end <= b})
            out.append(Finding(f"finding:{p.passage_id}-s{n + 1:02d}", report.report_id, p.passage_id, p.question,
                               pol, sent, a, b, themes, ents))
    return out
