"""Entities and metrics on sentences written here: names no gazetteer lists, labels in the report's words.

The organisations, schemes and places are invented (or other real places),
so the phrase patterns are checked in general.
"""
from __future__ import annotations

import pytest

from graph.extract import entities
from graph.extract.metrics import metrics
from graph.records import Passage, Report, ReportMeta


def make_report(*paragraphs: str) -> Report:
    ps = [Passage(f"t-p{i:04d}", "t", i, ["Findings"], None, i, "paragraph", text, 0, len(text))
          for i, text in enumerate(paragraphs, 1)]
    return Report("t", "t.txt", "txt", "0", ReportMeta("Fenmoor Police", "2022", 2022, "PEEL", "t"),
                  "\n\n".join(paragraphs), ps, [])


def found(*paragraphs: str) -> dict[str, tuple[str, str | None]]:
    """label -> (type, kind) of every entity, plus every mention's surface -> the same."""
    ex = entities.extract(make_report(*paragraphs))
    out = {e.label: (e.type, e.kind) for e in ex.entities.values()}
    for m in ex.mentions:
        e = ex.entities[m.entity_id]
        out.setdefault(m.surface, (e.type, e.kind))
    return out


@pytest.mark.parametrize("sentence, name, typ, kind", [
    ("The force works with Brackenridge Borough Council to close problem premises.",
     "Brackenridge Borough Council", "partner", "local government"),
    ("Officers attend the weekly meeting at Saltmarsh and Dene NHS Foundation Trust.",
     "Saltmarsh and Dene NHS Foundation Trust", "partner", "health"),
    ("Researchers from Kestrel Bay University evaluated the pilot.", "Kestrel Bay University", "partner", "education"),
    ("The force and Fenmoor Fire and Rescue Service share a control room.",
     "Fenmoor Fire and Rescue Service", "partner", "agency"),
    ("Staff from the Office of the Fenmoor Police and Crime Commissioner sit on the board.",
     "Office of the Fenmoor Police and Crime Commissioner", "partner", "government"),
    ("It refers families to adult social care services within a day.", "adult social care services", "partner", None),
    ("The local safeguarding partnership reviews every case.", "local safeguarding partnership", "partner", "agency"),
    ("The tri-force collaboration unit handles firearms licensing.", "tri-force collaboration unit", "unit", None),
    ("Control room staff answer emergency calls.", "Control room staff", "role", None),
    ("Offenders on the Pathfinder scheme wear a GPS tag.", "Pathfinder scheme", "programme", "scheme"),
])
def test_names_found_by_their_head(sentence: str, name: str, typ: str, kind: str | None) -> None:
    got = found(sentence)
    assert name in got, sorted(got)
    assert got[name][0] == typ
    if kind:
        assert got[name][1] == kind


def test_two_organisations_joined_by_and_stay_two() -> None:
    got = found("The force shares buildings with Harlow Vale Council and Fenmoor County Council.")
    assert "Harlow Vale Council" in got and "Fenmoor County Council" in got
    assert not any(" and " in label and "Council" in label for label in got)


def test_a_force_before_a_partner_is_not_part_of_its_name() -> None:
    got = found("Fenmoor Police and Wendle Borough Council run a joint hub.")
    assert "Wendle Borough Council" in got


@pytest.mark.parametrize("sentence, fragment", [
    ("The force works with a local partnership on fly-tipping.", "local partnership"),
    ("Every partner agency receives the minutes.", "partner agency"),
    ("Victims receive a consistent service.", "consistent service"),
    ("Officers enforce ancillary orders after conviction.", "enforce ancillary order"),
    ("Residents report problems through the ‘Street Watch’ app.", "Watch’ app"),
    ("Every given officer carries a radio.", "given officer"),
])
def test_kinds_of_thing_are_not_named_entities(sentence: str, fragment: str) -> None:
    assert not any(fragment.lower().replace("’", "'") == label.lower().replace("’", "'") for label in found(sentence))


