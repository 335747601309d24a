"""Small text rules shared by the normaliser, the segmenter and the passage builder.

Sentence splitting, bullet and grade recognition, whitespace clean-up: the
pieces that must behave the same wherever text is cut.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from graph.records import GRADES

BULLET_RE = re.compile(r"^\s*(?:[•●▪◦■□‣⁃*·–—-]|\(?[a-z]\)|\(?\d{1,2}[.)])\s+")
NEWLINES_RE = re.compile("\r\n?|[\u2028\u2029\x85\x0b]")  # every line break a file may use
URL_LINE_RE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.I)
URL_RE = re.compile(r"(?:https?://|www\.)[^\s)>\]]+", re.I)
GRADE_RE = re.compile(r"^\s*(" + "|".join(GRADES) + r")\s*\.?\s*$", re.I)
TERMINAL = ".?!:;…"
CLOSERS = "\"'”’)]"

# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "prof", "no", "nos", "vol", "fig", "figs",
    "para", "paras", "st", "co", "ltd", "inc", "vs", "v", "cf", "approx", "dept", "govt",
    "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "supt", "insp", "sgt", "pc", "ds", "di", "dci", "dcc", "acc", "cc", "op", "ch",
}
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and
# an upper-case letter, digit, opening quote or bullet.
_SENT_END_RE = re.compile(r"([.!?…][\"'”’)\]]*)\s+(?=[A-Z0-9‘“\"'(£•])")


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- words, slugs, months and acronym definitions: one copy each for ingest, extraction and search

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def slug(text: str, empty: str = "x") -> str:
    """Lower-case ASCII id part: apostrophes dropped, other runs of non-alphanumerics become "-"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "'").replace("'", "")).strip("-")[:80] or empty



def singular(word: str) -> str:
    w = word
    lw = w.lower()
    if len(lw) <= 3 or lw.endswith(("ss", "us", "is", "ics")) or lw in _INVARIANT:
        return w
    if lw.endswith("ies") and len(lw) > 4:
        return w[:-3] + "y"
    if lw.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if lw.endswith("s") and not lw.endswith("'s"):
        return w[:-1]
    return w


_INVARIANT = {"police", "staff", "services", "news", "series", "species", "analysis", "crisis", "process",
              "business", "lines", "courts", "banks", "premises", "means", "arrangements", "resources",
              "powers", "needs", "standards", "families", "affairs", "operations"}


