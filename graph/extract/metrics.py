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
    r"(?:(?:in|during|over|for)\s+the\s+(?:\d+|twelve|six|three)\s+months?\s+(?:to|ending|up\s+to)\s+"
    r"(?:the\s+end\s+of\s+)?"
    r"(?:\d{1,2}\s+)?(?:" + MONTHS + r")\s+\d{4})"
    r"|(?:(?:(?:in|during|over|for)\s+the\s+)?(?:year|period)\s+(?:to|ending)\s+(?:\d{1,2}\s+)?(?:" + MONTHS
    + r")\s+\d{4})"
    r"|(?:(?:as\s+at|at|by|since|in|during)\s+(?:\d{1,2}\s+)?(?:" + MONTHS + r")\s+\d{4})"
    r"|(?:(?:during|between|in)\s+\d{4}\s+and\s+\d{4})"
    r"|(?:(?:in|during|since|by)\s+(?:summer\s+|spring\s+|autumn\s+|winter\s+)?\d{4}(?:/\d{2})?)"
    r"|(?:compared\s+with\s+the\s+(?:same\s+period\s+(?:the|of\s+the)\s+)?previous\s+(?:year|12\s+months))", re.I)
_SKIP_BEFORE = {"section", "outcome", "figure", "annex", "table", "page", "paragraph", "level", "version", "tier",
                "appendix", "chapter", "phase", "vulnerability", "effectiveness", "efficiency", "legitimacy",
                "aged", "age", "under", "over", "ages"}
_TIME_UNITS = {"month", "months", "year", "years", "day", "days", "week", "weeks", "hour", "hours", "minute",
               "minutes", "am", "pm", "times", "o'clock", "seconds", "second", "decades", "p", "st", "nd", "rd", "th"}
_NP_STOP = set("""is are was were be been has have had who which that whose in on at for to from with by into
within across than as while when where because but or so if whereas compared during after before over under
per of this these its their it they we our the a an not no and""".split())
_PRED_VERBS = {"were", "was", "went", "have", "had", "showed", "show", "are", "is", "received", "did"}
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
    from_text: str | None = None  # the earlier figure of a change ("from 280 to 140")

    @property
    def label(self) -> str:
        """Value, what it measures and the period, in the report's words ("12.5 percent increase in
        burglary (in the 12 months to June 2020)", "number of PCSOs: from 280 to 140")."""
        if self.from_text:
            base = f"{self.measures}: from {self.from_text} to {self.value_text}"
        elif self.unit == "GBP":
            base = f"{self.measures}: {self.value_text}"
        elif self.unit in ("count", "rate"):
            base = f"{self.value_text} {self.measures}"
        else:
            base = f"{self.value_text} {self.unit} {self.measures}"
        return f"{base} ({self.period})" if self.period else base


def _words_np(text: str, max_words: int = 6) -> str:
    """The noun phrase at the start of ``text`` (stops at verbs, prepositions, punctuation)."""
    out: list[str] = []
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
    return _phrase((m.group(1) + m.group(2)).split(",")[0], max_words)


_PRONOUNS = {"this", "that", "there", "it", "they", "these", "those", "which", "who", "he", "she", "we"}


def _subject(left: str, max_words: int = 6) -> str:
    """The noun phrase that ends ``left`` (the subject of a number that follows)."""
    # "and" between two capitalised words is part of a name ("England and Wales average")
    kept = re.sub(r"\b([A-Z][\w'’-]*) and (?=[A-Z])", r"\1 and_ ", left)
    chunk = re.split(r"[,;:]|\b(?:that|which|and|but|than|when|while|with|where|whereas|compared)\b", kept)[-1]
    words = [w.rstrip("_") for w in re.findall(r"[A-Za-z][\w'’-]*", chunk)]
    chunk = left if chunk == kept else chunk
    if chunk is left and len(words) > 1 and words[0][:1].isupper() and words[1][:1].islower() \
            and not words[0].isupper():
        words[0] = words[0].lower()  # a sentence's first word, not a name
    words = [w for w in words if w.lower() not in {"approximately", "about", "around", "nearly", "almost", "only",
                                                    "just", "over", "under", "some", "roughly", "an", "a"}]
    words = words[-max_words:]
    if len(words) > 2 and words[0].lower().endswith("ed") and words[1].lower() in {"the", "its", "their", "a", "an"}:
        words = words[1:]  # "reduced the number of offenders" -> "number of offenders"
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
    """Every metric of one sentence: fractions, changes from one figure to another, percentages, money, counts."""
    sm = _Sentence(p, sent, offset, report_id, acr)
    for rule in (sm.fractions, sm.from_to, sm.percentages, sm.money, sm.counts):
        rule()
    return sm.found


