"""Extraction rules on sentences written for these tests (no bundled report text)."""
from __future__ import annotations

from graph.extract import entities, findings, relations, themes
from graph.build import extract_report
from graph.records import Passage, Report, ReportMeta


def make_report(*paragraphs: str, force: str = "Kent Police", year: str = "2021") -> Report:
    text, ps, pos = "", [], 0
    for n, para in enumerate(paragraphs, 1):
        ps.append(Passage(passage_id=f"test-report-p{n:04d}", report_id="test-report", ordinal=n,
                          section=["How effective is the force at preventing crime?"],
                          question="How effective is the force at preventing crime?", paragraph=n,
                          kind="paragraph", text=para, start=pos, end=pos + len(para)))
        text += para + "\n\n"
        pos = len(text)
    meta = ReportMeta(force=force, year=year, year_end=int(year[:4]), programme="PEEL", title="Test report")
    return Report("test-report", "test.txt", "txt", "0" * 64, meta, text, ps, [])


def labels(report: Report):
    ex = entities.extract(report)
    out = relations.extract(report, ex, lambda s: [h.theme for h in themes.tag(s) if h.rule == "keyword"])
    names = {**{k: v.label for k, v in ex.entities.items()}, **{k: v.label for k, v in out.nodes.items()}}
    return ex, [(r.type, names[r.source], names.get(r.target, r.target), r.rule, r) for r in out.relations]


def test_issue_label_nominalises_verb_and_resolves_role():
    assert relations.issue_label("In March 2021, the constabulary removed all police constables from its "
                                 "neighbourhood teams") == "removal of neighbourhood officers"
    assert relations.issue_label("However, we found that the withdrawal of PCSOs from schools") == \
        "withdrawal of police community support officers from schools"
    assert relations.issue_label("they weren't available to carry out routine foot patrols", "effect") == \
        "routine foot patrols"


def test_negative_effect_because_rule():
    r = make_report("Inspectors saw signs that the reduction of detectives in the area was starting to have a "
                    "negative effect because they weren't available to carry out proactive drug investigations.")
    _, rels = labels(r)
    hit = [x for x in rels if x[0] == "affects" and x[3] == "cue:negative-effect-because"]
    assert hit, rels
    _, src, tgt, _, rel = hit[0]
    assert src == "reduction of detectives in the area" and tgt == "proactive drug investigations"
    assert rel.polarity == "negative"
    assert rel.evidence[0].quote.startswith("Inspectors saw signs")


def test_this_means_that_resolves_to_previous_sentence():
    r = make_report("The control room does not answer all emergency calls within ten seconds. This means that "
                    "callers in danger may wait too long for help.")
    _, rels = labels(r)
    hit = [x for x in rels if x[3] == "cue:means-that"]
    assert hit and "control room" in hit[0][1]
    assert "emergency calls" in hit[0][4].evidence[0].quote and "This means that" in hit[0][4].evidence[0].quote


def test_partners_and_responsibility():
    r = make_report("Kent Police works well with the local authority and the probation service to manage offenders.",
                    "The force's public protection unit is responsible for managing registered sex offenders.")
    _, rels = labels(r)
    partners = {x[2] for x in rels if x[0] == "partners_with"}
    assert {"local authority", "probation service"} <= partners
    resp = [x for x in rels if x[0] == "responsible_for"]
    assert resp and resp[0][1] == "public protection unit"


def test_acronym_definitions_and_alias_resolution():
    text = ("The force set up a rural crime taskforce team (RCTT) last year. The RCTT works with farmers. "
            "Cases go to the multi-agency risk assessment conference. MARACs meet weekly. "
            "It uses the SARA (scanning, analysis, response, assessment) model.")
    assert entities.find_acronyms(text)["RCTT"] == "rural crime taskforce team"
    assert entities.find_acronyms(text)["SARA"] == "scanning, analysis, response, assessment"
    ex = entities.extract(make_report(text))
    unit = ex.entities["unit:rural-crime-taskforce-team"]
    assert "RCTT" in unit.aliases
    assert sum(1 for m in ex.mentions if m.entity_id == unit.id) >= 2
    marac = ex.entities["programme:multi-agency-risk-assessment-conference"]
    assert sum(1 for m in ex.mentions if m.entity_id == marac.id) == 2  # long form and plural acronym


def test_unit_patterns_normalise_plural_case_and_possessive():
    ex = entities.extract(make_report("The force's Neighbourhood Teams patrol daily.",
                                      "Some neighbourhood teams lack time. Its rapid disposal team is new.",
                                      "The rapid disposal teams clear the backlog."))
    nt = [e for e in ex.entities.values() if e.label == "neighbourhood team"]
    assert len(nt) == 1 and nt[0].type == "unit"
    assert sum(1 for m in ex.mentions if m.entity_id == nt[0].id) == 2
    rdt = ex.entities["unit:rapid-disposal-team"]
    assert sum(1 for m in ex.mentions if m.entity_id == rdt.id) == 2


def test_metrics_value_unit_measure_period():
    r = make_report("We found that 31 of the 40 case files examined showed effective supervision.",
                    "There was a 12.5 percent increase in burglary in the 12 months to June 2020.",
                    "The constabulary is managing 41 organised crime groups.",
                    "The force is investing £2m in its digital forensics unit.")
    ms = entities.metrics(r)
    by_value = {m.value: m for m in ms}
    assert by_value[31].unit == "of 40" and "case files examined showed effective supervision" in by_value[31].measures
    assert by_value[12.5].unit == "percent" and by_value[12.5].measures == "increase in burglary"
    assert by_value[12.5].period == "in the 12 months to June 2020"
    assert by_value[41].measures == "organised crime groups" and by_value[41].key == "organised crime group"
    assert by_value[2e6].unit == "GBP"
    assert not any(m.value in (12, 2020) for m in ms)  # the period is not a metric


def test_finding_polarity():
    assert findings.polarity("The force doesn't have enough detectives to investigate burglaries.") == "weakness"
    assert findings.polarity("The force works well with partners and has a clear strategy.") == "strength"
    assert findings.polarity("The force isn't always effective at supervising investigations.") == "weakness"
    r = make_report("The force works well with schools. The force has 12 officers on each shift. "
                    "Its supervision is poor and there are long delays.")
    fs = findings.extract(r, {}, {})
    assert [f.polarity for f in fs] == ["strength", "weakness"]


def test_every_passage_gets_a_theme():
    for text in ("Burglary victims get crime prevention advice.", "Lorem ipsum dolor sit amet.", "12 34 56"):
        hits = themes.tag(text)
        assert hits and hits[0].theme
    assert themes.tag("Lorem ipsum dolor sit amet.")[0].rule == "fallback:overlap"


def test_extract_report_is_deterministic():
    r = make_report("However, the removal of neighbourhood officers means that police powers aren't available "
                    "when needed.", "The force works well with the local authority.")
    a, b = extract_report(r), extract_report(r)
    assert sorted(x.id for x in a.relations) == sorted(x.id for x in b.relations)
    assert sorted(a.entities) == sorted(b.entities)


def test_gazetteer_aliases_with_either_apostrophe() -> None:
    ex = entities.extract(make_report("The force makes prompt disclosures under Clare’s Law.",
                                      "Requests under Sarah's Law are answered within a week."))
    by_label = {e.label: e for e in ex.entities.values()}
    for label in ("domestic violence disclosure scheme", "child sex offender disclosure scheme"):
        assert label in by_label, sorted(by_label)
        assert any(m.entity_id == by_label[label].id for m in ex.mentions)
