"""The method's few settings, and the small grid cross-validation chooses from.

Settings belong to the method, never to a question: ``benchmarks/answers.py``
scores every point of ``GRID`` on the public questions by 5-fold
cross-validation and prints which point each fold chose. A point that wins
one fold and loses the next is noise: on the public questions every point
scores within about 0.02 of the others, and the folds' choices change from run
to run, so the default stays put unless one point wins most folds every time.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Tuning:
    name: str = "default"
    sentence_weight: float = 0.5  # a passage's dense score: (1-s) * passage cosine + s * its best sentence
    keyword_vote: float = 1.0  # weight of the BM25 list in reciprocal-rank fusion (dense list: 1)
    item_vote: float = 1.0  # weight of the recommendation/AFI/cause-of-concern list for recommendation questions
    rrf_k: int = 20
    scope_first: bool = True  # passages of reports in the question's scope rank before the rest
    candidates: int = 100  # passages re-scored sentence by sentence
    keyword_limit: int = 400
    # composition: a sentence's score is the sum of its reciprocal ranks in three lists (sentence cosine,
    # the words it shares with the question, its passage's rank), plus the answer-type vote
    answer_vote: float = 0.5
    passage_vote: float = 1.0
    lexical_vote: float = 1.0
    support_gap: float = 0.25  # a supporting quote's cosine may trail the lead's by this much (or share the words)
    extend_top: int = 20  # a quote takes in a neighbouring sentence that itself ranks among this many best


DEFAULT_TUNING = Tuning()

GRID: tuple[Tuning, ...] = (
    DEFAULT_TUNING,
    replace(DEFAULT_TUNING, name="keyword-half", keyword_vote=0.5),
    replace(DEFAULT_TUNING, name="sentence-heavy", sentence_weight=0.85),
    replace(DEFAULT_TUNING, name="sentence-mid", sentence_weight=0.7),
    replace(DEFAULT_TUNING, name="passage-light", passage_vote=0.5),
    replace(DEFAULT_TUNING, name="no-answer-type", answer_vote=0.0),
    replace(DEFAULT_TUNING, name="rrf-k60", rrf_k=60),
    replace(DEFAULT_TUNING, name="strict-support", support_gap=0.2),
    replace(DEFAULT_TUNING, name="loose-support", support_gap=0.3),
    replace(DEFAULT_TUNING, name="extend-fewer", extend_top=10),
    replace(DEFAULT_TUNING, name="extend-more", extend_top=30),
)


def objective(scores: dict[str, float]) -> float:
    """One number to choose by: search and answer quality weighed alike."""
    return (scores["MRR@10"] + scores["Answer@1"] + scores["Answer@3"] + scores["Ev@5"]) / 4
