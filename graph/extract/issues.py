"""Clauses -> issue labels: short noun phrases that say what the report says.

An issue node names a concept ("removal of neighbourhood officers",
"pressure on response officers"). Where no noun phrase captures the clause,
the label keeps the clause with its subject and its negation ("response
officers can't progress investigations effectively"); polarity lives on the
edge. Labels are cut only where a phrase ends (a clause boundary or before a
preposition), never inside a noun phrase: a clause that cannot be cut that
way gives no label, and no edge.
"""
from __future__ import annotations

import re

from graph.extract.entities import lookup, plural, singular

MAX_WORDS = 16

NEGATION = re.compile(
    r"n['’]t\b|\b(?:not|no|never|cannot|nor|none|neither|no\s+longer|only|without|lack|lacks|lacking|unable|"
    r"insufficient|absence)\b", re.I)

_OPENERS = re.compile(
    r"^(?:however|also|in addition|additionally|furthermore|moreover|therefore|consequently|but|and|so|yet|"
    r"in (?:the )?(?:meantime|practice|particular)|as well as this|overall|generally|unfortunately|"
    r"(?:in|as at|during|since|by|from|between|over)\b[^,]{0,60}\d{4}\s*,|"
    r"(?:despite|in\s+spite\s+of|for\s+example|for\s+instance)\b[^,;]{0,80}[,;]|"
    r"(?:in|during|since|by) (?:\w+ )?\d{4})\s*,?\s+", re.I)
_REPORTING = re.compile(
    r"^(?:(?:we|hmic|hmicfrs|inspectors|the inspectorate|officers|staff|partners|the force)\s+(?:also\s+)?"
    r"(?:saw|found|noted|heard|were told|was told|believe|are concerned|told us|reported|recognise[sd]?|"
    r"acknowledge[sd]?)\s+(?:some\s+)?(?:signs\s+|evidence\s+)?(?:that\s+)?|"
    r"there (?:is|was|are|were) (?:some )?(?:evidence|signs|indications) that\s+|"
    r"it is (?:clear|likely|evident|apparent) that\s+|there\s+(?:is|are|was|were|(?:may|might|will|could)\s+be)\s+"
    r"(?=(?:no|not|never|more|less|fewer|some|a|an|many|too)\b)|"
    r"(?:many|some|several|a\s+number\s+of|a\s+few)?\s*(?:good\s+)?examples?\s+of\s+|"
    r"(?:a|one|another)\s+(?:recent\s+|good\s+)?example\s+(?:of\s+this\s+)?(?:is|was)\s+(?:when\s+|that\s+|where\s+)?|"
    r"(?!(?:although|though|while|whereas|if|when|since)\b)(?:[\w’'-]+\s+){1,10}?"
    r"(?:recommended|found|noted|concluded|said|reported|told us|were told|saw)\s+that\s+)",
    re.I)
_DETERMINERS = re.compile(r"^(?:the|a|an|its|their|these|those|some|all|any|each|such|our|his|her)\s+", re.I)
_POSSESSIVE = re.compile(r"^(?:the\s+)?(?:force|forces|constabulary|police)['’]s?\s+", re.I)
_NOMINAL = {
    "remove": "removal", "removed": "removal", "removes": "removal", "removing": "removal",
    "withdraw": "withdrawal", "withdrew": "withdrawal", "withdrawn": "withdrawal",
    "reduce": "reduction", "reduced": "reduction", "reduces": "reduction", "reducing": "reduction",
    "cut": "cut", "cuts": "cut", "abstract": "abstraction", "abstracted": "abstraction", "abstracts": "abstraction",
    "move": "moving", "moved": "moving", "moves": "moving", "stopped": "stopping", "closed": "closure",
    "merged": "merger", "centralised": "centralisation", "redeployed": "redeployment",
}
_EVENT_NOUNS = ("removal|reduction|loss|lack|shortage|withdrawal|abstraction|abstractions|absence|increase|decrease|"
                "introduction|use|cut|cuts|closure|merger|centralisation|redeployment|movement|demand|rise|fall|"
                "number|volume|quality|level")
