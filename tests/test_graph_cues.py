"""Cause and partner cues of inspectors' English beyond the first families: each on sentences written here, each
edge supported by its quote (cue and both ends), and the look-alike sentences that state no effect make none."""
from __future__ import annotations

import pytest

from graph.extract import relations
from tests.test_graph_rules import assert_no_flipped_label, causal, labels, make_report

CASES = [
    ("Detectives carry too many cases, meaning that victims wait weeks for updates.",
     "detectives carry too many cases", "victims wait weeks for updates"),
    ("Demand at the front counter has risen sharply, so visitors wait longer to be seen.",
     "demand at the front counter", "visitors wait longer to be seen"),
    ("Thanks to the street triage car, fewer people are detained under mental health powers.",
     "street triage car", "fewer people are detained"),
    ("The merger of the two firearms units has slowed the response to armed incidents.",
     "merger of two firearms units", "slowed response to armed incidents"),
    ("Staff shortages in the custody suite have left detainees waiting longer for release.",
     "staff shortages in the custody suite", "detainees waiting longer for release"),
    ("Vacancies in the digital forensics unit have created a backlog of phones awaiting examination.",
     "vacancies in the digital forensics unit", "backlog of phones"),
    ("High sickness levels prevent rural teams from carrying out foot patrols.",
     "high sickness levels", "preventing rural teams from carrying out foot patrols"),
    ("Late forensic results are stopping investigators from charging suspects.",
     "late forensic results", "stopping investigators from charging suspects"),
    ("The reliance on agency staff has cut the time spent on training.",
     "reliance on agency staff", "cut time spent on training"),
]


@pytest.mark.parametrize("text,cause,effect", CASES)
def test_a_cue_gives_a_supported_edge(text: str, cause: str, effect: str) -> None:
    got = causal(text, force="Northshire Constabulary")
    assert any(cause in s and effect in t for s, t, _ in got), got
    for s, t, r in got:
        assert all(relations.supports(r.rule, ev.quote, s, t) for ev in r.evidence), (s, t, r.rule)
    assert_no_flipped_label([(s, t, r.polarity, r.evidence[0].quote) for s, t, r in got])


@pytest.mark.parametrize("lead", ["Therefore", "Thus", "In turn"])
def test_a_sentence_opening_with_a_consequence_takes_its_cause_from_the_one_before(lead: str) -> None:
    got = causal(f"Several detective posts are vacant. {lead}, complex fraud cases are not progressed quickly.")
    assert any("detective posts are vacant" in s and "fraud cases are not progressed" in t for s, t, _ in got), got
    r = next(r for _, _, r in got)
    assert "Several detective posts" in r.evidence[0].quote and lead in r.evidence[0].quote


@pytest.mark.parametrize("text", [
    "The sergeant has left the force to join a regional unit.",
    "Several officers have left the force this year.",
    "The force uses civil orders to prevent organised criminals from offending.",
    "The force has improved, so far as we could tell, in most areas.",
    "The chief constable has stopped the use of the old system.",
    "Officers do not have enough time, meaning of the rota aside.",
])
def test_look_alikes_that_state_no_effect_make_no_edge(text: str) -> None:
    assert not causal(text), causal(text)


def _partners(text: str) -> set[str]:
    _, rels = labels(make_report(text, force="Northshire Constabulary"))
    return {t for typ, _, t, _, _ in rels if typ == "partners_with"}


@pytest.mark.parametrize("text,partner", [
    ("The force has a joint agreement with the ambulance service to attend mental health calls.", "ambulance"),
    ("Officers and staff from Westvale Borough Council share an office in the town hall.", "Westvale Borough Council"),
    ("The probation service and the force jointly run a programme for prolific offenders.", "probation"),
    ("Partner agencies such as the fire and rescue service attend its daily meeting.", "fire and rescue"),
])
def test_partnership_cues(text: str, partner: str) -> None:
    assert any(partner.lower() in p.lower() for p in _partners(text)), _partners(text)


def test_a_denied_joint_arrangement_is_no_partnership() -> None:
    assert not _partners("The force and the probation service no longer jointly run the offender programme.")


def test_prevented_whom_must_be_named_and_the_edge_is_negative() -> None:
    assert not causal("Staff want to help, but heavy caseloads prevent them from calling victims back.")
    got = causal("Heavy caseloads prevent detectives from calling victims back.")
    assert got and all(r.polarity == "negative" for _, _, r in got), got