@pytest.mark.parametrize("sentence, name, typ", [
    ("Students from the University of Wendlebury help with surveys.", "University of Wendlebury", "partner"),
    ("The Office of the Police, Fire and Crime Commissioner for Fenmoor funds it.",
     "Office of the Police, Fire and Crime Commissioner for Fenmoor", "partner"),
    ("Nurses from the Saltmarsh, Dene and Wyke Integrated Care Board join the hub.",
     "Saltmarsh, Dene and Wyke Integrated Care Board", "partner"),
    ("It works with the Fenmoor Clinical Commissioning Group on mental health.",
     "Fenmoor Clinical Commissioning Group", "partner"),
    ("Offenders are supervised by the Fenmoor Community Rehabilitation Company.",
     "Fenmoor Community Rehabilitation Company", "partner"),
    ("Analysts from the North Wessex Regional Organised Crime Unit attend.",
     "North Wessex Regional Organised Crime Unit", "partner"),
    ("Cases go to the Wendle Youth Offending Team within a week.", "Wendle Youth Offending Team", "partner"),
    ("Victims are referred to the charity Harbour Light for support.", "Harbour Light", "partner"),
    ("The force works with Kestrel Homes, a housing association, on tenancy fraud.", "Kestrel Homes", "partner"),
    ("Advocates from the Brightwater charity attend court.", "Brightwater", "partner"),
    ("The force bought a new case system called Lantern last year.", "Lantern", "programme"),
    ("Residents report problems through an app known as Fenwatch.", "Fenwatch", "programme"),
    ("Project Harrow targets burglary in rural villages.", "Project Harrow", "programme"),
    ("The early help team visits families within a week.", "early help team", "unit"),
    ("Officers record visits on FENTRAK, a web-based case system, every day.", "FENTRAK", "programme"),
    ("Intelligence goes to the regional prison liaison unit each week.", "regional prison liaison unit", "unit"),
    ("Referrals go to the force's protecting vulnerable people support hub.",
     "protecting vulnerable people support hub", "unit"),
    ("The victim support team calls back within a day.", "victim support team", "unit"),
    ("It funds charities such as Harbour Light, Kestrel Aid and the Fen Trust.", "Kestrel Aid", "partner"),
    ("Mental health nurses are paid for by NHS Fenmoor and Wendle.", "NHS Fenmoor and Wendle", "partner"),
    ("Brack, the Fen Vale regional organised crime unit, leads on firearms.", "Brack", "partner"),
    ("The Wendle Violence Reduction Network and the Fenmoor Safeguarding Adults Board review cases.",
     "Fenmoor Safeguarding Adults Board", "partner"),
    ("Cases are heard by the Fenmoor Police and Crime Panel.", "Fenmoor Police and Crime Panel", "partner"),
    ("Offenders wear ‘Trakka’ tags – a tracking device – at night.", "Trakka tag", "programme"),
    ("Residents report problems through the ‘Street Watch’ app.", "Street Watch app", "programme"),
    ("Referrals go to the multi-agency children’s hub each morning.", "multi-agency children’s hub", "unit"),
])
def test_partners_and_systems_from_how_reports_introduce_them(sentence: str, name: str, typ: str) -> None:
    got = found(sentence)
    assert name in got, sorted(got)
    assert got[name][0] == typ


@pytest.mark.parametrize("sentence, names, not_names", [
    ("It works with Fenmoor City Council, Wendle Borough Council and the University of Kestrel.",
     ["Fenmoor City Council", "Wendle Borough Council", "University of Kestrel"], []),
    ("Staff from Fenmoor and Wendle councils' children's services sit in the hub.",
     ["children's services"], ["councils' children's services"]),
    ("The charity helps victims. The local charity is small.", [], ["charity helps", "local charity"]),
    ("Last year, a charity helped. Currently, the force uses a case system. However, the system is old.", [],
     ["Last year", "Last", "Currently", "However"]),

    ("The force follows the College of Policing's guidance.", ["College of Policing"], ["College of Policing's"]),
    ("The force holds a monthly multi-agency meeting.", [], ["monthly multi-agency meeting"]),
    ("Sergeants are there to support officers on shift.", [], ["support officers"]),
])
def test_partner_names_keep_their_edges(sentence: str, names: list[str], not_names: list[str]) -> None:
    got = found(sentence)
    for name in names:
        assert name in got, sorted(got)
    for name in not_names:
        assert name not in got and not any(name.lower() == k.lower() for k in got), sorted(got)


@pytest.mark.parametrize("sentence, names, not_names", [
    # a list whose other members are partners: the bare names in it are partners too
    ("The force works with Hollin Mind Network, Refuge and the Fenmoor and Wendle Integrated Care Board.",
     ["Refuge", "Fenmoor and Wendle Integrated Care Board"], []),
    ("The force, the Probation Service and Wendle Youth Justice run the scheme together.",
     ["Probation Service", "Wendle Youth Justice"], ["The force"]),
    ("It works with Fenmoor City Council and Wendle Police on road safety.", ["Fenmoor City Council"],
     ["Wendle Police"]),
    # a name described by what it is, with words between: the description names nothing else
    ("Victims are referred to Hollybrook, a national stalking advocacy charity.", ["Hollybrook"],
     ["advocacy charity", "stalking advocacy charity"]),
    ("Safe Lives Now, Kestrel Aid and the Probation Service sit on the panel.", ["Safe Lives Now", "Kestrel Aid"],
     []),
    ("Instead, Kestrel Aid and the Probation Service sit on the panel.", ["Kestrel Aid"], ["Instead"]),
    ("The force chairs the Fenmoor Local Resilience Forum.", ["Fenmoor Local Resilience Forum"], []),
])
def test_partners_listed_or_described(sentence: str, names: list[str], not_names: list[str]) -> None:
    got = found(sentence)
    for name in names:
        assert got.get(name, ("",))[0] == "partner", sorted(got)
    for name in not_names:
        assert not any(name.lower() == k.lower() and typ == "partner" for k, (typ, _kind) in got.items()), got