_SUBORDINATORS = {"when", "where", "while", "if", "because", "as", "although", "unless", "until", "since"}
_MEASURES = {"number", "volume", "quality", "level", "use", "demand"}
# words that start a new phrase: a label may end just before one of them
_PHRASE_START = {"in", "at", "for", "within", "during", "from", "on", "with", "over", "after", "before", "across",
                 "because", "when", "where", "while", "as", "and", "or", "but", "which", "who", "to", "into", "than",
                 "until", "since", "through", "about", "against", "between"}
_TRAILING = {"and", "or", "of", "to", "in", "for", "with", "by", "on", "at", "from", "the", "a", "an", "its", "their",
             "is", "are", "was", "were", "be", "being", "been", "that", "which"}
_BOUNDARY = re.compile(
    r"\s*[;:]\s*|\s+[–—-]\s+|,\s*(?:which|who|but|so|although|though|while|whereas|and\s+(?=\w+\s+\w+\s+(?:is|are|was|"
    r"were|has|have|had|can|will|do|does|did)\b)|as\s+well\s+as)\b|\s+(?:because|although|though|whereas|so\s+that|"
    r"unless|which\s+(?:is|are|was|were|means|meant)|allowing|enabling)\b", re.I)
_STOP_NP = re.compile(
    r"^(?:is|are|was|were|be|been|has|have|had|which|who|that|when|while|because|means|meant|can|could|will|"
    r"would|should|may|might|must|does|do|did|so|but|until|unless|n['’]t|\w+n['’]t|cannot|often|always|"
    r"sometimes|usually|still|now|never|not|rarely|generally|routinely|frequently)$", re.I)
_SUBJECT_PRONOUN = re.compile(r"^(?:they|it|he|she)\b\s*", re.I)
_BAD_START = re.compile(r"^(?:it|they|them|this|there|we|he|she|that|these|those|while|although|for example|by|of|"
                        r"to|be|which|who|and|or|but|from|is|are|was|were|has|have|had|as at)\b", re.I)
_BAD_END = {"this", "these", "those", "it", "that"}
_VAGUE = {"role", "roles", "workload", "workloads", "work", "time", "issue", "issues", "problem", "problems", "area",
          "areas", "way", "part", "result", "example", "approach", "number", "level", "use"}
_GENERIC = {"force", "forces", "police", "crime", "investigations", "staff", "officers", "people", "work",
            "this", "that", "it", "they"}


def tokens(text: str) -> list[str]:
    """Whitespace words with outer punctuation removed ("12–15" stays one word)."""
    out = []
    for w in text.split():
        w = w.strip(".;:!?\"“”()[]").lstrip(",")
        if w and re.search(r"\w", w):
            out.append(w)
    if out:
        out[-1] = out[-1].rstrip(",")
    return out


def _acronyms(text: str) -> str:
    """"police community support officers (PCSOs)" -> "PCSOs": a long form followed by its acronym."""
    def short(m: re.Match[str]) -> str:
        abbr = m.group("a")
        letters = abbr[:-1] if abbr.endswith("s") else abbr
        words = m.group("w").split()
        tail = words[-len(letters):]
        if len(tail) == len(letters) and "".join(w[0] for w in tail).lower() == letters.lower():
            return " ".join(words[:-len(letters)] + [abbr])
        return m.group(0)
    if not _ACRONYM_IN_BRACKETS.search(text):  # what every match ends with; a cheap test first
        return text
    return re.sub(r"(?P<w>(?:[\w-]+\s+){1,8}?[\w-]+)\s+\((?P<a>[A-Z]{2,}s?)\)", short, text)


_ACRONYM_IN_BRACKETS = re.compile(r"\([A-Z]{2,}s?\)")


def strip_openers(clause: str) -> str:
    """Drop discourse openers and reporting frames ("However, we found that ...")."""
    c = re.sub(r"\s*\([^)]*\)", "", _acronyms(clause)).strip(" ,;:.")
    for _ in range(4):
        c2 = _REPORTING.sub("", _OPENERS.sub("", c)).strip(" ,;:.")
        if c2 == c:
            break
        c = c2
    return c


