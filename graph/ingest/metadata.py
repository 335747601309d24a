"""Report metadata read from the text itself: force, period, programme, title.

Nothing here knows any particular report: the force is the police force
named most often (checked against the gazetteer of UK forces when it is
available), the period comes from the title year and the dates the text
cites, the programme from the inspection vocabulary.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from graph.records import Block, KIND_HEADING, ReportMeta
from graph.text import MONTHS

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
PROGRAMMES = (  # general names of inspection programmes, most specific first
    ("joint targeted area inspection", "Joint targeted area inspection"),
    ("crime data integrity", "Crime data integrity"),
    ("custody", "Custody inspection"),
    ("child protection", "Child protection inspection"),
    ("police effectiveness, efficiency and legitimacy", "PEEL"),
    ("peel", "PEEL"),
)


def detect(blocks: list[Block], known_forces: list[str] | None = None, declared_title: str | None = None) -> ReportMeta:
    text = "\n".join(b.text for b in blocks)
    head = "\n".join(b.text for b in blocks[:40])
    force = _force(text, gazetteer_forces() if known_forces is None else known_forces)
    year, year_end = _period(head, text)
    programme = _programme(head, text)
    title = declared_title or _title(blocks, force, programme, year)
    return ReportMeta(force=force, year=year, year_end=year_end, programme=programme, title=title)


@lru_cache(maxsize=1)
def gazetteer_forces() -> list[str]:
    """Names of UK police forces from the ontology's gazetteer."""
    from ontology import gazetteer

    return [t.label for t in gazetteer() if t.type == "force"]


@lru_cache(maxsize=4)
def _names_rx(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every known force name, longest first (one pass over the text, not one per force)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")


def _force(text: str, known: list[str]) -> str | None:
    counts: Counter[str] = Counter()
    if known:
        counts.update(m.group(0) for m in _names_rx(tuple(known)).finditer(text))
    if not counts:
        for m in FORCE_RE.finditer(text):
            words = m.group(1).split()
            while words and words[0].lower() in {"and", "of", "&", "the", "by", "with", "from", "in", "at"}:
                words = words[1:]
            place = " ".join(words)
            if place and place.lower() not in NOT_FORCES and words[0][0].isupper():
                counts[f"{place} {m.group(2)}"] += 1
    if not counts:
        return None
    best, n = counts.most_common(1)[0]
    titled = re.search(r"\binspection of (?:the )?(" + "|".join(map(re.escape, counts)) + r")\b", text)
    return best if n >= 2 else titled.group(1) if titled else None  # named once, but in "An inspection of X"


def _period(head: str, text: str) -> tuple[str | None, int | None]:
    months = Counter(int(y) for y in MONTH_YEAR_RE.findall(text))
    m = TITLE_YEAR_RE.search(head)
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


def _programme(head: str, text: str) -> str | None:
    low_head, low = head.lower(), text.lower()
    # a specific programme must be named near the start; PEEL may be named anywhere
    name = next((label for key, label in PROGRAMMES if key in low_head), None) or (
        "PEEL" if re.search(r"\bpeel\b", low) else None)
    pillar_counts = {p: low_head.count(p) * 5 + low.count(p) for p in PILLARS}
    # the PEEL questions name their pillar: "How effective / efficient / legitimate ..."
    for p, adj in zip(PILLARS, ("how effective", "how efficient", "how legitimate")):
        pillar_counts[p] += low.count(adj)
    pillar = max(pillar_counts, key=pillar_counts.__getitem__) if any(pillar_counts.values()) else None
    if name == "PEEL" and pillar:
        return f"PEEL {pillar}"
    return name or (pillar.capitalize() if pillar else None)


def _title(blocks: list[Block], force: str | None, programme: str | None, year: str | None) -> str:
    first = next((b.text for b in blocks[:3] if b.kind == KIND_HEADING), None)
    if first and (force and force.split()[0] in first or "PEEL" in first) and len(first) < 120:
        return first
    parts = [p for p in (programme, year) if p]
    label = " ".join(parts) if parts else "Inspection report"
    return f"{label}: {force}" if force else label