class _Sentence:
    """One sentence being read for metrics: its period, what is found, and which spans are taken."""

    def __init__(self, p: Passage, sent: str, offset: int, report_id: str, acr: dict[str, str] | None) -> None:
        self.p, self.sent, self.offset, self.report_id, self.acr = p, sent, offset, report_id, acr
        pm = _PERIOD_RX.search(sent)
        self.pm = pm
        period = re.sub(r"\s+", " ", pm.group(0)) if pm else None
        self.period = period[0].lower() + period[1:] if period else None  # "In May 2019" opened the sentence
        self.period_span = (pm.start(), pm.end()) if pm else (-1, -1)
        self.found: list[Metric] = []
        self.taken: list[tuple[int, int]] = []

    def add(self, a: int, b: int, value_text: str, unit: str, measures: str, value: float | None = None,
            from_text: str | None = None) -> None:
        measures = re.sub(r"\s+", " ", measures).strip(" ,;:")
        if not measures or measures.split()[0].lower() in _PRONOUNS:
            return
        if value is None:
            try:
                value = float(value_text.replace(",", ""))
            except ValueError:
                return
        mid = "metric:" + slug(f"{self.report_id} {measures}")[:60] + "-" + short_hash(self.p.passage_id,
                                                                                      str(self.offset + a))
        self.found.append(Metric(mid, self.report_id, self.p.passage_id, value, value_text, unit, measures,
                                 self.period, self.sent.strip(), self.offset + a, self.offset + b,
                                 metric_key(measures, self.acr), from_text))
        self.taken.append((a, b))

    def free(self, a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in self.taken) and not (self.period_span[0] <= a < self.period_span[1])

    def fractions(self) -> None:
        """"47 of the 60 crime files reviewed showed good victim care"."""
        for m in re.finditer(r"(?<![\w.])(" + NUM + r")\s+(?:out\s+)?of\s+(?:the|its|all)?\s*(" + NUM + r")\s+(.*)",
                             self.sent):
            clause = _phrase(re.split(r"[.;:,()]", m.group(3))[0], 12)
            self.add(m.start(1), m.start(3) + len(clause), m.group(1), f"of {m.group(2)}", clause)

    def from_to(self) -> None:
        """"the number of officers fell from 280 to 140": the later figure, with the earlier one kept."""
        rx = r"((?:[\w'’-]+\s+){1,6})from\s+(" + NUM + r")\s+(?:down\s+|up\s+)?to\s+(" + NUM + r")\b"
        for m in re.finditer(rx, self.sent):
            subj = _subject(_drop_verbs(m.group(1)))
            if subj:
                self.add(m.start(3), m.end(3), m.group(3), "count", subj, from_text=m.group(2))
                self.taken.append((m.start(2), m.end(2)))

    def percentages(self) -> None:
        for m in re.finditer(r"(?<![\w.])(" + NUM + r")\s*(?:percent|per\s+cent|%)", self.sent):
            if self.free(m.start(), m.end()):
                measures = self._percent_measures(m)
                if measures:
                    self.add(m.start(), m.end(), m.group(1), "percent", measures)

    def _percent_measures(self, m: re.Match[str]) -> str:
        """What a percentage measures, in the sentence's words: "of crimes ...", "increase in ...", "were ..."."""
        right, left = self.sent[m.end():], self.sent[:m.start()]
        if self.pm is not None and self.pm.end() <= m.start():
            left = left[:self.pm.start()] + left[self.pm.end():]
        left = re.sub(r"\([^)]*\)", " ", left)
        ch = re.match(r"\s+(" + _CHANGE_WORDS + r")\s+in\s+(?:the\s+)?(.*)", right)
        cmp_ = re.match(r"\s+(fewer|more|less|higher|lower)\s+(.*)", right)
        of = re.match(r"\s+of\s+((?:the\s+|its\s+|all\s+|their\s+)?.*)", right)
        chg_left = re.search(r"(?:a|an)\s+(" + _CHANGE_WORDS + r")\s+of\s*$", left)
        if left.rstrip().endswith("(") and right.lstrip().startswith(")"):  # "X was the main type (85 percent) of Y"
            clause = re.split(r"[,;:]", left.rstrip()[:-1])[-1].strip()
            of_what = re.match(r"\s*\)\s*(of\s+[^,;.()]*)?", right)
            tail = of_what.group(1) if of_what and of_what.group(1) else ""
            return _phrase(self._clause(f"{clause} {tail}".strip()) if tail else clause, 12)
        named = re.fullmatch(r"([A-Z][a-z][\w'’ -]{1,60}?)\s*", left) if not right.strip(" .") else None
        if named and not set(named.group(1).lower().split()) & _NP_STOP:  # a chart's label: "Drug activity 85%"
            return named.group(1)[0].lower() + named.group(1)[1:]
        by = _CHANGED_BY.search(left)
        if by and not right.strip(" .").startswith("of "):  # "cut the number of open cases by 14 percent"
            change = _CHANGE_NOUN.get(by.group(1).lower(), "change")
            return _phrase(f"{change} in {self._clause(by.group(2))}", 10)
        if ch:
            return f"{ch.group(1)} in {_words_np(ch.group(2), 5)}"
        if cmp_:
            return f"{cmp_.group(1)} {_words_np(cmp_.group(2), 5)}"
        if of and not chg_left:
            return "of " + _phrase(self._clause(of.group(1)), 10)
        if chg_left:
            prior = [x for x in self.found if x.unit == "percent"]
            what = re.sub(r"^change in ", "", prior[-1].measures) if prior else ""
            return f"{chg_left.group(1)} in {what}" if what else chg_left.group(1)
        return _left_measures(left, right)

    def _clause(self, text: str) -> str:
        """``text`` up to the end of its clause (and before the period phrase, which is kept apart)."""
        if self.period:
            text = text.split(self.period)[0]
        return re.split(r"[,;:()]|\s[–—-]\s|\b(?:compared|which|whereas|while|but)\b", text)[0]

    def money(self) -> None:
        for m in re.finditer(r"£(" + NUM + r")\s*(m|bn|k|million|billion)?\b", self.sent):
            if not self.free(m.start(), m.end()):
                continue
            mult = {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}.get((m.group(2) or "").lower(), 1)
            right = re.match(r"\s+(?:in|on|for|to)\s+(?:the\s+|its\s+|their\s+)?(.*)", self.sent[m.end():])
            verb = re.search(r"((?:\w+\s+to\s+)?(?:invest|sav|spen|cost|budget|fund)\w*)\b[^.]*$",
                             self.sent[:m.start()], re.I)
            what = _words_np(right.group(1), 5) if right else ""
            what = ("in " + what) if what else ""
            measures = " ".join(x for x in ((verb.group(1).lower() if verb else "amount"), what) if x)
            value = float(m.group(1).replace(",", "")) * mult
            self.add(m.start(), m.end(), m.group(0).strip(), "GBP", measures, value)

    def counts(self) -> None:
        """"33 organised crime groups", "2.2 disruptions per OCG"."""
        rx = r"(?<![\w.,£/–-])(" + NUM + r")(?![\w.,%/–-]|\.\d)(?=\s+(?!percent|per cent)(.{3,}))"
        for m in re.finditer(rx, self.sent):
            a = m.start(1)
            if not self.free(a, m.end(1)) or _not_a_count(self.sent[:a], m.group(1)):
                continue
            rest = m.group(2)
            np_ = _words_np(rest, 6)
            first = np_.split()[0].lower() if np_ else ""
            done = re.search(r"((?:[\w'’-]+\s+){0,2}[a-z]+(?:ing|ed))\s*$", self.sent[:a])
            if first == "times" and done:  # "the force responding 1,828 times to look for them"
                what = _phrase(self._clause(rest[len("times"):]), 6)
                self.add(a, m.end(1), m.group(1), "count", f"times {done.group(1)} {what}".strip())
                continue
            if not np_ or first in _TIME_UNITS | _MONTH_WORDS or first in {"down", "up", "to", "and", "or", "per",
                                                                               "percent"} \
                    or (first.startswith("per") and len(np_.split()) == 1):
                continue
            per = re.match(re.escape(np_) + r"\s+(per\s+(?:one\s+)?[\w,]+(?:\s+(?:of\s+the\s+)?[\w]+)?)", rest)
            whole = _WHOLE_OF.search(self.sent[:a])  # "a population of 696,000 people": what the count is
            measures = np_ + (" " + per.group(1) if per else "") + (f" ({whole.group(1).lower()})" if whole else "")
            pred = _predicate(rest[len(np_):]) if not per else ""
            self.add(a, m.start(2) + len(np_), m.group(1), "count" if not per else "rate", f"{measures} {pred}".strip())