def _list_aware_cut(text: str) -> str:
    """Cut at the first comma that is not inside a list ("A, B and C")."""
    parts = re.split(r",(?=\s)", text)
    out = parts[0]
    for n, part in enumerate(parts[1:], 1):
        rest = part.strip()
        short = 0 < len(rest.split()) <= 5 and not _has_verb(rest)
        closes = any(re.search(r"(?:^|\s)(?:and|or)\s+\S", p.strip()) for p in parts[n:])
        if not (short and closes):
            break
        out += "," + part
    return out


def _has_verb(text: str) -> bool:
    return bool(re.search(r"\b(?:is|are|was|were|has|have|had|can|could|will|would|does|do|did|may|might|must|"
                          r"should)\b|n['’]t\b", text, re.I))


def cut_phrase(text: str, max_words: int = MAX_WORDS) -> str | None:
    """The text up to where its phrase ends, at most ``max_words`` words; None when it cannot be cut cleanly."""
    text = _BOUNDARY.split(text, maxsplit=1)[0]
    text = _list_aware_cut(text)
    words = tokens(text)
    if len(words) > max_words:
        cuts = [i for i in range(3, max_words + 1) if i < len(words) and words[i].lower() in _PHRASE_START
                and words[i - 1].lower() not in ("able", "have", "has", "going", "due", "need", "needs")]
        if not cuts:
            return None
        words = words[:cuts[-1]]
    while words and words[-1].lower() in _TRAILING:
        words.pop()
    if words and words[-1].lower() in _BAD_END:  # "... when the victim doesn't support it": end before that clause
        cuts = [i for i in range(3, len(words)) if words[i].lower() in _SUBORDINATORS]
        words = words[:cuts[-1]] if cuts else words
    return " ".join(words) or None


def noun_phrase(text: str) -> str:
    """The noun phrase at the start of ``text``: up to the first verb or clause boundary."""
    out = []
    for w in tokens(_list_aware_cut(_BOUNDARY.split(text, maxsplit=1)[0])):
        if _STOP_NP.match(w):
            break
        out.append(w)
    while out and out[-1].lower() in _TRAILING:
        out.pop()
    return " ".join(out)


def clean_np(np_: str) -> str:
    np_ = _DETERMINERS.sub("", np_.strip())
    np_ = _POSSESSIVE.sub("", np_)
    np_ = re.sub(r"^(?:already|just|also|even|further|additional)\s+", "", np_, flags=re.I)
    return _DETERMINERS.sub("", np_)


def canon_np(np_: str) -> str:
    """A noun phrase with names resolved:
    "police constables from its neighbourhood teams" -> "neighbourhood officers"."""
    np_ = clean_np(np_)
    m = re.match(r"(?:all\s+)?(?P<who>[\w -]+?)\s+from\s+(?:the\s+|its\s+|their\s+)?"
                 r"(?:force['’]s\s+)?(?P<unit>[\w -]+)$",
                 np_, re.I)
    if m:
        unit_words = m.group("unit").split()
        if len(unit_words) >= 2:
            head = singular(m.group("who").split()[-1].lower())
            t = lookup(" ".join(unit_words[:-1]) + " " + head)  # "neighbourhood" + "constable"
            if t is not None:
                return plural(t.label) if t.type == "role" else t.label
        t = lookup(m.group("who"))
        if t is not None and t.type == "role":
            return f"{plural(t.label)} from {m.group('unit')}"
    t = lookup(np_)
    if t is not None and t.type in ("role", "unit"):
        return plural(t.label) if t.type == "role" else t.label
    return np_


def lower(label: str) -> str:
    """Lower-case except acronyms and names inside the label."""
    words = label.split()
    return " ".join(w if (w.rstrip("s").isupper() and len(w) > 1) or (w[:1].isupper() and (
        i > 0 or len(words) > 1 and words[1][:1].isupper())) else w.lower() for i, w in enumerate(words))


