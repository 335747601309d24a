"""Query expansion from the ontology: acronyms <-> long forms, gazetteer aliases, lay -> official words.

Everything here comes from ``ontology`` (general policing vocabulary) plus
acronyms the indexed reports define themselves ("long form (ABBR)"); nothing
is specific to one report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    acronyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # ABBR (exact case) -> expansions
    phrases: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # normalised tokens -> expansions
    # first word -> long names (3+ words) and their expansions, for names said shortened
    long: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = field(default_factory=dict)
    # the thesaurus's official terms: said as they are, never a shortened name
    official: set[tuple[str, ...]] = field(default_factory=set)
    # one-word lay terms as written: "managers", not "managing"
    forms: dict[tuple[str, ...], set[str]] = field(default_factory=dict)


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
    vocab = _Vocabulary()
    for official, lay in thesaurus():  # "gangs" -> "organised crime groups"
        vocab.official.update(norm_tokens(o) for o in official)
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
                vocab.long.setdefault(key[0], []).append((key, tuple(out)))
    return vocab


_GLUE = frozenset({"and", "of", "the", "for", "in", "to"})


def _shortened(vocab: _Vocabulary, key: tuple[str, ...]) -> tuple[str, ...] | None:
    """A long name said with inner words left out, first and last kept: "armed policing threat assessment"
    for "armed policing strategic threat and risk assessment", "multi-agency hub" for "... safeguarding hub"."""
    if len(key) < 2 or key in vocab.official:
        return None
    for name, expansions in vocab.long.get(key[0], ()):
        if len(key) >= len(name) or name[-1] != key[-1]:
            continue
        rest = iter(name)
        if all(t in rest for t in key) and len(key) >= 0.6 * sum(t not in _GLUE for t in name):
            return expansions
    return None


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
            hit = vocab.phrases.get(key) or _shortened(vocab, key)
            if hit:  # and the acronyms of what it expands to: "regional crime unit" -> ... -> "ROCU"
                hit = tuple(dict.fromkeys(hit + tuple(a for p in hit for a in vocab.phrases.get(norm_tokens(p), ())
                                                      if a.isupper())))
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