# a change stated by its verb and size: "has cut the number of open cases by 14 percent"
_CHANGED_BY = re.compile(r"\b(reduced|cut|increased|raised|lowered|halved|improved|grown|decreased)\s+"
                         r"((?:the|its|their)\s+[\w'’ -]{3,80}?)\s+by\s*$", re.I)
_CHANGE_NOUN = {"reduced": "reduction", "cut": "reduction", "lowered": "reduction", "decreased": "reduction",
                "halved": "reduction", "increased": "increase", "raised": "increase", "grown": "increase",
                "improved": "improvement"}
_WHOLE_OF = re.compile(r"\b(population|workforce|budget|caseload|backlog|establishment)\s+of\s+(?:about\s+|around\s+|"
                       r"almost\s+|nearly\s+|over\s+|more\s+than\s+)?$", re.I)
_MONTH_WORDS = {x.lower() for x in MONTHS.split("|")}
# words that end a phrase badly: a label never stops on them
_DANGLING = {"the", "a", "an", "of", "with", "to", "for", "in", "on", "at", "by", "from", "and", "or", "their", "its",
             "his", "her", "our", "this", "that", "these", "those", "as", "than", "into", "per", "whole", "all"}
_PREPOSITIONS = {"with", "to", "for", "in", "on", "at", "by", "from", "into", "through", "across", "within", "over",
                 "under", "about", "against", "between"}