def _event_label(c: str, role: str) -> str | None:
    """"the removal of neighbourhood officers was ..." -> "removal of neighbourhood officers"."""
    m = re.match(r"(?:(?:the|a|an|its|their)\s+)?(?:(?:force|forces|constabulary)['’]s?\s+)?(?:(?P<adj>\w+)\s+)?"
                 r"(?P<n>" + _EVENT_NOUNS + r")\s+(?P<p>of|in|on)\s+(?P<x>.+)", c, re.I)
    if not m or NEGATION.search(m.group("adj") or "") or len(c.split()) > 30:
        return None
    if role == "effect" and m.group("n").lower() in _MEASURES and _has_verb(m.group("x")):
        return None  # "the quality of investigations has suffered": the change is the point, keep the clause
    x: str | None = noun_phrase(m.group("x"))
    x = cut_phrase(x, 8) if x else None
    if not x:
        return None
    noun = {"abstractions": "abstraction", "cuts": "cut"}.get(m.group("n").lower(), m.group("n").lower())
    adj = m.group("adj")
    head = f"{adj} {noun}" if adj and adj.lower() not in ("the", "a", "an") else noun
    return lower(f"{head} {m.group('p').lower()} {canon_np(x)}")


def _action_label(c: str, role: str) -> str | None:
    """"the force removed all police constables from its neighbourhood teams" -> "removal of neighbourhood officers"."""
    m = re.match(r"(?P<s>(?:\S+\s+){0,5}?)(?:has\s+|have\s+|had\s+)?(?P<v>" + "|".join(_NOMINAL) +
                 r")\s+(?P<x>(?:all\s+|some\s+|most\s+)?[^,.;]+)", c, re.I)
    if not m or NEGATION.search(m.group("s")) or _has_verb(m.group("s")):
        return None
    x = re.split(r"\s+(?:and|but|which|who|to|so|because|when|while)\s+|\s+from\s+(?:dealing|doing|their\s+own)",
                 m.group("x"))[0]
    x = cut_phrase(noun_phrase(x), 9)
    if not x:
        return None
    return lower(f"{_NOMINAL[m.group('v').lower()]} of {canon_np(x)}")


def _clause_label(c: str) -> str | None:
    """Subject, negation and predicate kept; determiners and openers dropped."""
    cut = cut_phrase(c)
    if not cut:
        return None
    cut = clean_np(cut)
    cut = re.sub(r"\b(?:is|are|was|were)\s+being\s+", lambda m: m.group(0).split()[0] + " ", cut)
    return lower(cut)


def issue_label(clause: str, role: str = "cause") -> str | None:
    """A short label for a cause or effect clause, or None when none can be made faithfully."""
    c = strip_openers(clause)
    if not c:
        return None
    rules = (_event_label, _action_label, _special_label, _possession_label) if role == "cause" else (
        _event_label, _available_label, _special_label)
    for rule in rules:
        label = rule(c, role)
        if label:
            return label
    np_: str | None = noun_phrase(c)
    if np_ and len(tokens(np_)) >= len(tokens(_list_aware_cut(_BOUNDARY.split(c, maxsplit=1)[0]))):
        np_ = cut_phrase(clean_np(np_))  # the clause is a noun phrase
        if np_:
            return lower(canon_np(np_))
    return _clause_label(c)


_HAS = re.compile(r"^(?:it|they|the\s+(?:force|constabulary|service)|[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}\s+"
                  r"(?:Police|Constabulary))\s+(?:now\s+|also\s+)?(?:has|have|runs|uses|operates|funds|(?:has\s+)?"
                  r"(?:introduced|set\s+up|created|established|launched))\s+(?:a|an|its|their)\s+(?P<x>.+)$", re.I)


def _possession_label(c: str, role: str) -> str | None:
    """"It has a street triage service – to advise officers – run by nurses" -> the service it has: a cause
    that is something the force has or set up (its effects are what "This means ..." says)."""
    m = _HAS.match(re.sub(r"\s+[–—]\s+[^–—]*?\s+[–—]\s+", " ", c).rstrip(" ."))
    if not m or re.match(r"^(?:no|not|few|little|limited|insufficient)\b", m.group("x"), re.I):
        return None
    x = cut_phrase(clean_np(m.group("x")), 10)
    return lower(canon_np(x)) if x else None


