"""Report metadata read from the text itself: force, period, programme, title.

Nothing here knows any particular report. The title block (the declared
title and the short lines before the first paragraph of prose) says what the
report is: the force it names, its period and its inspection programme, in
the vocabulary of ``ontology/peel.ttl``. A later mention of custody, child
protection or one PEEL pillar in the body does not change that. Where the
title block is silent, the force is the police force named most often
(checked against the gazetteer of UK forces when it is available), the
period comes from the dates the text cites, and the programme from the
inspection vocabulary of the whole text.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from graph.records import Block, KIND_HEADING, KIND_JUDGMENT, KIND_TABLE, ReportMeta
from graph.text import MONTHS, ends_sentence

if TYPE_CHECKING:
    from ontology import InspectionProgramme

FORCE_RE = re.compile(
    r"\b((?:[A-Z][a-z]+|and|of|&)(?:[ -](?:[A-Z][a-z]+|and|of|&)){0,4}) "
    r"(Police Service of [A-Z][a-z]+(?: [A-Z][a-z]+)*|Police Service|Police|Constabulary)\b")
NOT_FORCES = {"british transport", "national", "the", "local", "regional", "nuclear", "harbour", "military",
              "ministry of defence", "civil nuclear", "home office", "college of", "our", "their", "all",
              "england and wales", "each", "other", "every", "neighbouring", "mutual", "new", "community"}
MONTH_YEAR_RE = re.compile(rf"\b(?:{MONTHS}) ((?:19|20)\d\d)\b")
TITLE_YEAR_RE = re.compile(r"\b(?:PEEL|inspection|effectiveness|efficiency|legitimacy|assessment)\b[^\n]{0,40}?"
                           r"\b((?:19|20)\d\d)(?:\s*[/–-]\s*((?:19|20)?\d\d))?\b", re.I)
PILLARS = ("effectiveness", "efficiency", "legitimacy")
PILLAR_KEYS = {"effectiveness": "PeelEffectiveness", "efficiency": "PeelEfficiency", "legitimacy": "PeelLegitimacy"}
PEEL_KEYS = {*PILLAR_KEYS.values(), "IntegratedPeel", "GradedPeel"}
GRADED_FROM = 2021  # PEEL rounds from 2021/22 on grade areas of policing: the graded PEEL programme
TITLE_BLOCKS = 6  # the title block is at most this many leading blocks ...
PROSE_WORDS = 12  # ... and ends at the first sentence of this many words or more, or any block of three times
LEAD_WORDS = {"and", "of", "&", "the", "by", "with", "from", "in", "at", "an", "a", "inspection", "report", "on"}
NAMING_RE = re.compile(r"\binspection of\b|\bPEEL\b", re.I)  # a line that names the force inspected
PEEL_RE = re.compile(r"\bPEEL\b|\bpolice (?:effectiveness|efficiency|legitimacy)\b", re.I)


def detect(blocks: list[Block], known_forces: list[str] | None = None, declared_title: str | None = None) -> ReportMeta:
    """Force, period, programme and title of a report: what its title block says first, then its text."""
    text = "\n".join(b.text for b in blocks)
    head = "\n".join(b.text for b in blocks[:40])
    title_block, naming = _title_block(blocks, declared_title)
    force = _force(text, gazetteer_forces() if known_forces is None else known_forces, naming)
    year, year_end = _period(title_block, head, text)
    programme = _programme(title_block, head, text, int(year[:4]) if year else None)
    title = declared_title or _title(blocks, force, programme, year)
    return ReportMeta(force=force, year=year, year_end=year_end, programme=programme, title=title)


def _title_block(blocks: list[Block], declared_title: str | None) -> tuple[str, str]:
    """The declared title and the leading short blocks up to the first paragraph of prose, table or grade:
    what a cover page and its headings say the report is. Also its naming lines (the title, headings and
    "An inspection of ..." lines), the only ones that say whose report it is."""
    lines = [declared_title] if declared_title else []
    naming = list(lines)
    for i, b in enumerate(blocks[:TITLE_BLOCKS]):
        if b.kind in (KIND_TABLE, KIND_JUDGMENT) or _is_prose(b):
            break
        lines.append(b.text)
        if i == 0 or b.kind == KIND_HEADING or NAMING_RE.search(b.text):
            naming.append(b.text)
    return "\n".join(lines), "\n".join(naming)


def _is_prose(b: Block) -> bool:
    """A block of the body: a long paragraph that ends a sentence (a title does not), or any very long block."""
    words = len(b.text.split())
    return words >= 3 * PROSE_WORDS or (b.kind != KIND_HEADING and words >= PROSE_WORDS and ends_sentence(b.text))


@lru_cache(maxsize=1)
def gazetteer_forces() -> list[str]:
    """Names of UK police forces from the ontology's gazetteer."""
    from ontology import gazetteer

    return [t.label for t in gazetteer() if t.type == "force"]


def _programmes() -> dict[str, InspectionProgramme]:
    """The inspection programmes of the ontology (imported here: rdflib loads only when a report is read)."""
    from ontology import inspection_programmes

    return inspection_programmes()


