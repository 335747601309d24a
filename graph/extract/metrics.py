"""Passages -> metrics: number + unit + what it measures + period, in the sentence's own words.

"47 of the 60 crime files reviewed showed good victim care", "a 17.6
percent increase in crime", "33 organised crime groups": each becomes a
``Metric`` whose label is read from the words around the number.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from graph.records import KIND_CAPTION, KIND_FOOTNOTE, KIND_TABLE, Passage, Report
from graph.text import MONTHS, singular, slug, split_sentences
from ontology import acronyms as ontology_acronyms


def short_hash(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:10]



NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_PERIOD_RX = re.compile(
    r"(?:(?:in|during|over|for)\s+the\s+(?:\d+|twelve|six|three)\s+months?\s+(?:to|ending|up\s+to)\s+(?:the\s+end\s+of\s+)?"
    r"(?:\d{1,2}\s+)?(?:" + MONTHS + r")\s+\d{4})"
    r"|(?:(?:year|period)\s+(?:to|ending)\s+(?:\d{1,2}\s+)?(?:" + MONTHS + r")\s+\d{4})"
    r"|(?:(?:as\s+at|at|by|since|in|during)\s+(?:\d{1,2}\s+)?(?:" + MONTHS + r")\s+\d{4})"
    r"|(?:(?:during|between|in)\s+\d{4}\s+and\s+\d{4})"
    r"|(?:(?:in|during|since)\s+(?:summer\s+|spring\s+|autumn\s+|winter\s+)?\d{4}(?:/\d{2})?)"
    r"|(?:compared\s+with\s+the\s+(?:same\s+period\s+(?:the|of\s+the)\s+)?previous\s+(?:year|12\s+months))", re.I)
_SKIP_BEFORE = {"section", "outcome", "figure", "annex", "table", "page", "paragraph", "level", "version", "tier",
                "appendix", "chapter", "phase", "vulnerability", "effectiveness", "efficiency", "legitimacy",
                "aged", "age", "under", "over", "ages"}
_TIME_UNITS = {"month", "months", "year", "years", "day", "days", "week", "weeks", "hour", "hours", "minute",
               "minutes", "am", "pm", "times", "o'clock", "seconds", "second", "decades", "p", "st", "nd", "rd", "th"}
_NP_STOP = set("""is are was were be been has have had who which that whose in on at for to from with by into
within across than as while when where because but or so if whereas compared during after before over under
per of this these its their it they we our the a an not no and""".split())
_PRED_VERBS = {"were", "was", "went", "have", "had", "showed", "show", "are", "is", "received", "did", "had"}
_CHANGE_WORDS = r"increase|decrease|rise|fall|reduction|drop|reduce|increased|decreased|rose|fell|reduced|dropped"


@dataclass
class Metric:
    id: str
    report_id: str
    passage_id: str
    value: float
    value_text: str
    unit: str
    measures: str
    period: str | None
    quote: str
    start: int
    end: int
    key: str = ""  # normalised `measures`, for matching metrics across reports

    @property
    def label(self) -> str:
        unit = "" if self.unit in ("count",) else (" " + self.unit)
        if self.unit == "count":
            return f"{self.value_text} {self.measures}"
        return f"{self.value_text}{unit} {self.measures}".strip()


def _words_np(text: str, max_words: int = 6) -> str:
    """The noun phrase at the start of ``text`` (stops at verbs, prepositions, punctuation)."""
    out = []
    for m in re.finditer(r"([A-Za-z][\w'’/-]*|\(|\)|,|;|:|\.|–|—|\d[\w.,]*)", text):
        w = m.group(1)
        if not w[0].isalnum():
            break
        lw = w.lower()
        if lw in _NP_STOP and not (lw == "and" and out and len(out) < max_words - 1) and \
                not (lw == "of" and out and out[-1].lower() in {"number", "proportion", "level", "rate", "use"}):
            break
        out.append(w)
        if len(out) >= max_words:
            break
    while out and out[-1].lower() in {"and", "of"}:
        out.pop()
    return " ".join(out)


def _predicate(text: str, max_words: int = 8) -> str:
    m = re.match(r"\s*(?:(?:that|which|who)\s+)?([a-z][\w'’-]*)\b([^.;:()]*)", text)
    if not m or m.group(1).lower() not in _PRED_VERBS | {"showed", "reviewed", "had", "were", "went", "have"}:
        return ""
    words = (m.group(1) + m.group(2)).split(",")[0].split()
    return " ".join(words[:max_words])


_PRONOUNS = {"this", "that", "there", "it", "they", "these", "those", "which", "who", "he", "she", "we"}


def _subject(left: str, max_words: int = 6) -> str:
    """The noun phrase that ends ``left`` (the subject of a number that follows)."""
    chunk = re.split(r"[,;:]|\b(?:that|which|and|but|than|when|while|with|where|whereas|compared)\b", left)[-1]
    words = re.findall(r"[A-Za-z][\w'’-]*", chunk)
    words = [w for w in words if w.lower() not in {"approximately", "about", "around", "nearly", "almost", "only",
                                                    "just", "over", "under", "some", "roughly", "an", "a"}]
    words = words[-max_words:]
    while words and (words[0].lower() in {"the", "its", "their", "of", "in", "force's", "force’s", "forces'"}
                     or words[0].lower().endswith(("'s", "’s"))):
        words = words[1:]
    if not words or words[0].lower() in _PRONOUNS:
        return ""
    return " ".join(words)


def metric_key(measures: str, acr: dict[str, str] | None = None) -> str:
    acr = {**ontology_acronyms(), **(acr or {})}
    words = []
    for w in re.findall(r"[A-Za-z][\w'’-]*", measures):
        base = w[:-1] if w.endswith("s") and w[:-1].isupper() else w
        if base in acr and base.isupper():
            words += acr[base].lower().split()
        else:
            words.append(w.lower())
    words = [singular(w) for w in words if w not in {"the", "a", "an", "of", "its", "their", "all", "in", "s"}]
    return " ".join(words)


def metrics(report: Report, acr: dict[str, str] | None = None) -> list[Metric]:
    """Quantitative facts in the report's prose (tables and captions are left to the table reader)."""
    out: list[Metric] = []
    for p in report.passages:
        if p.kind in (KIND_TABLE, KIND_CAPTION, KIND_FOOTNOTE):
            continue
        for a, b in split_sentences(p.text):
            out += _sentence_metrics(p, p.text[a:b], a, report.report_id, acr)
    return out


