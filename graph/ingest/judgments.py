"""Graded judgments written as tables, labelled lines and prose, in every PEEL round's wording.

A grade standing alone under its question is read by the segmenter; this
module reads the other ways reports state grades:

- tables: a row naming an area and its grade ("Investigating crime | Good"),
  or a grid whose header row is the grades and whose cells list the areas;
- labelled lines: "Overall judgment: Good", "Effectiveness: Requires
  improvement", "Good: investigating crime; managing offenders";
- prose: "the force is good at investigating crime", "X Police requires
  improvement in how it responds to the public", "the constabulary is
  'adequate' at ...", "has been assessed as good at keeping people safe and
  reducing crime", "is judged to require improvement in how it uses its resources".

A sentence that negates or hedges the grade ("is not yet good at") does
not match: the connecting words between subject and grade are fixed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from graph.records import GRADES, KIND_JUDGMENT, Block
from graph.text import collapse, grade_of, word_count

_G = "|".join(g.replace(" ", r"\s+") for g in GRADES)
_Q = r"[‘'\"“]?"
_QE = r"[’'\"”]?"
# who is graded: the force by its name or as "the force/constabulary/service"
SUBJECT = (r"(?:\b[Tt]he\s+(?:force|constabulary|police\s+service|service)"
           r"|\b[A-Z][\w'’-]*(?:\s+(?:and\s+|of\s+|&\s+)?[A-Z][\w'’-]*){0,4}"
           r"\s+(?:Police(?:\s+Service)?|Constabulary))")
_AREA = r"(?P<area>[^.;:!?]{3,200})"
_LINK = r"(?:in\s+respect\s+of|with\s+regard\s+to|when\s+it\s+comes\s+to|at|in|for)"
# in a run of sentences about the force, the next ones say "It is good at ...", "It also requires improvement ..."
_SUBJECT_OR_IT = r"(?:" + SUBJECT + r"|\bIt)"
_ALSO = r"(?:(?:also|still|now)\s+)?"
_PROSE = [
    # "X Police is good at ...", "the force has been assessed as good at ...", "was graded as 'adequate' in ..."
    re.compile(_SUBJECT_OR_IT + r"\s+(?:is|was|has\s+been|had\s+been|remains|continues\s+to\s+be)\s+" + _ALSO +
               r"(?:(?:overall\s+)?(?:judged|assessed|graded|rated|found)\s+(?:overall\s+)?(?:to\s+be\s+|as\s+)?)?"
               + _Q + r"(?P<grade>" + _G + r")" + _QE + r"\s+(?:overall\s+)?" + _LINK + r"\s+" + _AREA, re.I),
    # "X Police requires improvement in ...", "the constabulary 'requires improvement' at ..."
    re.compile(_SUBJECT_OR_IT + r"\s+" + _ALSO + r"(?:(?:is|was|has\s+been)\s+(?:judged|assessed|found)\s+to\s+)?" + _Q
               + r"(?P<grade>requires?\s+improvement|required\s+improvement)" + _QE + r"\s+" + _LINK + r"\s+" + _AREA,
               re.I),
    # "we judged/graded X Police to be/as good at ...", "HMIC judges the force to be good at ..."
    re.compile(r"\b(?:[Ww]e|HMIC(?:FRS)?|HM\s+Inspector(?:ate)?\s+of\s+Constabulary)\s+(?:have\s+|has\s+)?"
               r"(?:judged|judges|graded|grades|assessed|assesses|rated|rates|found|finds)\s+" + SUBJECT
               + r"\s+(?:to\s+be\s+|as\s+)" + _Q + r"(?P<grade>" + _G + r")" + _QE + r"\s+" + _LINK + r"\s+" + _AREA),
]
_LAZY_AREA = r"(?P<area>[^.;:!?]{3,200}?)"
# the area first, then its grade: "The extent to which the force is effective at keeping people safe and
# reducing crime is good", "X Police's performance in investigating crime is adequate" (always a grading)
_PROSE_AREA_FIRST = [
    re.compile(r"\b[Tt]he\s+extent\s+to\s+which\s+(?:the\s+force|the\s+constabulary|" + SUBJECT + r")\s+(?:is|was)\s+"
               r"(?:effective|efficient|legitimate)\s+" + _LINK + r"\s+" + _LAZY_AREA + r"\s+(?:is|was)\s+" + _Q
               + r"(?P<grade>" + _G + r")" + _QE + r"(?=\s*[.;,]|\s*$)", re.I),
    re.compile(SUBJECT + r"['’]s?\s+performance\s+(?:in|at|on)\s+" + _LAZY_AREA + r"\s+(?:is|was|has\s+been)\s+"
               + _Q + r"(?P<grade>" + _G + r")" + _QE + r"(?=\s*[.;,]|\s*$)", re.I),
]
_ANY_GRADE = re.compile(r"\b(?:outstanding|good|adequate|inadequate|requires?\s+improvement|required\s+improvement)\b",
                        re.I)
# where an area phrase stops: a new clause
_AREA_END = re.compile(r",|\s+(?:because|but|although|though|while|whereas|as\s+it|since|"
                       r"and\s+(?:it|its|we|the\s+force|"
                       r"has|is|was|have|are))\b|\s+[–—-]\s+", re.I)
# "graded 'good' in one area": a count of areas, not an area
_COUNTED = re.compile(r"^(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|all|each|every|most|some|several|"
                      r"many|none)\b(?:\s+\w+){0,2}?\s+areas?\b", re.I)
# one grade for several areas, the link word repeated: "good at investigating crime, at preventing crime and at ..."
_AREA_LIST = re.compile(r"(?:,\s*(?:and\s+)?|\s+and\s+)at\s+(?=[a-z])")
# "graded good in five areas", "in nine areas of policing", "in two of these ten areas": the sentences around list
# the grades of those areas, so a plain "It is adequate at ..." there is a grading
_AREA_COUNT = re.compile(r"\b(?:in|across)\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
                         r"(?:\s+of\s+(?:the(?:se)?\s+)?\w+)?\s+areas?\b", re.I)
_OVERALL_AREA = re.compile(r"keep(?:ing|s)\s+people\s+safe\s+and\s+reduc(?:ing|es)\s+crime", re.I)
# "Overall judgment: Good", "Judgment - Requires improvement"
_LABELLED = re.compile(r"^(?P<label>[^:–—]{2,150}?)(?:\s*[:–—]|\s+-)\s*" + _Q + r"(?P<grade>" + _G + r")" + _QE
                       + r"\s*\.?$", re.I)
_GRADE_FIRST = re.compile(r"^" + _Q + r"(?P<grade>" + _G + r")" + _QE + r"(?:\s*[:–—]|\s+-)\s*(?P<areas>.{3,})$", re.I)
# a row of a table read from a PDF: the area, then its grade with a capital (no cell separator survives)
_ROW_END = re.compile(r"^(?P<area>[A-Z][^|]{2,150}?)\s+(?P<grade>Outstanding|Good|Adequate|Requires\s+improvement|"
                      r"Inadequate)\s*$")
JUDGMENT_LABEL = re.compile(r"^(?:(?P<overall>overall\s+)?(?:judge?ment|grade|rating|assessment))\s*[\d¹²³]{0,2}$",
                            re.I)  # a footnote marker may follow: "Overall judgement1"


@dataclass(frozen=True)
class Graded:
    """One judgment found in a block: the area (question) it grades, the grade, and whether it is overall."""

    area: str
    grade: str
    overall: bool = False
    explicit: bool = True  # a table, label, quoted grade or "judged/graded/assessed as"; else plain "is good at"


def _grade(word: str) -> str:
    g = collapse(word).lower().strip("‘’'\"“”")
    return "requires improvement" if g.startswith("require") else g


def _tidy_area(text: str) -> str:
    area = _AREA_END.split(text, maxsplit=1)[0]
    area = re.sub(r"^(?:the\s+way\s+)?", "", collapse(area)).strip(" '’\"”")
    return area[:1].upper() + area[1:] if area else area


def names_grade(text: str) -> bool:
    return bool(_ANY_GRADE.search(text))


def counts_areas(text: str) -> bool:
    """Does the text count graded areas ("graded good in five areas", "in nine areas of policing")?"""
    return bool(_AREA_COUNT.search(text)) and bool(re.search(r"\b(?:grade[ds]?|judg|assess|inspect)", text, re.I))


def prose(sentence: str) -> list[Graded]:
    """Grades stated in a sentence about the force ("the force is good at investigating crime")."""
    out: list[Graded] = []
    if not _ANY_GRADE.search(sentence):
        return out  # most sentences name no grade: skip the costlier patterns
    for rx in _PROSE:
        for m in rx.finditer(sentence):
            said = m.group(0)
            before_area = said[:said.find(m.group("area"))]
            explicit = bool(re.search(r"[‘'\"“]|\b(?:judge[ds]?|grade[ds]|assess(?:e[ds])|rate[ds])\b", before_area))
            for raw in _AREA_LIST.split(m.group("area")):
                area = _tidy_area(raw)
                if (len(area.split()) < 2 and not area.istitle()) or _COUNTED.match(area):
                    continue
                out.append(Graded(area, _grade(m.group("grade")), bool(_OVERALL_AREA.search(area)), explicit))
    for rx in _PROSE_AREA_FIRST:
        for m in rx.finditer(sentence):
            area = _tidy_area(m.group("area"))
            if len(area.split()) >= 2 and not _COUNTED.match(area):
                out.append(Graded(area, _grade(m.group("grade")), bool(_OVERALL_AREA.search(area))))
    return out


_STOP = {"how", "the", "force", "constabulary", "police", "service", "its", "and", "with", "which", "from", "that",
         "well", "does", "effective", "efficient", "legitimate", "is", "at", "in", "of", "to", "it", "for", "this"}


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _STOP}


def names_heading(area: str, heading: str) -> bool:
    """Does the area name (most of) what the heading names?
    ("how it responds to the public" ~ "Responding to the public")"""
    a, h = _stems(area), _stems(heading)
    return bool(a and h) and len(a & h) * 2 >= max(len(h), len(a))


def labelled(text: str) -> list[Graded]:
    """A labelled line: "Overall judgment: Good" (area "" = the current question) or "Good: area; area"."""
    if len(text) > 400 or not _ANY_GRADE.search(text):
        return []  # a labelled line is short and names a grade
    t = collapse(text)
    m = _LABELLED.match(t)
    if m and not m.group("label").rstrip().endswith((" is", " was", " be")):
        label = m.group("label").strip()
        jm = JUDGMENT_LABEL.match(label)
        if jm:
            return [Graded("", _grade(m.group("grade")), bool(jm.group("overall")))]
        return [Graded(label, _grade(m.group("grade")))] if len(label.split()) <= 20 else []
    m = _GRADE_FIRST.match(t)
    if m:
        return [Graded(a, _grade(m.group("grade"))) for a in _split_areas(m.group("areas"))]
    return []


def _split_areas(cell: str) -> list[str]:
    return [a.strip(" .") for a in re.split(r"\s*(?:;|•|\n)\s*", cell) if a.strip(" .")]


def table(rows: list[str]) -> list[Graded]:
    """A table's rows (cells joined by " | "): area-grade rows, or a grid headed by the grades."""
    cells = [[c.strip() for c in r.split("|")] for r in rows if r.strip()]
    if not cells:
        return []
    head = [grade_of(c) for c in cells[0]]
    if sum(1 for g in head if g) >= 3:  # the header names the grades; the cells below list areas
        return [Graded(area, g) for row in cells[1:] for g, cell in zip(head, row) if g
                for area in _split_areas(cell)]
    out: list[Graded] = []
    area_col = next((i for i, c in enumerate(cells[0]) if _AREA_HEAD.match(c)), None)
    for row in cells:
        if len(row) == 1:
            m = _ROW_END.match(row[0])
            if m:
                out.append(Graded(collapse(m.group("area")), _grade(m.group("grade"))))
            continue
        graded = [(i, grade_of(c)) for i, c in enumerate(row) if grade_of(c)]
        area = _row_area(row, area_col)
        if len(graded) == 1 and area:  # one area, or several listed in the cell ("Custody; Road safety")
            out += [Graded(a, graded[0][1] or "") for a in _split_areas(area)]
    return out


