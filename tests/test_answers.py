"""Answers on reports the tests write themselves: scope, lead line, follow-on sentences, recommendations,
the thesaurus, near-duplicates and boilerplate (hashing encoder: fast and deterministic)."""
from __future__ import annotations

import pytest

from api.service import Service
from api.settings import Settings
from search.compose import NO_ANSWER
from search.expand import expand
from search.question import analyse, years_named
from test_search import _report  # tests/ is on sys.path (no __init__.py)

REPORTS = {"east-2016": {"year": "2016", "year_end": 2016}, "east-2021-22": {"year": "2021/22", "year_end": 2022}}

OLD = [  # (section, kind, text)
    ("Introduction", "paragraph",
     "This report sets out the findings of our inspection of how the force keeps people safe and reduces crime."),
    ("Neighbourhood policing", "paragraph",
     "Neighbourhood officers in the force know their communities and patrol the town centres every evening."),
    ("Recorded crime", "paragraph",
     "The force recorded 9,400 burglaries in the year to March 2016. This is 12 percent fewer than the year "
     "before. Burglary teams work closely with the housing associations."),
    ("Offender management", "paragraph",
     "The force manages dangerous offenders with probation and prisons under joint arrangements. "
     "As at June 2016 it was managing 40 offenders in this way."),
]
NEW = [
    ("Summary", "summary",
     "Neighbourhood officers have been moved into response teams to answer emergency calls."),
    ("Neighbourhood policing", "paragraph",
     "Neighbourhood officers have been moved into response teams to answer emergency calls. "
     "Fewer officers now patrol the town centres."),
    ("Organised crime", "paragraph",
     "The force maps organised crime groups every month with the regional unit. However, it does not "
     "share the map with the local authorities, so councils cannot act on it."),
    ("Call handling", "paragraph",
     "Call handlers answer most emergency calls within ten seconds. This means that urgent incidents are "
     "graded quickly. Vulnerable callers are flagged on the system."),
    ("Areas for improvement", "area_for_improvement",
     "The force should make sure that body-worn video is switched on at every domestic abuse incident."),
    ("Body-worn video", "paragraph",
     "Body-worn video is issued to every officer on patrol in the force."),
    ("Cause of concern", "cause_of_concern",
     "The force is failing to answer non-emergency calls quickly enough, and many callers give up."),
    ("Call handling", "paragraph",
     "Non-emergency calls are answered by the same call handlers, who also take emergency calls."),
    ("Areas for improvement", "area_for_improvement",
     "The force should answer non-emergency calls more quickly, so that fewer callers give up."),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    svc = Service(Settings(store=tmp_path_factory.mktemp("answers"), encoder="hash"))
    svc._put(_report("east-2016", "East Police", "2016", 2016, OLD))
    svc._put(_report("east-2021-22", "East Police", "2021/22", 2022, NEW))
    return svc


# ------------------------------------------------------------ question analysis


@pytest.mark.parametrize("question, scope", [
    ("What did inspectors find in December 2021?", ("east-2021-22",)),
    ("How were calls handled in 2021-22?", ("east-2021-22",)),
    ("How were calls handled in 2021–22?", ("east-2021-22",)),
    ("What was happening in early 2022?", ("east-2021-22",)),
    ("How many burglaries were there in mid-2016?", ("east-2016",)),
    ("What had the 2014 inspection found about patrols?", ("east-2016",)),  # followed up in the next report
    ("What did the 2019 child protection inspection say about calls?", ("east-2021-22",)),
    ("How many burglaries were recorded?", ()),
])
def test_any_date_expression_maps_to_the_report_that_covers_it(question: str, scope: tuple[str, ...]) -> None:
    assert analyse(question, REPORTS).scope == scope


def test_years_named() -> None:
    assert years_named("between 2018–19 and 2021/22") == [2018, 2019, 2021, 2022]
    assert years_named("9,400 burglaries and £2015 in 12 percent") == []


@pytest.mark.parametrize("question, kind", [
    ("How has neighbourhood policing changed since 2016?", "compare"),
    ("Was burglary still falling by 2022?", "compare"),
    ("What was burglary like in 2016 and in 2022?", "compare"),
    ("How does the burglary rate compare nationally?", "fact"),
    ("How busy was the control room compared with a normal year?", "finding"),
    ("What was the force told to do about body-worn video?", "recommendation"),
    ("What must the force change in how it handles calls?", "recommendation"),
    ("What are the causes of concern in the 2021 inspection?", "recommendation"),
    ("Why can councils not act on the organised crime map?", "why"),
    ("What is holding the force back on crime prevention?", "why"),
    ("What dragged down the standard of investigations?", "why"),
    ("What was the force ordered to do about vetting?", "recommendation"),
    ("What did the force order for its officers?", "finding"),
    ("How many burglaries did the force record?", "fact"),
    ("What do call handlers say is stopping them answering calls sooner?", "why"),
    ("What is preventing the force from recruiting detectives?", "why"),
    ("What is the force doing to prevent burglary?", "finding"),
    ("burglary detection: better or worse than in 2016?", "compare"),
    ("Were there fewer burglaries than in 2016?", "compare"),
    ("How well does the force use protection orders to keep victims safe?", "finding"),
    ("What did the inspectors order the force to do about vetting?", "recommendation"),
    ("Which improvement points were still open in 2022?", "recommendation"),
    ("What did the inspectors want done about late 999 responses?", "recommendation"),
    ("What knock-on effects has the new shift pattern had?", "why"),
    ("which areas for improvment were still open?", "recommendation"),
])
def test_question_kind(question: str, kind: str) -> None:
    assert analyse(question, REPORTS).kind == kind


@pytest.mark.parametrize("question, wants", [
    ("When did the force open its new control room?", "when"),
    ("When deciding where to patrol, did the force ask residents what worried them?", "any"),
    ("When a caller is vulnerable, how many minutes does it take to send an officer?", "number"),
])
def test_only_a_when_with_a_verb_asks_for_a_time(question: str, wants: str) -> None:
    assert analyse(question, REPORTS).answer_type == wants


def test_a_change_against_one_named_year_scopes_every_report() -> None:
    assert len(analyse("Is burglary detection better or worse than in 2016?", REPORTS).scope) == 0
    assert analyse("Is burglary detection worse in 2016?", REPORTS).scope == analyse("burglary in 2016", REPORTS).scope


def test_compare_questions_scope_every_report_they_name() -> None:
    plan = analyse("How has neighbourhood policing changed since 2016?", REPORTS)
    assert plan.scope == ("east-2016", "east-2021-22")


# ------------------------------------------------------------ the thesaurus


def test_lay_words_expand_to_the_words_reports_use() -> None:
    phrases = {p.lower() for e in expand("Are local bobbies still around?") for p in e.phrases}
    assert "neighbourhood officers" in phrases
    phrases = {p.lower() for e in expand("Do councils know about the gangs?") for p in e.phrases}
    assert {"local authorities", "organised crime groups"} <= phrases
    assert {p.lower() for e in expand("How quickly are 999 calls answered?") for p in e.phrases} >= {"emergency calls"}
    assert expand("tomato soup recipe") == []


def test_a_verb_does_not_expand_to_the_people_its_stem_names() -> None:
    """"managing offenders" is not about "managers"; "dealing with" is not about "dealers"."""
    def phrases(q: str) -> set[str]:
        return {p.lower() for e in expand(q) for p in e.phrases}
    assert "supervisors" in phrases("What do line managers think of the new shifts?")
    assert "supervisors" not in phrases("Is the force managing sex offenders well?")
    assert "integrated offender management" in phrases("Does the scheme for persistent offenders work?")
    assert "satisfaction" in phrases("Are victims happy with the service?")


def test_a_long_name_said_shortened_expands() -> None:
    def phrases(q: str) -> set[str]:
        return {p for e in expand(q) for p in e.phrases}
    assert "APSTRA" in phrases("Is the armed policing threat assessment up to date?")
    assert "MASH" in phrases("Does the multi-agency hub share information?")
    assert "APSTRA" not in phrases("Is armed policing good?")  # first and last words of the name are said
    assert "local housing authority" not in phrases("Do local authorities help?")  # a term said as it is


def test_a_lay_term_also_brings_the_acronym_of_the_official_one() -> None:
    phrases = {p for e in expand("Did the force pass cases to the regional crime unit?") for p in e.phrases}
    assert {"regional organised crime unit", "ROCU"} <= phrases


def test_lay_question_finds_the_official_wording(service: Service) -> None:
    hits = service.search("gangs", k=3, mode="keyword")["hits"]
    assert hits and "organised crime groups" in hits[0]["text"]


# ------------------------------------------------------------ composition


def _texts(out: dict) -> list[str]:
    return [q["text"] for q in out["quotes"]]


def test_lead_line_first_and_only_reports_in_scope(service: Service) -> None:
    out = service.ask("Where do neighbourhood officers patrol the town centres in 2016?")
    assert out["lead"] is not None and out["lead"]["report_id"] == "east-2016"
    assert {q["report_id"] for q in out["quotes"]} == {"east-2016"}
    assert "patrol the town centres" in out["lead"]["text"]
    assert out["answer"].splitlines()[0].startswith(out["lead"]["text"])


def test_follow_on_sentence_with_the_comparison_is_kept(service: Service) -> None:
    out = service.ask("How many burglaries did the force record in the year to March 2016?")
    assert "9,400 burglaries" in out["lead"]["text"]
    assert "This is 12 percent fewer than the year before." in out["lead"]["text"]


def test_however_sentence_is_kept(service: Service) -> None:
    out = service.ask("How does the force map organised crime groups with the regional unit?")
    lead = out["lead"]["text"]
    assert lead.startswith("The force maps organised crime groups") and "However, it does not share" in lead


def test_sentence_starting_this_keeps_its_antecedent(service: Service) -> None:
    out = service.ask("Are urgent incidents graded quickly?")
    quote = next(t for t in _texts(out) if "urgent incidents are graded quickly" in t)
    assert quote.startswith("Call handlers answer most emergency calls within ten seconds.")


def test_a_sentence_saying_in_this_way_keeps_what_it_refers_to(service: Service) -> None:
    out = service.ask("How many dangerous offenders was the force managing in June 2016?")
    quote = next(t for t in _texts(out) if "40 offenders" in t)
    assert quote.startswith("The force manages dangerous offenders with probation and prisons")


def test_word_forms_match() -> None:
    from graph.text import stem

    assert stem("evaluation") == stem("evaluate") == stem("evaluated") == stem("evaluating")
    assert stem("investigators") == stem("investigation") == stem("investigating")
    assert stem("motor") == "motor" and stem("ability") == "ability"


def test_recommendation_question_leads_with_the_item(service: Service) -> None:
    out = service.ask("What was the force told to do about body-worn video?")
    assert out["type"] == "recommendation"
    assert out["lead"]["text"].startswith("The force should make sure that body-worn video")


def test_a_question_naming_an_item_kind_leads_with_that_kind(service: Service) -> None:
    out = service.ask("What cause of concern is there about how quickly the force answers non-emergency calls?")
    assert out["type"] == "recommendation"
    assert out["lead"]["text"].startswith("The force is failing to answer non-emergency calls")


def test_told_to_do_wants_the_advice_and_main_worry_the_concern() -> None:
    """An item states a problem and then what to do about it: "told to do" asks for the second sentence,
    "the inspectors' main worry" for the whole cause of concern."""
    from search.compose import _ANSWER_TYPES, _fits
    concern, advice = ("Sergeants rarely review the investigations of their teams.",
                       "The force should make sure that sergeants review every investigation within a week.")
    told = analyse("What was the force told to do about sergeants reviewing investigations?", REPORTS)
    worry = analyse("What was the inspectors' main worry about sergeants reviewing investigations?", REPORTS)
    assert (told.kind, worry.kind, worry.item_kinds) == ("recommendation", "recommendation", ("cause_of_concern",))
    advice_pattern = _ANSWER_TYPES[told.answer_type]
    assert _fits(told, advice_pattern, advice, "cause_of_concern")
    assert not _fits(told, advice_pattern, concern, "cause_of_concern")
    assert _fits(worry, advice_pattern, concern, "cause_of_concern")
    assert not _fits(worry, advice_pattern, concern, "area_for_improvement")


@pytest.mark.parametrize("sentence, advice", [
    ("The force should review how it allocates crime.", True),
    ("Leaders need to make sure that officers have the time to investigate.", True),
    ("We recommend that the force publishes its plan.", True),
    ("The force is buying new tools, which should improve the speed of its examinations.", False),
    ("The new rota should help officers spend more time in their neighbourhoods.", False),
])
def test_advice_is_someone_told_to_act_not_a_forecast(sentence: str, advice: bool) -> None:
    from search.compose import _ADVICE
    assert bool(_ADVICE.search(sentence)) is advice


def test_near_duplicates_and_boilerplate_are_left_out(service: Service) -> None:
    out = service.ask("Have neighbourhood officers been moved into response teams to answer emergency calls?")
    moved = [t for t in _texts(out) if t.startswith("Neighbourhood officers have been moved")]
    assert len(moved) == 1
    out = service.ask("What are the findings of the inspection of how the force keeps people safe?")
    assert all(not t.startswith("This report sets out") for t in _texts(out)[:1])


def test_no_answer_when_nothing_is_relevant(service: Service) -> None:
    for question in ("purple elephant banana recipe", "zebra xylophone quantum", "tomato soup recipe"):
        out = service.ask(question)
        assert out["answer"] == NO_ANSWER and out["quotes"] == [] and out["lead"] is None


# ------------------------------------------------------------ the graph provider


class _Graph:
    """A GraphProvider of our own: the entity filter must ask it, not scan the text for the name."""

    def __init__(self, passages: set[str]) -> None:
        self.passages = passages
        self.asked: list[str] = []

    def subgraph_for(self, passage_ids: list[str]) -> dict:
        return {"nodes": [], "edges": []}

    def causal_evidence(self, question: str) -> list[dict]:
        return []

    def passages_for_entity(self, name: str) -> set[str] | None:
        self.asked.append(name)
        return self.passages if name == "the unit" else None


def test_entity_filter_uses_the_graph(service: Service) -> None:
    from search.engine import SearchEngine

    graph = _Graph({"east-2021-22-p0005"})  # a passage that never names "the unit"
    engine = SearchEngine(service.store, "hash", graph=graph)
    hits = engine.search("officers on patrol", entity="the unit")["hits"]
    assert graph.asked == ["the unit"] and [h["passage_id"] for h in hits] == ["east-2021-22-p0005"]
    # an entity the graph does not know falls back to the passages that name it
    hits = engine.search("officers", entity="Body-worn video")["hits"]
    assert hits and all("body-worn video" in h["text"].lower() for h in hits)


def test_service_entity_filter_goes_through_the_knowledge_graph(service: Service) -> None:
    node = next(e for e in service.entities() if e["mentions"])
    want = service.passages_for_entity(node["label"])
    hits = service.search(node["label"], k=20, entity=node["label"])["hits"]
    assert want and hits and {h["passage_id"] for h in hits} <= want


def test_non_emergency_is_not_emergency(service: Service) -> None:
    from graph.text import stems

    assert "emergency" not in stems("101 (non-emergency) calls") and "emergency" in stems("999 emergency calls")
    out = service.ask("How quickly are 999 calls answered?")
    assert out["lead"]["text"].startswith("Call handlers answer most emergency calls within ten seconds")


# ------------------------------------------------------------ quotes that span a point


def _ranked_passage(text: str, order: list[int], cosines: list[float]):
    """One passage of the test's own text, its sentences ranked in the given order (best first)."""
    from types import SimpleNamespace

    from graph.text import split_sentences
    from search.compose import Sentence
    from search.retrieve import Candidate
    spans = split_sentences(text)
    cand = Candidate(row=0, sentence_scores=[(cosines[i], a, b, " ".join(text[a:b].split()))
                                             for i, (a, b) in enumerate(spans)])
    sents = {i: Sentence(row=0, index=i, start=a, end=b, text=" ".join(text[a:b].split()), cosine=cosines[i],
                         passage_rank=0, lexical=0.5) for i, (a, b) in enumerate(spans)}
    snap = SimpleNamespace(texts=[text], report_ids=["r"], reports={}, kinds=["paragraph"])
    return snap, cand, [sents[i] for i in order]


PASSAGE = ("The force set up a new team to trace people who are wanted. The team checks the police computer "
           "every morning and visits the addresses the same day. Officers in the team were trained in 2021. "
           "Parking enforcement is handled by the council.")


def test_a_quote_takes_in_the_next_sentence_when_it_answers_too() -> None:
    from search.compose import choose
    from search.tuning import DEFAULT_TUNING
    snap, cand, ranked = _ranked_passage(PASSAGE, [0, 1, 3, 2], [0.7, 0.65, 0.3, 0.2])
    plan = analyse("How does the force find wanted people?", {})
    quotes = choose(snap, [cand], ranked, plan, DEFAULT_TUNING)
    assert quotes[0].text.startswith("The force set up a new team") and "every morning" in quotes[0].text
    assert "Parking" not in quotes[0].text  # not next to the point, however it ranks


def test_a_quote_stays_one_sentence_when_its_neighbours_do_not_answer() -> None:
    from search.compose import choose
    from search.tuning import DEFAULT_TUNING, Tuning
    snap, cand, ranked = _ranked_passage(PASSAGE, [0, 1, 3, 2], [0.7, 0.65, 0.3, 0.2])
    plan = analyse("How does the force find wanted people?", {})
    quotes = choose(snap, [cand], ranked, plan, Tuning(extend_top=1))
    assert quotes[0].text == "The force set up a new team to trace people who are wanted."
    assert DEFAULT_TUNING.extend_top > 1


def test_a_quote_takes_in_a_sentence_that_carries_on_its_point() -> None:
    from search.compose import choose
    from search.tuning import Tuning
    text = ("Officers worked with a local mental health hospital on sex offender management. This included how "
            "to manage patients who fail to return. Parking enforcement is handled by the council.")
    snap, cand, ranked = _ranked_passage(text, [0, 2, 1], [0.7, 0.1, 0.1])
    quotes = choose(snap, [cand], ranked, analyse("What did officers do with the hospital?", {}),
                    Tuning(extend_top=1))
    assert quotes[0].text.endswith("who fail to return.")


def test_a_sentence_leaning_on_this_mid_sentence_keeps_its_antecedent() -> None:
    from search.compose import choose
    from search.tuning import Tuning
    text = ("Call handlers do not check whether a caller has rung before. The force recognises this and is "
            "buying a new system. Parking enforcement is handled by the council.")
    snap, cand, ranked = _ranked_passage(text, [1, 2, 0], [0.7, 0.1, 0.1])
    quotes = choose(snap, [cand], ranked, analyse("Is the force buying a new call system?", {}), Tuning(extend_top=1))
    assert quotes[0].text.startswith("Call handlers do not check") and quotes[0].text.endswith("a new system.")


def test_a_near_duplicate_repeats_one_sentence_of_a_quote_not_its_words_spread_over_three() -> None:
    from search.compose import Quote, _repeats
    text = ("Response officers attend most emergency calls within the target time. Officers then investigate the "
            "crimes they attend. Supervisors check the investigations every week.")
    _, cand, _ = _ranked_passage(text, [0, 1, 2], [0.7, 0.6, 0.5])
    lead = Quote(row=0, start=0, end=len(text), score=1.0, text=text, indexes={0, 1, 2})
    assert _repeats("Most emergency calls are attended by response officers within the target time.", lead, cand)
    assert not _repeats("Supervisors check whether response officers attend quickly.", lead, cand)  # a new point


def test_a_quote_next_to_one_already_made_keeps_its_own_follow_on() -> None:
    """The second quote would run into the lead; it stops short of it but keeps the comparison after it."""
    from search.compose import choose
    from search.tuning import DEFAULT_TUNING
    text = ("Of the victims surveyed in 2023, 79 percent were satisfied with the service they received. "
            "This is lower than the national rate of 84 percent. "
            "The force recognises that satisfaction has fallen and has formed a group to respond. "
            "The group reports to the deputy chief constable every month.")
    snap, cand, ranked = _ranked_passage(text, [3, 0, 2, 1], [0.65, 0.3, 0.6, 0.7])
    quotes = choose(snap, [cand], ranked[:3], analyse("How satisfied are victims?", {}), DEFAULT_TUNING)
    assert quotes[0].text.startswith("The force recognises") and quotes[0].text.endswith("every month.")
    assert quotes[1].text == ("Of the victims surveyed in 2023, 79 percent were satisfied with the service they "
                              "received. This is lower than the national rate of 84 percent.")


@pytest.mark.parametrize("sentence, generic", [
    ("Police forces play an important part in keeping children safe from exploitation.", True),
    ("All forces have to keep a register of the offenders they manage in the community.", True),
    ("When a crime occurs, the public must be able to trust the police to investigate it.", True),
    ("Forces categorise missing people by the risk they face.", True),
    ("Increasingly, fraud is committed online from abroad.", True),
    ("The force has too few trained detectives to investigate serious sexual offences.", False),
    ("Forcefield analysis was used by the force to plan its change programme.", False),
    ("Most of the force's investigations are well supervised.", False),
    ("A force review concluded that the control room was understaffed.", False),
])
def test_a_sentence_about_policing_in_general_counts_half(sentence: str, generic: bool) -> None:
    from search.compose import _GENERIC
    assert bool(_GENERIC.match(sentence)) is generic


def test_a_sentence_sending_readers_to_a_website_is_not_quoted() -> None:
    from search.compose import _eligible
    assert not _eligible("Reports on the force's efficiency are available from our website (www.example.gov.uk).",
                         "paragraph")
    assert _eligible("The force publishes its crime figures every month on its own pages.", "paragraph")


def test_a_passage_repeating_one_above_it_in_the_same_report_moves_down(service: Service) -> None:
    hits = service.search("neighbourhood officers moved into response teams emergency calls", k=20)["hits"]
    texts = [h["text"] for h in hits]
    summary = "Neighbourhood officers have been moved into response teams to answer emergency calls."
    assert sum(t.startswith(summary) for t in texts) == 2  # both still found
    first = next(i for i, t in enumerate(texts) if t.startswith(summary))
    second = next(i for i, t in enumerate(texts) if t.startswith(summary) and i != first)
    assert second > first + 1  # something new between them


def test_the_same_words_in_two_reports_both_rank() -> None:
    from types import SimpleNamespace

    from search.retrieve import Candidate, _repeats_last
    text = "The force should answer non-emergency calls more quickly, so that fewer callers give up."
    snap = SimpleNamespace(texts=[text, text, text, "Body-worn video is issued to every officer."],
                           report_ids=["a", "a", "b", "a"])
    order = [c.row for c in _repeats_last(snap, [Candidate(row=i) for i in range(4)], 10)]
    assert order == [0, 2, 3, 1]  # the repeat within report a moves last; report b's copy stays



def test_a_why_question_wants_the_reason_or_the_turn_to_the_problem() -> None:
    from search.compose import sentences

    text = ("The force has a team that looks for missing people. However, the team hasn't enough officers to "
            "answer every call on the day. Because of this, enquiries wait for the next shift.")
    snap, cand, _ = _ranked_passage(text, [0, 1, 2], [0.6, 0.5, 0.4])
    snap.sections = [["Missing people"]]
    plan = analyse("Why do enquiries about missing people wait for the next shift?", {})
    fits = [s.fits for s in sentences(snap, [cand], plan, {})]
    assert fits == [False, True, True]