def _available_label(c: str, role: str) -> str | None:
    """"they weren't available to carry out X" -> X (an effect: the edge carries the negative).

    Only when the subject is a pronoun: a named subject ("response officers don't have the capacity to ...")
    is kept, with its negation, by the clause label.
    """
    if not _SUBJECT_PRONOUN.match(c):
        return None
    m = re.search(r"\b(?:available|able|free|time|capacity|resources?)\s+to\s+(?:carry\s+out|do|undertake|conduct|"
                  r"perform|complete|provide|deliver|support|execute|make)\s+(?P<x>[^,.;]+)", c, re.I)
    if m:
        x = cut_phrase(m.group("x"), 8)
        return lower(clean_np(x)) if x else None
    return None


def _special_label(c: str, role: str) -> str | None:
    """Phrases that name a concept inside a clause: pressure on X, ability to X."""
    m = re.match(r"(?:\w+\s+){0,3}?pressure\s+on\s+(?P<x>.+)", c, re.I)
    if m:
        x = cut_phrase(clean_np(noun_phrase(clean_np(m.group("x")))), 8)
        return lower(f"pressure on {canon_np(x)}") if x else None
    m = re.match(r"(?:the\s+)?(?:(?:force|forces|constabulary)['’]s?\s+)?(?P<a>ability|capacity|capability|inability)"
                 r"\s+to\s+(?P<x>.+)", c, re.I)
    if m:
        x = cut_phrase(m.group("x"), 9)
        return lower(f"{m.group('a').lower()} to {x}") if x else None
    return None


_SINGULAR_HEADS = {"team", "unit", "hub", "department", "service", "board", "partnership", "force", "constabulary",
                   "centre", "room", "squad", "desk", "panel", "group", "scheme", "system", "programme", "model"}


def _subject(np_: str) -> str:
    """The subject inside a run of words: "custody sergeants lack time" -> "custody sergeants" (a known name at
    the start), "firearms team works nights" -> "firearms team" (a singular head noun, then its verb in -s)."""
    words = np_.split()
    for i in range(len(words) - 1, 0, -1):  # the longest known name at the start ("custody sergeants")
        if lookup(" ".join(words[:i])) is not None:
            return " ".join(words[:i])
    for i in range(1, len(words)):
        w = words[i].lower()
        if words[i - 1].lower() in _SINGULAR_HEADS and w.endswith("s") and not w.endswith("ss"):
            return " ".join(words[:i])
    return np_


def resolve_pronoun(label: str, other: str) -> str | None:
    """"they are making poor decisions" + "supervisors don't have time" -> "supervisors are making poor decisions"."""
    m = _SUBJECT_PRONOUN.match(label)
    if not m:
        return label
    words = _subject(noun_phrase(clean_np(strip_openers(other)))).split()
    subj = " ".join(words)
    if not (1 <= len(words) <= 5) or _SUBJECT_PRONOUN.match(subj) or _BAD_START.match(subj):
        return None
    if m.group(0).strip().lower() == "it" and words[-1].lower().endswith("s") and not words[-1].endswith("ss"):
        return None
    return lower(subj + " " + label[m.end():])


def valid_label(label: str | None) -> bool:
    """Short, names something, and not a pronoun, a bare generic word or a force."""
    if not label:
        return False
    words = label.split()
    if not (1 <= len(words) <= MAX_WORDS + 2) or not any(len(w) > 2 for w in words):
        return False
    if len(words) == 1 and words[0].lower() in _VAGUE:
        return False  # one vague word ("workload", "role") names no issue on its own
    if _BAD_START.match(label) or label.lower() in _GENERIC or words[-1].lower() in _TRAILING | _BAD_END:
        return False
    t = lookup(label)
    return not (t is not None and t.type == "force")
