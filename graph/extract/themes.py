"""Passages -> themes: every passage gets at least one inspection theme.

Keyword hits from ``ontology/theme_keywords.json`` decide first; a passage
with no hit falls back to the theme whose vocabulary (keywords, labels,
definition) shares most words with the passage and its heading path, so no
passage is left untagged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graph.text import alternation
from ontology import themes as ontology_themes

_WORD_RE = re.compile(r"[a-z][a-z'-]+")
_STOP = frozenset("""a an and are as at be been but by can could do does for from had has have how in into is it its
of on or our that the their them there these they this those to was we were what when where which who will with
would force forces police policing should not more most other some such than also all any may well""".split())
MAX_THEMES = 4


@dataclass(frozen=True)
class ThemeHit:
    theme: str
    score: float
    rule: str  # "keyword" | "heading" | "fallback:overlap"


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """One regex over every theme phrase, and phrase -> the themes it belongs to."""
    owners: dict[str, set[str]] = {}
    for t in ontology_themes():
        for k in (*t.keywords, t.label, *t.alt_labels):
            k = k.lower().strip()
            if k:
                owners.setdefault(k, set()).add(t.id)
    phrases = sorted(owners, key=len, reverse=True)
    # short keywords ("asb", "pop") only as whole words; plural/inflected endings allowed on longer ones
    alts = [[re.escape(c) for c in p] + ([r"(?:s|es|ing|ed)?"] if len(p) > 4 else []) for p in phrases]
    rx = re.compile(r"(?<![\w-])" + alternation(alts, fold_case=True) + r"(?![\w-])", re.I)
    return rx, {k: tuple(sorted(v)) for k, v in owners.items()}


def _owners(match: str, owners: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    m = match.lower()
    for cut in ("", "s", "es", "ing", "ed"):
        if cut and not m.endswith(cut):
            continue
        key = m[: len(m) - len(cut)] if cut else m
        if key in owners:
            return owners[key]
    return ()


@lru_cache(maxsize=1)
def _vocab() -> tuple[tuple[str, frozenset[str]], ...]:
    out = []
    for t in ontology_themes():
        text = " ".join((*t.keywords, t.label, *t.alt_labels, t.definition)).lower()
        out.append((t.id, frozenset(w for w in _WORD_RE.findall(text) if w not in _STOP)))
    return tuple(out)


def _keyword_scores(text: str) -> dict[str, float]:
    rx, owners = _matcher()
    scores: dict[str, float] = {}
    for m in rx.finditer(text):
        for tid in _owners(m.group(0), owners):
            scores[tid] = scores.get(tid, 0.0) + 1.0
    return scores


def tag(text: str, section: list[str] | None = None, limit: int = MAX_THEMES) -> list[ThemeHit]:
    """The themes of a passage, best first (never empty)."""
    scores = _keyword_scores(text)
    if scores:
        best = max(scores.values())
        # keep themes with a fair share of the hits, so one stray keyword does not tag a passage
        keep = [(tid, s) for tid, s in scores.items() if s >= max(1.0, best / 3)]
        keep.sort(key=lambda x: (-x[1], x[0]))
        return [ThemeHit(tid, s, "keyword") for tid, s in keep[:limit]]
    heading = " ".join(section or [])
    if heading:
        hs = _keyword_scores(heading)
        if hs:
            tid, s = sorted(hs.items(), key=lambda x: (-x[1], x[0]))[0]
            return [ThemeHit(tid, s, "heading")]
    return [nearest(text + " " + heading)]


def nearest(text: str) -> ThemeHit:
    """The theme whose vocabulary overlaps the text most (ties: ontology order)."""
    words = {w for w in _WORD_RE.findall(text.lower()) if w not in _STOP}
    best_id, best = _vocab()[0][0], -1.0
    for tid, vocab in _vocab():
        score = float(len(words & vocab))
        if score > best:
            best_id, best = tid, score
    return ThemeHit(best_id, max(best, 0.0), "fallback:overlap")


def theme_labels() -> dict[str, str]:
    return {t.id: t.label for t in ontology_themes()}
