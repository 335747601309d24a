"""Extraction rules on sentences written for these tests (no bundled report text)."""
from __future__ import annotations

import re

from graph.extract import entities, findings, issues, relations, themes
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
    assert issues.issue_label("In March 2021, the constabulary removed all police constables from its "
                                 "neighbourhood teams") == "removal of neighbourhood officers"
    assert issues.issue_label("However, we found that the withdrawal of PCSOs from schools") == \
        "withdrawal of police community support officers from schools"
    assert issues.issue_label("they weren't available to carry out routine foot patrols", "effect") == \
        "routine foot patrols"


def test_negative_effect_because_rule():
    r = make_report("Inspectors saw signs that the reduction of detectives in the area was starting to have a "
                    "negative effect because they weren't available to carry out proactive drug investigations.")
    _, rels = labels(r)
    hit = [x for x in rels if x[0] == "affects" and x[3] == "cue:effect-because"]
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


def test_partnership_stated_by_sharing_referring_and_funding_but_not_when_denied():
    r = make_report("The force shares a custody suite with Wendle Borough Council.",
                    "Victims of stalking are referred to Hollybrook, a national advocacy charity.",
                    "The service is funded jointly by the Fenmoor Integrated Care Board.",
                    "No cases have been referred to the Kestrel Vale Community Rehabilitation Company this year.")
    _, rels = labels(r)
    partners = {x[2] for x in rels if x[0] == "partners_with"}
    assert {"Wendle Borough Council", "Hollybrook", "Fenmoor Integrated Care Board"} <= partners, rels
    assert not any("Kestrel" in p for p in partners), partners


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


# ---- faithful labels, supporting evidence and cue families (issue 11)

NEG = issues.NEGATION


def causal(*paragraphs: str, force: str = "Kent Police"):
    """(cause label, effect label, relation) for each causal edge of a report written here."""
    _, rels = labels(make_report(*paragraphs, force=force))
    return [(s, t, r) for typ, s, t, _, r in rels if typ in relations.CAUSAL_TYPES]


def test_labels_keep_subject_and_negation_of_the_three_cases() -> None:
    got = causal("Patrol officers can't progress burglary investigations quickly because of high workloads.",
                 "In May 2022 the force took every constable out of its rural teams. This resulted in a rural model "
                 "only staffed by volunteers and PCSOs.",
                 "Victims are not given information about bail conditions because officers don't record them.")
    by_effect = {t: (s, r) for s, t, r in got}
    assert "patrol officers can't progress burglary investigations quickly" in by_effect, got
    assert by_effect["patrol officers can't progress burglary investigations quickly"][0] == "high workloads"
    only = [t for t in by_effect if "rural model" in t]
    assert only and "only staffed by volunteers and PCSOs" in only[0], got
    assert "victims are not given information about bail conditions" in by_effect, got
    assert by_effect["victims are not given information about bail conditions"][0] == "officers don't record them"


def _flips(label: str, quote: str) -> bool:
    """The quote negates the words the label is made of, and the label drops that negation."""
    words = [w for w in re.findall(r"[a-z][\w'’-]+", label.lower()) if len(w) > 3][:2]
    if not words or NEG.search(label):
        return False
    q = quote.lower()
    at = q.find(words[0][:5])
    return at >= 0 and bool(NEG.search(" ".join(q[:at].split()[-4:])))


def assert_no_flipped_label(edges) -> None:
    for s_label, t_label, polarity, quote in edges:
        for label in (s_label, t_label):
            assert not _flips(label, quote) or polarity == "negative", (label, polarity, quote)


def test_no_label_asserts_the_opposite_of_its_quote() -> None:
    got = causal("Neighbourhood officers no longer attend community meetings, which means that residents never hear "
                 "about local priorities.", "Without a dedicated analyst, the team cannot map organised crime groups.",
                 "Detectives aren't trained in digital evidence, so that cases are not built on phone data.",
                 "The control room doesn't grade calls consistently. As a result, urgent calls wait too long.")
    assert len(got) >= 3, got
    assert_no_flipped_label([(s, t, r.polarity, r.evidence[0].quote) for s, t, r in got])
    for s, t, _ in got:
        for label in (s, t):
            assert not label.startswith(("officers attend", "analyst", "team can map")), label


def test_labels_are_never_cut_mid_phrase() -> None:
    for clause in ("the force removed the remaining police officers from its rural community hubs and moved them",
                   "officers aren't at work for 12–15 days each month because of the rota",
                   "the volume of cases waiting for a decision from the crown prosecution service in the county"):
        label = issues.issue_label(clause, "effect")
        assert label and label.split()[-1].lower() not in {"the", "of", "for", "from", "a", "and", "in"}, label
    assert "12–15" in (issues.issue_label("officers aren't at work for 12–15 days each month", "effect") or "")


def test_another_force_style_report_gives_every_cause_and_effect() -> None:
    text = ("Because of high workloads in the investigation hubs, the quality of investigations has suffered.",
            "The number of detectives fell by a fifth in 2022. This reduction has caused delays in serious case "
            "reviews.",
            "The loss of neighbourhood officers in rural areas has reduced intelligence from local communities.",
            "Long waits for mental health assessments are putting pressure on custody staff.",
            "Repeat victims are not identified due to gaps in the call handling system.")
    got = causal(*text, force="Northshire Constabulary")
    pairs = [(s, t) for s, t, _ in got]
    expect = [("workloads", "quality of investigations"), ("detectives", "delays in serious case reviews"),
              ("loss of neighbourhood officers", "intelligence"), ("mental health assessments", "pressure on custody"),
              ("call handling system", "repeat victims are not identified")]
    for cause, effect in expect:
        assert any(cause in s and effect in t for s, t in pairs), (cause, effect, pairs)


