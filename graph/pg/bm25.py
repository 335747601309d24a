"""BM25 keyword scores on PostgreSQL, computed as SQLite FTS5's ``bm25()`` computes them.

The SQLite store ranks keyword matches with FTS5's BM25 (k1 1.2, b 0.75, the
passage text weighing 1.0 and its heading path 0.3). Users of the PostgreSQL
store should get the same ranking, so this module rebuilds that formula from
what PostgreSQL keeps (``graph.pg.schema``, migration 6):

- the same tokens: FTS5's ``unicode61`` splits on every character that is not a
  letter or digit and keeps stop words, and its ``porter`` stems them;
  ``peelgraph_vector`` does the same with Snowball's original Porter stemmer
  (the SQL functions of migration 6);
- the same statistics: how many passages hold each word (``keyword_lexemes``,
  kept by triggers), how many passages and tokens there are in all
  (``keyword_totals``), each passage's token count (``passages_fts.len``);
- the same frequencies: a phrase's occurrences in the text and in the heading
  path, counted from the positions of the query's words in the passage's
  ``tsvector`` (``passages_fts.text_len`` says where the text ends).

The passages' ``tsvector`` rows are read only for the query's words
(``setweight`` then ``ts_filter`` keeps just those), so ranking 2 000 passages
costs a few milliseconds; Python does the arithmetic.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from graph.pg.schema import WORDS

K1 = 1.2  # FTS5's bm25 constants
B = 0.75
SECTION_WEIGHT = 0.3  # FTS5's column weights in graph.store: text 1.0, section 0.3

# each text with its stemmed words, in order, as the keyword index holds them
PHRASE_LEXEMES = (f"SELECT t, array(SELECT peelgraph_stem(w) FROM {WORDS.format('t')} ORDER BY n) "
                  "FROM unnest(%s::text[]) AS t")
# each matching passage: its token count, where its text ends, and the positions of the query's words only
MATCHES = ("SELECT rowid, len, text_len, ts_filter(setweight(tsv, 'B', %s::text[]), '{b}')::text "
           "FROM passages_fts WHERE tsv @@ %s::tsquery")
P = TypeVar("P", bound=tuple[str, ...] | str)


@dataclass(frozen=True)
class Stats:
    """What BM25 needs of the whole store: passages, their mean token count, each phrase's passage count."""

    passages: int
    avg_len: float
    docs: dict[tuple[str, ...], int]


def tsquery(lexemes: Iterable[str]) -> str:
    """A ``tsquery`` literal matching the stemmed words in this order (a phrase), quoted so any word is safe."""
    quoted = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in lexemes]
    return " <-> ".join(quoted)


def any_of(phrases: Iterable[tuple[str, ...]]) -> str:
    """A ``tsquery`` literal matching a passage holding any of the phrases."""
    return " | ".join(f"({tsquery(p)})" for p in phrases)


def positions(filtered: str) -> dict[str, list[int]]:
    """Word -> its positions in a passage, ascending, read from the ``tsvector`` literal ``MATCHES`` returns.

    The keyword index holds lower-case words of letters and digits only, and ``MATCHES`` marks every position
    B, so an entry is ``'word':3B,17B`` with no quote, colon, space or capital inside the word; splitting beats
    a regular expression by a few times, and a search may read 2 000 rows."""
    out: dict[str, list[int]] = {}
    if filtered:
        for entry in filtered.replace("B", "").split(" "):  # a search marks the query's words B
            word, _, where = entry.rpartition(":")
            out[word[1:-1]] = list(map(int, where.split(",")))
    return out


def frequency(phrase: tuple[str, ...], where: dict[str, list[int]], text_len: int) -> float:
    """The phrase's occurrences, each in the text counting 1 and each in the heading path ``SECTION_WEIGHT``
    (a run of words that starts in the text and ends in the heading is no occurrence, as in FTS5's columns)."""
    first = where.get(phrase[0])
    if not first:
        return 0.0
    if len(phrase) == 1:
        in_text = bisect_right(first, text_len)
        return in_text + SECTION_WEIGHT * (len(first) - in_text)
    rest = [set(where.get(w, ())) for w in phrase[1:]]
    found = 0.0
    for p in first:
        if all(p + j in r for j, r in enumerate(rest, 1)):
            if p + len(phrase) - 1 <= text_len:
                found += 1.0
            elif p > text_len:
                found += SECTION_WEIGHT
    return found


def idf(passages: int, docs: int) -> float:
    """FTS5's inverse document frequency: log((N - n + 0.5) / (n + 0.5)), a tiny positive value when not positive."""
    value = math.log((passages - docs + 0.5) / (docs + 0.5))
    return value if value > 0 else 1e-6


def score(singles: dict[str, float], multis: list[tuple[tuple[str, ...], float]], filtered: str, norm: float,
          text_len: int) -> float:
    """One passage's BM25 (sign flipped from FTS5's ``bm25()``): each phrase adds
    idf * f * (k1 + 1) / (f + norm), norm = k1 * (1 - b + b * length / average length).

    ``singles``: one-word phrases, word -> idf (summed over repeats); ``multis``: longer phrases with theirs;
    ``filtered``: the passage's ``tsvector`` literal of the query's words."""
    total = 0.0
    where = positions(filtered)
    for word, found in where.items():
        w = singles.get(word)
        if w:
            in_text = bisect_right(found, text_len)
            f = in_text + SECTION_WEIGHT * (len(found) - in_text)
            total += w * f * (K1 + 1) / (f + norm)
    for phrase, w in multis:
        if all(word in where for word in phrase):
            f = frequency(phrase, where, text_len)
            if f:
                total += w * f * (K1 + 1) / (f + norm)
    return total


def rank(rows: Iterable[tuple[int, int, int, str]], phrases: list[tuple[str, ...]], stats: Stats,
         limit: int) -> dict[int, float]:
    """Passage rowid -> BM25, the best ``limit`` of the matched rows (ties by rowid); rows that hold no
    phrase as FTS5 reads it (a match across the text's end) are left out."""
    weights: dict[tuple[str, ...], float] = {}
    for p in phrases:  # a phrase asked twice counts twice, as in FTS5
        weights[p] = weights.get(p, 0.0) + idf(stats.passages, stats.docs.get(p, 0))
    singles = {p[0]: w for p, w in weights.items() if len(p) == 1}
    multis = [(p, w) for p, w in weights.items() if len(p) > 1]
    per_token = K1 * B / max(stats.avg_len, 1e-9)
    scored = []
    for rowid, length, text_len, filtered in rows:
        s = score(singles, multis, filtered, K1 * (1 - B) + per_token * int(length), int(text_len))
        if s > 0:
            scored.append((-s, int(rowid)))
    scored.sort()
    return {rowid: -neg for neg, rowid in scored[:limit]}


def ranked_phrases(phrases: list[P], docs: dict[P, int], wanted: int, budget: int) -> set[P]:
    """The phrases whose matches are ranked: the rarest first, until they match ``wanted`` passages and
    the next would take them (at most the sum of their document frequencies) past ``budget``. A passage
    that matches only commoner phrases is left out: those phrases weigh least (lowest idf), and ranking
    it would read most of the store."""
    chosen: set[P] = set()
    total = 0
    for p in sorted(set(phrases), key=lambda p: (docs[p], p)):
        if total >= wanted and total + docs[p] > budget:
            break
        chosen.add(p)
        total += docs[p]
    return chosen
