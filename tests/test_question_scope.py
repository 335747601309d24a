"""Scope in a store of many forces: the forces a question names, inspections named by their place in
time, and the words that frame a question rather than name its subject. Reports written for the test."""
from __future__ import annotations

import pytest

from api.service import Service
from api.settings import Settings
from search.question import analyse, forces_named, subject_words
from test_search import _report  # tests/ is on sys.path (no __init__.py)

REPORTS = {
    "kent-2016": {"force": "Kent Police", "year": "2016", "year_end": 2016},
    "kent-2021-22": {"force": "Kent Police", "year": "2021/22", "year_end": 2022},
    "essex-2021-22": {"force": "Essex Police", "year": "2021/22", "year_end": 2022},
    "met-2019": {"force": "Metropolitan Police Service", "year": "2018/19", "year_end": 2019},
    "avon-2017": {"force": "Avon and Somerset Constabulary", "year": "2017", "year_end": 2017},
}


@pytest.mark.parametrize("question, forces", [
    ("What did inspectors tell Kent to do about domestic abuse?", ["Kent Police"]),
    ("kent police 999 calls", ["Kent Police"]),
    ("How is the Met doing on knife crime?", ["Metropolitan Police Service"]),
    ("What did the MPS get told?", ["Metropolitan Police Service"]),
    ("Metropolitan Police stop and search", ["Metropolitan Police Service"]),
    ("Avon and Somerset's grade for victims", ["Avon and Somerset Constabulary"]),
    ("Did Essex do better than Kent?", ["Essex Police", "Kent Police"]),
    ("Has the force met its targets?", []),  # "met" as a verb names no force
    ("How many mps were there?", []),  # an acronym counts only as written
    ("What did Durham Constabulary say?", []),  # a force with no report in the store
])
def test_forces_a_question_names(question: str, forces: list[str]) -> None:
    assert forces_named(question, REPORTS) == forces


def test_a_name_inside_another_forces_name_names_that_force_only() -> None:
    reports = {"city": {"force": "City of London Police"}, "met": {"force": "Metropolitan Police Service"}}
    assert forces_named("City of London Police fraud teams", reports) == ["City of London Police"]
    assert forces_named("knife crime in London", reports) == ["Metropolitan Police Service"]


@pytest.mark.parametrize("question, scope", [
    ("What did inspectors tell Kent to do about domestic abuse?", ("kent-2016", "kent-2021-22")),
    ("Kent 2016 crime recording grade", ("kent-2016",)),
    ("How did Kent do at its latest inspection?", ("kent-2021-22",)),
    ("What did the previous inspection of Kent find?", ("kent-2016",)),
    ("What did Kent's first inspection say?", ("kent-2016",)),
    ("What did the latest inspections find about call handling?",  # the newest of each force
     ("avon-2017", "met-2019", "essex-2021-22", "kent-2021-22")),
    ("How were calls answered in 2021-22?", ("essex-2021-22", "kent-2021-22")),
    ("How were calls answered?", ()),
])
def test_scope_by_force_and_place_in_time(question: str, scope: tuple[str, ...]) -> None:
    assert analyse(question, REPORTS).scope == scope


@pytest.mark.parametrize("question, kind", [
    ("Did Essex do better than Kent at answering calls?", "compare"),
    ("Has Kent improved since 2016?", "compare"),
    ("How were calls answered in 2021-22?", "finding"),  # two forces, one period: not a comparison
    ("What did Kent do about calls in 2021-22?", "finding"),
    ("What did inspectors require the force to put in place?", "recommendation"),
    ("What did the inspectorate tell Essex to fix?", "recommendation"),
])
def test_question_kind_in_a_store_of_many_forces(question: str, kind: str) -> None:
    assert analyse(question, REPORTS).kind == kind


def test_a_compare_question_naming_one_force_compares_its_reports() -> None:
    plan = analyse("How has Kent changed since 2016?", REPORTS)
    assert plan.kind == "compare" and plan.scope == ("kent-2016", "kent-2021-22")


def test_framing_words_are_not_the_subject() -> None:
    assert subject_words("What did inspectors find about body-worn video?", [], ()) == ("body", "worn", "video")
    # a force the question names is its scope, as a year is
    assert analyse("What did Kent Police do about body-worn video in 2016?", REPORTS).terms == ("body", "worn", "video")
    assert subject_words("What causes of concern were raised about custody?", [],
                         ("cause_of_concern",)) == ("custody",)
    # nothing but framing: keep the words rather than search for nothing
    assert subject_words("What did inspectors find?", [], ()) == ("inspectors", "find")


ROWS = {
    "Kent Police": [("Call handling", "paragraph",
                     "Call handlers answer most emergency calls within ten seconds in the control room."),
                    ("Areas for improvement", "area_for_improvement",
                     "The force should make sure victims of domestic abuse are contacted within a day."),
                    ("Cause of concern", "cause_of_concern",
                     "The force is not recording crimes accurately, so victims do not get the service they need."),
                    ("Areas for improvement", "area_for_improvement",
                     "The force should review how it vets new recruits."),
                    ("Summary", "summary", "Kent Police requires improvement at investigating crime: supervisors "
                                           "review investigation plans."),
                    ("Investigating crime", "paragraph",
                     "Supervisors do not always review investigation plans, so some investigations drift.")],
    "Essex Police": [("Call handling", "paragraph",
                      "Call handlers answer most emergency calls within twenty seconds in the control room."),
                     ("Areas for improvement", "area_for_improvement",
                      "The force should make sure victims of domestic abuse are given a safety plan.")],
}


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    svc = Service(Settings(store=tmp_path_factory.mktemp("forces"), encoder="hash"))
    svc._put(_report("kent-2021-22", "Kent Police", "2021/22", 2022, ROWS["Kent Police"]))
    svc._put(_report("essex-2021-22", "Essex Police", "2021/22", 2022, ROWS["Essex Police"]))
    return svc