def test_every_causal_edge_is_supported_by_its_quote() -> None:
    got = causal("The force's rota means that officers aren't available at weekends.",
                 "Call handlers are short of training. This means that some risks are missed.",
                 "Response times have risen because of a shortage of cars.")
    assert len(got) == 3, got
    for s, t, r in got:
        assert all(relations.supports(r.rule, ev.quote, s, t) for ev in r.evidence), (s, t, r)
        assert r.rule.startswith("cue:")
    this = [r for _, _, r in got if "short of training" in r.evidence[0].quote]
    assert this and "This means that" in this[0].evidence[0].quote  # both sentences quoted
    assert not relations.supports("cue:means-that", "The rota is new.", "rota", "officers aren't available")
    assert not relations.supports("cue:because-of", "Cars are short. Times have risen.", "cars", "response times")


def test_negated_or_coordinated_cues_make_no_edge() -> None:
    assert not causal("Abstractions are not affecting the force's ability to tackle anti-social behaviour.")
    assert not causal("The force reviews its rota each year and has increased its use of overtime.")


def test_main_clause_is_the_effect_and_pronouns_resolve_only_to_their_own_clause() -> None:
    got = causal("Although the triage hub is well staffed, it struggles to keep up due to the volume of referrals.",
                 "The force's firearms team works nights, which means they rarely attend daytime training.")
    pairs = {(s, t) for s, t, _ in got}
    assert ("volume of referrals", "triage hub struggles to keep up") in pairs, pairs
    assert any(t.startswith("firearms team rarely attend") for _, t in pairs), pairs
    assert not any("well staffed" in t for _, t in pairs)  # the concession is not the effect


def test_named_subject_keeps_its_negation_when_capacity_is_lacking() -> None:
    got = causal("Detectives don't have the capacity to carry out reviews of cold cases because new referrals take "
                 "priority.", "Officers said they weren't able to carry out school visits because of the rota.")
    effects = {t for _, t, _ in got}
    assert "detectives don't have the capacity to carry out reviews of cold cases" in effects, effects
    visits = [(t, r) for _, t, r in got if t.endswith("school visits")]
    assert visits and all(NEG.search(t) or r.polarity == "negative" for t, r in visits), visits


def test_this_as_the_effect_and_chained_results_point_back() -> None:
    got = causal("Burglary arrests fell sharply last year. This was because of fewer patrols at night.",
                 "Custody sergeants lack time, which means they make hurried decisions. As a result, detainees don't "
                 "always get an appropriate adult.",
                 "There is no referral route for older victims, which means that no joint visit takes place.")
    pairs = {(s, t) for s, t, _ in got}
    assert ("fewer patrols at night", "burglary arrests fell sharply last year") in pairs, pairs
    assert ("custody sergeants make hurried decisions", "detainees don't always get an appropriate adult") in pairs
    assert any(s.startswith("no referral route") and t.startswith("no joint visit") for s, t in pairs), pairs


def test_this_after_a_contrast_points_to_the_clause_after_but() -> None:
    """"A does X, but B. This is putting pressure on C": the cause is B, not A."""
    got = causal("The regional team reviews these cases, but the first visit still falls to local detectives. "
                 "This is putting increasing pressure on detectives in the burglary unit.")
    causes = [s for s, _, _ in got]
    assert any("first visit still falls to local detectives" in s for s in causes), got
    assert not any("regional team reviews" in s for s in causes), got


def test_what_the_force_has_is_the_cause_of_what_this_means() -> None:
    """"It has a X – aside – run by Y. This means that Z": X (what the force has) leads to Z."""
    got = causal("It has a rural crime desk – staffed every evening – run by volunteers. This means that farmers "
                 "get advice more quickly.")
    assert any(s.startswith("rural crime desk") and "farmers get advice more quickly" in t for s, t, _ in got), got


def test_more_cue_families_as_inspectors_write_them() -> None:
    """Auxiliaries belong to the cue ("have resulted in"), impact wording, "The result is that ...", and a
    label whose acronym the quote uses ("PCSOs") is still named by the quote."""
    got = causal("Vacancies in the dispatch team have resulted in long waits for callers.",
                 "Staff shortages in the custody unit are having an impact on detainee welfare checks.",
                 "The force closed two front counters. The result is that rural victims travel further to report.",
                 "The loss of PCSOs has meant that fewer patrols take place in market towns.")
    pairs = {(s, t) for s, t, _ in got}
    assert ("vacancies in the dispatch team", "long waits for callers") in pairs, pairs
    assert any(s.startswith("staff shortages in the custody unit") and "detainee welfare checks" in t
               for s, t in pairs), pairs
    assert any("rural victims travel further to report" in t for s, t in pairs), pairs
    assert any(s.startswith("loss of") and "fewer patrols" in t for s, t in pairs), pairs
    assert not any(s.split()[-1] in {"have", "has", "are", "is"} for s, _ in pairs), pairs