@lru_cache(maxsize=4)
def _names_rx(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every known force name, longest first (one pass over the text, not one per force)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")


def _force(text: str, known: list[str], naming: str = "") -> str | None:
    """The force the title block's naming lines name; else the one the text names most often (or once, in
    "An inspection of X")."""
    titled = _force_counts(naming, known)
    if titled:
        return titled.most_common(1)[0][0]
    counts = _force_counts(text, known)
    if not counts:
        return None
    best, n = counts.most_common(1)[0]
    named = re.search(r"\binspection of (?:the )?(" + "|".join(map(re.escape, counts)) + r")\b", text)
    return best if n >= 2 else named.group(1) if named else None  # named once, but in "An inspection of X"


def _force_counts(text: str, known: list[str]) -> Counter[str]:
    """How often each force is named: the known names, else anything shaped like "<Place> Police"."""
    counts: Counter[str] = Counter()
    if known:
        counts.update(m.group(0) for m in _names_rx(tuple(known)).finditer(text))
    if not counts:
        for m in FORCE_RE.finditer(text):
            words = m.group(1).split()
            while words and (words[0].lower() in LEAD_WORDS or words[1:2] == words[:1]):
                words = words[1:]  # "inspection of X", or a title line run into the next: "... in X X Police"
            place = " ".join(words)
            if place and place.lower() not in NOT_FORCES and words[0][0].isupper():
                counts[f"{place} {m.group(2)}"] += 1
    return counts


def _period(title_block: str, head: str, text: str) -> tuple[str | None, int | None]:
    """The programme year the title block names ("PEEL 2021/22"), else the date it gives (a visit, a
    publication), else a programme year near the start, else the year the text's dates cite most."""
    months = Counter(int(y) for y in MONTH_YEAR_RE.findall(text))
    m = TITLE_YEAR_RE.search(title_block)
    dated = MONTH_YEAR_RE.search(title_block)
    if not m and dated:
        return dated.group(1), int(dated.group(1))
    head = title_block if m else head
    m = m or TITLE_YEAR_RE.search(head)
    if m:
        start = int(m.group(1))
        if m.group(2):
            end = int(m.group(2)) if len(m.group(2)) == 4 else start // 100 * 100 + int(m.group(2))
            return f"{start}/{end % 100:02d}", end
        # a programme year whose fieldwork ran into the next year: "2018/19"; a pillar report ("Police
        # effectiveness 2015") is named for its year, though published in the next
        pillar_title = re.search(r"\b(?:effectiveness|efficiency|legitimacy)\s+" + m.group(1), m.group(0), re.I) \
            and not re.search(r"efficiency\s+and\s+legitimacy", head[max(0, m.start() - 60):m.end()], re.I)
        if not pillar_title and months.get(start + 1, 0) > months.get(start, 0):
            return f"{start}/{(start + 1) % 100:02d}", start + 1
        return str(start), start
    if months:
        year = months.most_common(1)[0][0]
        return str(year), year
    years = Counter(int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text))
    if years:
        year = years.most_common(1)[0][0]
        return str(year), year
    return None, None


def _programme(title_block: str, head: str, text: str, start_year: int | None) -> str | None:
    """The programme the title block names (the earliest named, if several); else PEEL read from the text."""
    progs = _programmes()
    other = min(((m.start(), p.label) for p in progs.values() if p.key not in PEEL_KEYS
                 for m in [_alias_rx(p.aliases).search(title_block)] if m), default=None)
    peel = PEEL_RE.search(title_block)
    if other and (not peel or other[0] < peel.start()):
        return other[1]
    graded = start_year is not None and start_year >= GRADED_FROM
    pillars = [p for p in PILLARS if re.search(rf"\b{p}\b", title_block, re.I)]
    if peel and graded:  # a PEEL round from 2021 on grades areas, whatever pillar a heading names
        return progs["GradedPeel"].label
    if len(pillars) == 1:
        return progs[PILLAR_KEYS[pillars[0]]].label
    if len(pillars) > 1:  # the three pillars together
        return progs["GradedPeel" if graded else "IntegratedPeel"].label
    return _programme_from_text(head, text, graded)


def _programme_from_text(head: str, text: str, graded: bool) -> str | None:
    """No programme in the title block: PEEL if the text names it, its pillar the one the text names most
    (a mention in the first pages counts five times)."""
    low_head, low = head.lower(), text.lower()
    peel = re.search(r"\bpeel\b", low)
    if peel and graded:
        return _programmes()["GradedPeel"].label
    pillar_counts = {p: low_head.count(p) * 5 + low.count(p) for p in PILLARS}
    # the PEEL questions name their pillar: "How effective / efficient / legitimate ..."
    for p, adj in zip(PILLARS, ("how effective", "how efficient", "how legitimate")):
        pillar_counts[p] += low.count(adj)
    pillar = max(pillar_counts, key=pillar_counts.__getitem__) if any(pillar_counts.values()) else None
    if peel and pillar:
        return _programmes()[PILLAR_KEYS[pillar]].label
    return "PEEL" if peel else pillar.capitalize() if pillar else None


@lru_cache(maxsize=16)
def _alias_rx(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """One word-bounded, case-blind pattern for a programme's title wordings."""
    return re.compile(r"\b(?:" + "|".join(re.escape(a) for a in aliases) + r")\b", re.I)


def _title(blocks: list[Block], force: str | None, programme: str | None, year: str | None) -> str:
    first = next((b.text for b in blocks[:3] if b.kind == KIND_HEADING), None)
    if first and (force and force.split()[0] in first or "PEEL" in first) and len(first) < 120:
        return first
    parts = [p for p in (programme, year) if p]
    label = " ".join(parts) if parts else "Inspection report"
    return f"{label}: {force}" if force else label