_STATE_VERBS = r"(?:fell|rose|went|dropped|increased|decreased|reduced|grew|has|have|had|was|were|is|are)"


def _phrase(text: str, max_words: int) -> str:
    """At most ``max_words`` words of ``text``, never cut inside a phrase: a cut drops the unfinished
    prepositional phrase ("satisfied with their whole experience with the" -> "... experience")."""
    words = text.split()
    if len(words) > max_words:
        words = words[:max_words]
        last_prep = max((i for i, w in enumerate(words) if w.lower() in _PREPOSITIONS and i > 0), default=None)
        if last_prep is not None and len(words) - last_prep <= 3:
            words = words[:last_prep]
    while words and words[-1].lower().strip(",.;:") in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" .,;:")


def _drop_verbs(text: str) -> str:
    """"the number of officers fell " -> "the number of officers"."""
    return re.sub(r"\s+" + _STATE_VERBS + r"(?:\s+\w+ly)?\s*$", " ", " " + text).strip()


def _not_a_count(before: str, num: str) -> bool:
    """A number that is a reference, an age, a year or a date, not a count of something."""
    prev = re.search(r"([\w'’]+)\s*$", before)
    pw = prev.group(1).lower() if prev else ""
    return pw in _SKIP_BEFORE or pw in {"per", "from", "than"} or pw in _MONTH_WORDS \
        or bool(re.fullmatch(r"(?:19|20)\d\d", num))


def _left_measures(left: str, right: str) -> str:
    """A percentage whose subject comes before it: "crime fell by 12 percent", "the average of 28 percent"."""
    pred = _predicate(right)
    verb_obj = re.search(r"\b(reduced|increased|cut|lowered|raised|improved)\s+((?:[\w'’-]+\s+){1,4})by\s*$", left)
    verb_left = re.search(r"^(.*?)\b(?:fell|rose|increased|decreased|reduced|dropped|grew|went\s+up|went\s+down)"
                          r"\s+by\s*$", left)
    lv = re.search(r"^(.*?)\b(?:is|was|were|are|of|at|stood\s+at|to)\s*$", left)
    if verb_obj:
        return f"change in {verb_obj.group(2).strip()}"
    if verb_left and _subject(verb_left.group(1)):
        return f"change in {_subject(verb_left.group(1))}"
    if pred:
        return (_subject(left) + " " + pred).strip() if _subject(left) else pred
    if lv and _subject(lv.group(1)):
        return _subject(lv.group(1))
    return ""