# the header of a table's area column: "Question", "Area inspected", "Area of policing", "Core question"
_AREA_HEAD = re.compile(r"^(?:(?:core|inspection|peel)\s+)?(?:questions?|areas?)\b(?:\s+(?:of\s+policing|inspected|"
                        r"assessed|graded))?$", re.I)
# a cell that names only a pillar, or holds no words (a date, a period): the area is in another cell
_PILLAR_ONLY = re.compile(r"^(?:effectiveness|efficiency|legitimacy|leadership)$", re.I)


def _row_area(row: list[str], area_col: int | None) -> str | None:
    """The cell of a graded row that names the area: the column headed "Question"/"Area" when there is one,
    else the first cell that is more than a pillar name or a date (a pillar name when it is all there is)."""
    if area_col is not None and area_col < len(row) and row[area_col] and not grade_of(row[area_col]):
        return row[area_col]
    names = [c for c in row if c and not grade_of(c) and re.search(r"[A-Za-z]{3}", c)]
    specific = [c for c in names if not _PILLAR_ONLY.match(c.strip())]
    return specific[0] if specific else (names[0] if names else None)


def table_row(text: str) -> bool:
    """A line that reads as a table row of an area and its grade ("Investigating crime Good")."""
    return word_count(text) <= 25 and bool(_ROW_END.match(collapse(text)))


def line(text: str) -> list[Graded]:
    """A short line that states grades: labelled ("Overall judgment: Good", "Good: area; area") or an area
    followed by its grade, as a PDF table row reads ("Effectiveness Requires improvement")."""
    if word_count(text) > 25:
        return []
    found = labelled(text)
    row = _ROW_END.match(collapse(text)) if not found else None
    if row and not re.search(r"\b(?:is|was|are|were|be|been|as|not)\s*$", row.group("area"), re.I):
        found = [Graded(row.group("area"), _grade(row.group("grade")))]
    return [g for g in found if not (g.area and all(grade_of(w) for w in re.split(r"\s+(?=[A-Z])", g.area)))]


def labelled_block(text: str, page: int) -> Block | None:
    """A line that is one grade with its label: a judgment block (none for several grades or a grid's header)."""
    found = line(text)
    if len(found) != 1:
        return None
    g = found[0]
    return Block(KIND_JUDGMENT, g.grade, page, lead=g.area or ("Overall judgment" if g.overall else "Judgment"))