@pytest.mark.parametrize("sentence, name, typ, not_names", [
    ("Offenders may be offered Waymark, a restorative justice scheme run with partners.", "Waymark", "programme",
     ["restorative justice scheme"]),
    ("The force uses a new mobile records platform, Kestrel, so that officers save time.", "Kestrel", "programme",
     ["mobile records platform"]),
    ("It shares a firearms training centre with a neighbouring force.", "firearms training centre", "unit", []),
    ("Patrols were increased in the town centre at night.", None, None, ["town centre"]),
    ("Victims are supported by Wendle Victim Support and the local council.", "Wendle Victim Support", "partner",
     []),
    ("Wendle Police and Victim Support run a helpline.", "Victim Support", "partner", ["Police Victim Support"]),
])
def test_names_with_what_they_are_and_where(sentence: str, name: str | None, typ: str | None,
                                            not_names: list[str]) -> None:
    got = found(sentence)
    if name is not None:
        assert got.get(name, ("",))[0] == typ, sorted(got)
    for n in not_names:
        assert not any(n.lower() == k.lower() for k in got), sorted(got)


def test_partnership_boards_named_in_a_table() -> None:
    text = "Board | Chair\nFenmoor Safeguarding Partnership Board | Independent chair\nWendle Community Safety " \
           "Partnership | Council leader"
    p = Passage("t-p0001", "t", 1, ["Partners"], None, 1, "table", text, 0, len(text))
    rep = Report("t", "t.txt", "txt", "0", ReportMeta("Fenmoor Police", "2022", 2022, "PEEL", "t"), text, [p], [])
    labels = {e.label for e in entities.extract(rep).entities.values() if e.type == "partner"}
    assert {"Fenmoor Safeguarding Partnership Board", "Wendle Community Safety Partnership"} <= labels, labels


def test_a_named_plan_is_a_programme_not_a_partner() -> None:
    got = found("The NHS Long Term Plan sets targets for mental health care.")
    assert got.get("NHS Long Term Plan", ("programme",))[0] == "programme", got
    assert not any(typ == "partner" and "Plan" in name for name, (typ, _k) in got.items()), got


def test_the_forces_own_boards_and_units_are_not_partners() -> None:
    got = found("The Force Performance Board and the Economic Crime Unit met monthly.")
    assert got.get("Economic Crime Unit", ("unit",))[0] == "unit"
    assert not any(typ == "partner" for typ, _kind in got.values()), got


def test_a_longer_gazetteer_name_wins_over_a_pattern_inside_it() -> None:
    got = found("Analysts from the regional organised crime unit visit each month.")
    assert "regional organised crime unit" in got and "organised crime unit" not in got


def metric_labels(*sentences: str) -> list[str]:
    return [m.label for m in metrics(make_report(*sentences))]


@pytest.mark.parametrize("sentence, label", [
    ("The force resolved 35 percent of thefts through restorative justice in the year to March 2017.",
     "35 percent of thefts through restorative justice (in the year to March 2017)"),
    ("This is higher than the England and Wales average of 31 percent.", "31 percent England and Wales average"),
    ("Of those surveyed, 71.5 percent were satisfied with the way they were treated by the call handler.",
     "71.5 percent were satisfied with the way they were treated"),
    ("Reported burglary rose by 9 percent in the 12 months to June 2019.",
     "9 percent change in reported burglary (in the 12 months to June 2019)"),
    ("The number of special constables fell from 310 to 190 between 2013 and 2018.",
     "number of special constables: from 310 to 190 (between 2013 and 2018)"),
    ("The force plans to save £8.5m by 2021.", "plans to save: £8.5m (by 2021)"),
    ("Officers were deployed 412 times to look for missing adults.", "412 times Officers were deployed to look for "
     "missing adults"),
    ("Burglary 14%", "14 percent burglary"),
    ("Burglary was the most common offence (31 percent) of those reported.",
     "31 percent Burglary was the most common offence of those reported"),
    ("Its hubs have cut the number of open burglary cases by 15 percent.",
     "15 percent reduction in the number of open burglary cases"),
    ("The force increased its detective strength by 6 percent.", "6 percent increase in its detective strength"),
    ("The force serves a population of 410,000 people.", "410,000 people (population)"),
])
def test_metric_labels_in_the_sentences_own_words(sentence: str, label: str) -> None:
    assert label in metric_labels(sentence)


def test_metric_labels_never_end_on_a_function_word() -> None:
    labels = metric_labels(
        "Of the victims surveyed, 64.2 percent were satisfied with their overall experience with the service.",
        "The force answered 88 percent of its emergency calls within the target time of ten seconds.",
        "Some 52 percent of the cases we examined had a supervisor's review at the start.")
    assert labels
    for lab in labels:
        last = lab.split(" (")[0].split()[-1].lower()
        assert last not in {"the", "of", "with", "their", "to", "a", "and", "in"}, lab
