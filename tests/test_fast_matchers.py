"""Fast matchers: shared-prefix alternations and cue pre-tests match exactly what the plain regexes do."""
from __future__ import annotations

import random
import re

from graph.extract import entities, themes
from graph.text import alternation

NAMES = ["victim support", "victim", "victims' code", "victim care unit", "vic", "v", "Act", "action fraud",
         "act", "ac", "a-b", "a b", "ab", "crime", "crimes", "crime plan", "cr", "x's view", "x’s", "1st team",
         "(PCC)", "-led", "é-team", "abc"]
TEXT = ("The victim care unit and Victim Support met; victims' code checks, crimes planned, a crime plan and "
        "action fraud acts. A-b and a  b, abcs, x’s view, 1st teams, -led, é-team, (PCC) cr vic v.")


def _flat(alts: list[list[str]]) -> str:
    return "(?:" + "|".join("".join(a) for a in alts) + ")"


def _atoms(name: str) -> list[str]:
    return [r"\s+" if c == " " else "['’]" if c in "'’" else re.escape(c) for c in name]


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in rx.finditer(text)]


def test_shares_prefixes_and_keeps_the_order_of_what_could_match() -> None:
    assert alternation([["a", "c", "t"], ["a", "r", "e", "a"], ["b"]]) == "(?:a(?:ct|rea)|b)"
    # an alternative that does not start with a letter or digit keeps its place: "a" cannot jump before it
    assert alternation([["a", "b"], [r"\s+"], ["a"]]) == r"(?:ab|\s+|a)"
    assert alternation([["A", "b"], ["a", "c"]], fold_case=True) == "(?:A(?:b|c))"
    assert alternation([["A", "b"], ["a", "c"]]) == "(?:Ab|ac)"


def test_matches_exactly_as_the_flat_alternation() -> None:
    rng = random.Random(3)
    for flags, fold in ((re.I, True), (0, False)):
        for order in range(30):
            names = NAMES[:]
            if order:
                rng.shuffle(names)  # any order, not only longest first: the first alternative that fits wins
            alts = [_atoms(n) + ([r"(?:s|es|ing)?"] if len(n) > 3 else []) for n in names]
            flat = re.compile(r"(?<![\w-])" + _flat(alts) + r"(?![\w-])", flags)
            shared = re.compile(r"(?<![\w-])" + alternation(alts, fold) + r"(?![\w-])", flags)
            words = [*NAMES, " ", "s", "es", "ing", "-", "'", "x", "V", "ACT"]
            texts = [TEXT, TEXT.upper()] + ["".join(rng.choice(words) + rng.choice(["", " ", "s "])
                                                    for _ in range(40)) for _ in range(40)]
            for text in texts:
                assert _spans(shared, text) == _spans(flat, text)


def test_the_gazetteer_and_theme_matchers_find_what_they_did() -> None:
    """Hits written here, in general policing prose, found by the shared-prefix matchers."""
    text = "Neighbourhood policing teams worked with the Crown Prosecution Service on domestic abuse."
    hits = {m.group(0).lower() for m in themes._matcher()[0].finditer(text)}
    assert "domestic abuse" in hits and any(h.startswith("neighbourhood policing") for h in hits)
    names = [m.group(0) for m in entities._gaz().names_rx.finditer(text)]
    assert "Crown Prosecution Service" in names


CUE_SENTENCES = [  # written for this test: each family's cue, in several forms
    "The backlog is having a negative effect, because staff are absent.",
    "Delays have had a serious impact on victims.",
    "Demand is impacting officers.", "The change is putting more pressure on the control room.",
    "Gaps were caused by vacancies.", "Victims are adversely affected by delays.", "This has led to delays.",
    "Vacancies are leading to gaps.", "The shortfall has caused delays.", "Staff were causing errors.",
    "It is preventing officers from patrolling.", "Workloads are stopping detectives from reviewing cases.",
    "Abstractions are undermining neighbourhood work.", "This is limiting the capacity of teams.",
    "Poor supervision has contributed to errors.", "The delay was partly due to sickness.",
    "The effect was hampering investigations and restricting access; weakens the response.",
]


def test_a_cue_is_searched_for_only_where_the_words_it_needs_are() -> None:
    """Every cue match contains one of the words its cheap test looks for: the test never hides a match."""
    from graph.extract.causal import CUES

    words = [w for s in CUE_SENTENCES for w in s.split()]
    rng = random.Random(5)
    texts = CUE_SENTENCES + [" ".join(rng.choice(words) for _ in range(25)) for _ in range(300)]
    texts += [t.upper() for t in texts]
    found = set()
    for cue in CUES:
        for text in texts:
            if cue.rx.search(text):
                found.add(cue.family)
                assert cue.need is None or cue.need.search(text), (cue.family, text)
    assert {c.family for c in CUES if c.need is not None} <= found  # every tested cue was seen matching
