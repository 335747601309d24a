"""Query expansion from the ontology: acronyms <-> long forms, gazetteer aliases, lay -> official words.

Everything here comes from ``ontology`` (general policing vocabulary) plus
acronyms the indexed reports define themselves ("long form (ABBR)"); nothing
is specific to one report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graph.text import stem

_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’&]*")
_MAX_N = 7


def norm_tokens(text: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in _TOKEN_RE.findall(text.replace("-", " ")))


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _verb_for_agent(word: str, forms: set[str]) -> bool:
    """A verb ("managing", "managed") whose stem only names people among the lay words ("managers")."""
    return bool(forms) and word.endswith(("ing", "ed")) and all(f.endswith("er") for f in forms)


@dataclass(frozen=True)
class Expansion:
    source: str  # the words of the query that matched
    phrases: tuple[str, ...]  # what they expand to


@dataclass
class _Vocabulary:
    acronyms: dict[str, tuple[str, ...]]  # ABBR (exact case) -> expansions
    phrases: dict[tuple[str, ...], tuple[str, ...]]  # normalised tokens -> expansions
    loose: dict[tuple[str, ...], tuple[str, ...]]  # the same, with one inner word of a long name dropped
    forms: dict[tuple[str, ...], set[str]]  # one-word lay terms as written: "managers", not "managing"


def _add(d: dict, key, values: list[str]) -> None:
    old = list(d.get(key, ()))
    for v in values:
        if v and v not in old:
            old.append(v)
    d[key] = tuple(old)


@lru_cache(maxsize=1)
def _ontology_vocabulary() -> _Vocabulary:
    from ontology import acronyms, gazetteer, thesaurus

    acr, terms = acronyms(), gazetteer()
    vocab = _Vocabulary({}, {}, {}, {})
    for official, lay in thesaurus():  # "gangs" -> "organised crime groups"
        for word in lay:
            _add(vocab.phrases, norm_tokens(word), list(official))
            if len(norm_tokens(word)) == 1:
                vocab.forms.setdefault(norm_tokens(word), set()).add(_singular(word.lower()))
    for abbr, long_form in acr.items():
        _add(vocab.acronyms, abbr, [long_form])
        key = norm_tokens(long_form)
        if len(key) >= 2:
            _add(vocab.phrases, key, [abbr])
    for t in terms:
        multi = [n for n in (t.label, *t.aliases) if len(n.split()) >= 2 or "-" in n]
        out = [t.label] + ([t.acronym] if t.acronym else []) + multi[:2]
        if t.acronym:
            _add(vocab.acronyms, t.acronym, [x for x in out if x != t.acronym])
        for name in (t.label, *t.aliases):
            key = norm_tokens(name)
            if len(key) < 2:
                continue
            expansions = [x for x in out if norm_tokens(x) != key]
            _add(vocab.phrases, key, expansions)
            if len(key) >= 3:
                for i in range(1, len(key) - 1):
                    _add(vocab.loose, key[:i] + key[i + 1:], [x for x in out])
    return vocab


def expand(query: str, defined: dict[str, str] | None = None, limit: int = 8) -> list[Expansion]:
    """The expansions the query's acronyms and named terms call for, longest match first."""
    vocab = _ontology_vocabulary()
    raw = _TOKEN_RE.findall(query.replace("-", " "))
    toks = [stem(t) for t in raw]
    out: list[Expansion] = []
    seen: set[str] = set()

    def push(source: str, phrases: tuple[str, ...]) -> None:
        fresh = tuple(p for p in phrases if p.lower() not in seen and p.lower() not in query.lower())
        if fresh:
            seen.update(p.lower() for p in fresh)
            out.append(Expansion(source, fresh))

    used = [False] * len(toks)
    for n in range(min(_MAX_N, len(toks)), 0, -1):  # single lay words ("gangs") too
        for i in range(len(toks) - n + 1):
            if any(used[i:i + n]):
                continue
            key = tuple(toks[i:i + n])
            if n == 1 and _verb_for_agent(raw[i].lower(), vocab.forms.get(key, set())):
                continue  # the same stem, another word: "managing" offenders are not "managers"
            hit = vocab.phrases.get(key) or vocab.loose.get(key)
            if hit:  # and the acronyms of what it expands to: "regional crime unit" -> ... -> "ROCU"
                hit = hit + tuple(a for p in hit for a in vocab.phrases.get(norm_tokens(p), ()) if a.isupper())
                push(" ".join(raw[i:i + n]), hit)
                used[i:i + n] = [True] * n
    defined = defined or {}
    long_to_abbr = {norm_tokens(v): k for k, v in defined.items()}
    for n in range(min(_MAX_N, len(toks)), 1, -1):
        for i in range(len(toks) - n + 1):
            abbr = long_to_abbr.get(tuple(toks[i:i + n]))
            if abbr:
                push(" ".join(raw[i:i + n]), (abbr,))
    for t in raw:
        if len(t) < 2 or not any(c.isupper() for c in t):
            continue
        for cand in (t, t.upper(), t.rstrip("s") if t.endswith("s") and t[:-1].isupper() else None):
            if not cand:
                continue
            phrases = vocab.acronyms.get(cand) or ((defined[cand],) if cand in defined else None)
            if phrases:
                push(t, phrases)
                break
    return out[:limit]