def test_an_answer_about_one_force_quotes_only_its_reports(service: Service) -> None:
    for force, rid, words in (("Kent", "kent-2021-22", "within a day"), ("Essex", "essex-2021-22", "safety plan")):
        out = service.ask(f"What should {force} make sure of for victims of domestic abuse?")
        assert out["scope"]["forces"] == [f"{force} Police"]
        assert {q["report_id"] for q in out["quotes"]} == {rid}
        assert words in out["lead"]["text"]


def test_a_comparison_of_two_forces_quotes_both(service: Service) -> None:
    out = service.ask("How quickly do call handlers in Kent answer emergency calls compared with Essex?")
    assert out["type"] == "compare"
    assert {q["report_id"] for q in out["quotes"]} == {"kent-2021-22", "essex-2021-22"}


@pytest.mark.parametrize("question, lists", [
    ("What was Kent told to improve in 2021-22?", True),
    ("kent: areas for improvement", True),
    ("What causes of concern did inspectors raise about Kent?", True),
    ("What should Kent make sure of for victims of domestic abuse?", False),  # a subject: answer it
    ("What were forces told to improve?", False),  # no report in scope: too wide to list
])
def test_a_question_for_a_reports_items_without_a_subject_lists_them(question: str, lists: bool) -> None:
    assert analyse(question, REPORTS).lists_items is lists


def test_the_items_are_the_answer_gravest_first(service: Service) -> None:
    out = service.ask("What was Kent told to improve in 2021-22?")
    texts = [q["text"] for q in out["quotes"]]
    assert len(texts) == 3 and texts[0].startswith("The force is not recording crimes accurately")
    assert {q["report_id"] for q in out["quotes"]} == {"kent-2021-22"}
    assert texts[1:] == [t for _, k, t in ROWS["Kent Police"] if k == "area_for_improvement"]  # reading order
    out = service.ask("What areas for improvement did inspectors give Kent?")
    assert [q["text"] for q in out["quotes"]] == texts[1:]


def test_a_grade_sentence_answers_a_question_about_grades_and_only_that(service: Service) -> None:
    out = service.ask("When investigating crime in Kent, do supervisors review investigation plans?")
    assert out["lead"]["text"].startswith("Supervisors do not always review investigation plans")
    out = service.ask("How was Kent graded on investigating crime?")
    assert out["lead"]["text"].startswith("Kent Police requires improvement at investigating crime")


PILLARS = {f"kent-2015-{p}": {"force": "Kent Police", "year": "2015", "year_end": 2015, "programme": f"PEEL {p}"}
           for p in ("effectiveness", "efficiency", "legitimacy")}
PILLARS["essex-2015-legitimacy"] = {"force": "Essex Police", "year": "2015", "year_end": 2015,
                                    "programme": "PEEL legitimacy"}


@pytest.mark.parametrize("question, scope", [
    ("What did the 2015 legitimacy inspection of Kent find about stop and search?", ("kent-2015-legitimacy",)),
    ("Kent 2015 efficiency: how is demand understood?", ("kent-2015-efficiency",)),
    ("What did the legitimacy inspections find about complaints?", ("essex-2015-legitimacy", "kent-2015-legitimacy")),
    ("What did Kent's custody inspection find?",  # no report of that programme: the force's reports
     ("kent-2015-effectiveness", "kent-2015-efficiency", "kent-2015-legitimacy")),
])
def test_a_programme_named_picks_its_reports(question: str, scope: tuple[str, ...]) -> None:
    assert analyse(question, PILLARS).scope == scope


def test_the_reports_in_scope_are_searched_on_their_own(tmp_path) -> None:
    """In a large store the store-wide best matches may hold nothing of the report asked about; its own
    passages are still found (here the store-wide pools are cut to two passages to make the store 'large')."""
    import dataclasses

    svc = Service(Settings(store=tmp_path, encoder="hash"))
    for force in ("Essex", "Surrey", "Dorset", "Durham"):
        svc._put(_report(f"{force.lower()}-2022", f"{force} Police", "2021/22", 2022, [
            ("Call handling", "paragraph", "Call handlers answer emergency calls quickly; emergency calls are "
                                           "answered within ten seconds and emergency calls are graded well.")]))
    svc._put(_report("kent-2022", "Kent Police", "2021/22", 2022, [
        ("Contact", "paragraph", "The control room takes a long time to answer emergency calls at weekends.")]))
    engine = svc.search_engine
    engine.tuning = dataclasses.replace(engine.tuning, candidates=2, keyword_limit=2)
    for mode in ("keyword", "dense", "hybrid"):
        hits = svc.search("How quickly does Kent answer emergency calls?", k=3, mode=mode)["hits"]
        assert hits and hits[0]["report_id"] == "kent-2022", mode
    out = svc.ask("Does the Kent control room take a long time to answer emergency calls?")
    assert out["lead"] and out["lead"]["report_id"] == "kent-2022"