def plural(word: str) -> str:
    lw = word.lower()
    if lw.endswith("s") or lw in _INVARIANT:
        return word
    if lw.endswith("y") and lw[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if lw.endswith(("ch", "sh", "x")):
        return word + "es"
    return word + "s"



_PAREN_ACR_RX = re.compile(r"\(([A-Z][A-Za-z0-9&]*[A-Z0-9][a-z]?s?)\)")
_ACR_PAREN_RX = re.compile(r"\b([A-Z][A-Z0-9&-]{1,8})\s*\(([a-z][a-z ,'’-]{4,80})\)")


def _sh_long_form(abbr: str, before: str) -> str | None:
    """Schwartz-Hearst: the shortest tail of ``before`` whose letters spell ``abbr``."""
    words = before.split()
    window = words[-min(len(words), len(abbr) + 5, 2 * len(abbr) + 1):]
    cand = " ".join(window)
    s, low = abbr.lower(), cand.lower()
    si, li = len(s) - 1, len(low) - 1
    while si >= 0:
        c = s[si]
        if not c.isalnum():
            si -= 1
            continue
        while li >= 0 and (low[li] != c or (si == 0 and li > 0 and low[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        si -= 1
        li -= 1
    start = low.rfind(" ", 0, li + 1) + 1
    long_form = cand[start:].strip(" ,;:")
    long_form = re.sub(r"^(?:the|a|an|its|their|of|and|to|by|for|with|from)\s+", "", long_form, flags=re.I)
    if len(long_form) <= len(abbr) or len(long_form.split()) > len(abbr) + 3:
        return None
    first = long_form.split()[0].lower()
    if first[0] != abbr[0].lower():
        return None
    return long_form


def find_acronyms(text: str) -> dict[str, str]:
    """Acronyms defined in the text -> long form (lower case unless a proper name)."""
    out: dict[str, str] = {}
    for m in _PAREN_ACR_RX.finditer(text):
        abbr = m.group(1)
        base = abbr[:-1] if abbr.endswith("s") and abbr[:-1].isupper() and len(abbr) > 2 else abbr
        if not (sum(c.isupper() for c in base) >= 2 or base.isupper()):
            continue
        lf = _sh_long_form(base, text[max(0, m.start() - 200):m.start()])
        if lf:
            out.setdefault(base, _tidy_long(lf))
    for m in _ACR_PAREN_RX.finditer(text):
        abbr, inner = m.group(1), m.group(2)
        initials = "".join(w[0] for w in re.split(r"[\s,]+", inner) if w and w not in {"and", "of", "the"})
        if initials.lower() == abbr.lower():
            out.setdefault(abbr, _tidy_long(inner))
    return out


def _tidy_long(lf: str) -> str:
    lf = re.sub(r"\s+", " ", lf.replace("’", "'")).strip()
    if any(w[:1].isupper() for w in lf.split()[1:]):  # a proper name keeps its capitals
        return lf
    return lf.lower()


def is_bullet(line: str) -> bool:
    return bool(BULLET_RE.match(line))


def strip_bullet(line: str) -> str:
    return BULLET_RE.sub("", line, count=1).strip()


def grade_of(text: str) -> str | None:
    """The judgment grade if the text is nothing but a grade ("Requires improvement")."""
    m = GRADE_RE.match(text)
    return m.group(1).lower() if m else None


def ends_sentence(text: str) -> bool:
    t = text.rstrip().rstrip(CLOSERS)
    return bool(t) and t[-1] in TERMINAL


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (covering it, no gaps but spaces)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        end = m.end(1)
        before = text[start:m.start(1)]
        word = re.split(r"[\s(]", before)[-1].lower() if before else ""
        if m.group(1)[0] == "." and (word.rstrip(".") in _ABBREV or re.fullmatch(r"(?:[a-z]\.)+[a-z]?", word)):
            continue
        if m.group(1)[0] == "." and re.fullmatch(r"\d+", word) and start == m.start(1) - len(word):
            continue  # a numbered list marker "1." at the start
        spans.append((start, end))
        start = m.end()
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def word_count(text: str) -> int:
    return len(text.split())


# ------------------------------------------------------------------ words (search and extraction share these)

WORD_RE = re.compile(r"\w+", re.UNICODE)
STOP_WORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can could did didn't do does doesn't doing don't down during each few for from further
had has have having he her here hers herself him himself his how i if in into is isn't it its itself just
let me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was wasn't we were weren't what when where which while who whom why
will with would you your yours yourself yourselves s t d ll m o re ve y also get got us per via
tell say said many much ever still yet well way ways within whether
""".split())


def norm_token(t: str) -> str:
    """Lower case, no possessive, crude singular: enough to match 'body cameras' to 'body camera'."""
    t = t.lower().replace("’", "'")
    if t.endswith("'s"):
        t = t[:-2]
    t = t.replace("'", "")
    if len(t) > 4 and t.endswith("ies"):
        return t[:-3] + "y"
    if len(t) > 3 and t.endswith("s") and not t.endswith("ss"):
        return t[:-1]
    return t


def content_words(text: str) -> list[str]:
    """Lower-case content words of the text, in order, deduplicated (stop words and single letters out)."""
    return list(_content_words(text))


@lru_cache(maxsize=1 << 14)  # every search reads its candidate passages' words again
def _content_words(text: str) -> tuple[str, ...]:
    out: dict[str, None] = {}  # ordered, and a membership test that does not grow with the text
    for t in WORD_RE.findall(text.lower()):
        t = t.replace("_", "")
        if not t or t in STOP_WORDS or (len(t) == 1 and not t.isdigit()) or t in out:
            continue
        out[t] = None
    return tuple(out)


_SUFFIXES = (("ations", "at"), ("ation", "at"), ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""),
             ("edly", ""), ("ed", ""), ("ers", ""), ("er", ""), ("ors", ""), ("or", ""), ("ly", ""))


@lru_cache(maxsize=1 << 16)  # answers stem the same few thousand words on every request
def stem(word: str) -> str:
    """A light stem for matching words across forms: "evaluation", "evaluated", "evaluating" -> "evaluat"."""
    w = norm_token(word)
    for suffix, replacement in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)] + replacement
    return w.rstrip("e") if len(w) > 4 else w


_NON_RE = re.compile(r"\bnon-(?=\w)", re.I)


def join_non(text: str) -> str:
    """"non-emergency" as one word, so that it never reads as "emergency"."""
    return _NON_RE.sub("non", text)


def stems(text: str) -> set[str]:
    """The stems of a text's content words ("non-emergency" stays one word)."""
    return {stem(w) for w in content_words(join_non(text))}


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits, else cut at the last whole word before ``limit`` with an ellipsis (never mid-word)."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 3]
    if " " in cut and not text[limit - 3].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "..."


_KEY_STOP = frozenset("""a an the of and or to in on for by with at from as is are was were be been being it its this
that these those they them their we our has have had not no does doesn't don't isn't aren't can could should would
will may might must do did which who what when how than into also but however there more most less much many some all
any force forces force's police""".split())


def fold_plural(word: str) -> str:
    """"officers" -> "officer", "processes" kept whole: the one plural rule for comparing words."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def key_words(text: str) -> set[str]:
    """Lower-case content words of three letters or more, plurals folded, the force's own words out: what
    "the same words" means when labels, findings and topics are compared."""
    return {fold_plural(w) for w in re.findall(r"[a-z][a-z'-]+", text.lower().replace("’", "'"))
            if w not in _KEY_STOP and len(w) > 2}


# --- long alternations (gazetteers, theme vocabularies) as one regex that tries only what can match

def alternation(alternatives: Sequence[Sequence[str]], fold_case: bool = False) -> str:
    """The alternatives (each a list of regex atoms: one character, or any sub-pattern) as one regex group
    that matches exactly as ``"(?:" + "|".join(...) + ")"`` does, trying them in the same order, but with
    leading letters and digits shared ("a(?:ct|rea)" for "act|area"). Python's ``re`` otherwise tries every
    alternative at every position: over a thousand names that was most of the time of extracting a report.

    Two alternatives swap places only when they start with different ASCII letters or digits (which no
    character matches both of, also under ``re.I``: then pass ``fold_case``); any other first atom keeps
    its place among all the others.
    """
    out: list[str] = []
    run: dict[str, list[Sequence[str]]] = {}  # a stretch of alternatives with a letter or digit first, by it

    def flush() -> None:
        for members in run.values():
            rest = [m[1:] for m in members]
            out.append(members[0][0] + (_join(rest[0]) if len(rest) == 1 else alternation(rest, fold_case)))
        run.clear()

    for alt in alternatives:
        first = alt[0] if alt else ""
        if len(first) == 1 and first.isascii() and first.isalnum():
            run.setdefault(first.lower() if fold_case else first, []).append(alt)
            continue
        flush()
        out.append(_join(alt))
    flush()
    return "(?:" + "|".join(out) + ")"


def _join(atoms: Sequence[str]) -> str:
    return "".join(atoms)