def _sentence_metrics(p: Passage, sent: str, offset: int, report_id: str, acr: dict[str, str] | None) -> list[Metric]:
    found: list[Metric] = []
    taken: list[tuple[int, int]] = []
    pm = _PERIOD_RX.search(sent)
    period = re.sub(r"\s+", " ", pm.group(0)) if pm else None
    period_span = (pm.start(), pm.end()) if pm else (-1, -1)

    def add(a: int, b: int, value_text: str, unit: str, measures: str, value: float | None = None) -> None:
        measures = re.sub(r"\s+", " ", measures).strip(" ,;:")
        if not measures or measures.split()[0].lower() in _PRONOUNS:
            return
        if value is None:
            try:
                value = float(value_text.replace(",", ""))
            except ValueError:
                return
        mid = "metric:" + slug(f"{report_id} {measures}")[:60] + "-" + short_hash(p.passage_id, str(offset + a))
        found.append(Metric(mid, report_id, p.passage_id, value, value_text, unit, measures, period,
                            sent.strip(), offset + a, offset + b, metric_key(measures, acr)))
        taken.append((a, b))

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken) and not (period_span[0] <= a < period_span[1])

    # "47 of the 60 crime files reviewed showed good victim care"
    for m in re.finditer(r"(?<![\w.])(" + NUM + r")\s+(?:out\s+)?of\s+(?:the|its|all)?\s*(" + NUM + r")\s+(.*)", sent):
        clause = re.split(r"[.;:,()]", m.group(3))[0].split()[:12]
        add(m.start(1), m.start(3) + len(" ".join(clause)), m.group(1), f"of {m.group(2)}", " ".join(clause))
    # "from 280 down to 140"
    for m in re.finditer(r"((?:[\w'’-]+\s+){1,6})from\s+(" + NUM + r")\s+(?:down\s+|up\s+)?to\s+(" + NUM + r")\b", sent):
        subj = _subject(m.group(1))
        if subj:
            add(m.start(3), m.end(3), m.group(3), "count", subj)
            found[-1].data_from = m.group(2)  # type: ignore[attr-defined]
            taken.append((m.start(2), m.end(2)))
    # percentages
    for m in re.finditer(r"(?<![\w.])(" + NUM + r")\s*(?:percent|per\s+cent|%)", sent):
        if not free(m.start(), m.end()):
            continue
        right = sent[m.end():]
        left = sent[:m.start()]
        if pm is not None and pm.end() <= m.start():
            left = left[:pm.start()] + left[pm.end():]
        left = re.sub(r"\([^)]*\)", " ", left)
        ch = re.match(r"\s+(" + _CHANGE_WORDS + r")\s+in\s+(?:the\s+)?(.*)", right)
        cmp_ = re.match(r"\s+(fewer|more|less|higher|lower)\s+(.*)", right)
        of = re.match(r"\s+of\s+(?:the\s+|its\s+|all\s+|their\s+)?(.*)", right)
        pred = _predicate(right)
        chg_left = re.search(r"(?:a|an)\s+(" + _CHANGE_WORDS + r")\s+of\s*$", left)
        verb_obj = re.search(r"\b(reduced|increased|cut|lowered|raised|improved)\s+((?:[\w'’-]+\s+){1,4})by\s*$", left)
        verb_left = re.search(r"^(.*?)\b(?:fell|rose|increased|decreased|reduced|dropped|grew|went\s+up|went\s+down)\s+by\s*$", left)
        lv = re.search(r"^(.*?)\b(?:is|was|were|are|of|at|stood\s+at|to)\s*$", left)
        if ch:
            measures = f"{ch.group(1)} in {_words_np(ch.group(2), 5)}"
        elif cmp_:
            measures = f"{cmp_.group(1)} {_words_np(cmp_.group(2), 5)}"
        elif of and not chg_left:
            np_ = _words_np(of.group(1), 6)
            measures = f"{np_} {_predicate(of.group(1)[len(np_):])}".strip()
        elif chg_left:
            prior = [x for x in found if x.unit == "percent"]
            measures = f"{chg_left.group(1)} in {prior[-1].measures}" if prior else chg_left.group(1)
        elif verb_obj:
            measures = f"change in {verb_obj.group(2).strip()}"
        elif verb_left and _subject(verb_left.group(1)):
            measures = f"change in {_subject(verb_left.group(1))}"
        elif pred:
            measures = (_subject(left) + " " + pred).strip() if _subject(left) else pred
        elif lv and _subject(lv.group(1)):
            measures = _subject(lv.group(1))
        else:
            continue
        add(m.start(), m.end(), m.group(1), "percent", measures)
    # money
    for m in re.finditer(r"£(" + NUM + r")\s*(m|bn|k|million|billion)?\b", sent):
        if not free(m.start(), m.end()):
            continue
        mult = {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}.get((m.group(2) or "").lower(), 1)
        right = re.match(r"\s+(?:in|on|for|to)\s+(?:the\s+|its\s+|their\s+)?(.*)", sent[m.end():])
        verb = re.search(r"(invest\w*|sav\w*|spen\w*|cost\w*|budget\w*|fund\w*)\b[^.]*$", sent[:m.start()], re.I)
        what = _words_np(right.group(1), 5) if right else ""
        measures = " ".join(x for x in ((verb.group(1).lower() if verb else "amount"), ("in " + what) if what else "")
                            if x)
        value = float(m.group(1).replace(",", "")) * mult
        add(m.start(), m.end(), m.group(0).strip(), "GBP", measures, value)
    # counts: "33 organised crime groups", "2.2 disruptions per OCG"
    for m in re.finditer(r"(?<![\w.,£/–-])(" + NUM + r")(?![\w.,%/–-]|\.\d)(?=\s+(?!percent|per cent)(.{3,}))", sent):
        a = m.start(1)
        if not free(a, m.end(1)):
            continue
        num = m.group(1)
        prev = re.search(r"([\w'’]+)\s*$", sent[:a])
        pw = prev.group(1).lower() if prev else ""
        if pw in _SKIP_BEFORE or pw in {"per", "from", "than"} or pw in {x.lower() for x in MONTHS.split("|")}:
            continue
        if re.fullmatch(r"(?:19|20)\d\d", num):
            continue
        rest = m.group(2)
        np_ = _words_np(rest, 6)
        if not np_:
            continue
        first = np_.split()[0].lower()
        if first in _TIME_UNITS or first in {"down", "up", "to", "and", "or", "per", "percent"} or first in {x.lower() for x in MONTHS.split("|")} or first.startswith("per") \
                and len(np_.split()) == 1:
            continue
        per = re.match(re.escape(np_) + r"\s+(per\s+(?:one\s+)?[\w,]+(?:\s+(?:of\s+the\s+)?[\w]+)?)", rest)
        measures = np_ + (" " + per.group(1) if per else "")
        pred = _predicate(rest[len(np_):]) if not per else ""
        add(a, m.start(2) + len(np_), num, "count" if not per else "rate", f"{measures} {pred}".strip())
    return found
