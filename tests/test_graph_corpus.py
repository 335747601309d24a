"""The knowledge graph built from the bundled corpus through the real Service and store."""
from __future__ import annotations

import json

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from test_graph_rules import assert_no_flipped_label

from api.service import Service
from graph import build as knowledge
from graph.errors import InvalidParameter, NotFound
from graph.extract import issues, relations
from graph.rdf import to_rdf, validate

KEY_SENTENCE = ("the removal of neighbourhood officers was starting to have a negative effect because they "
                "weren’t available to carry out lower-level disruption activity")


@pytest.fixture(scope="module")
def G(corpus_service: Service) -> nx.MultiDiGraph:
    return corpus_service.knowledge()


def _issue(G: nx.MultiDiGraph) -> str:
    return "issue:removal-of-neighbourhood-officers"


def test_removal_of_neighbourhood_officers_affects_organised_crime_disruption(G):
    n = _issue(G)
    assert G.nodes[n]["label"] == "removal of neighbourhood officers"
    hits = [(t, d) for _, t, d in G.out_edges(n, data=True)
            if d["type"] == "affects" and "disruption" in G.nodes[t]["label"]]
    assert hits, "no affects edge to the disruption of organised crime"
    target, edge = hits[0]
    assert edge["polarity"] == "negative"
    assert any(KEY_SENTENCE in ev["quote"] for ev in edge["evidence"])
    themes = {t for _, t, d in G.out_edges(target, data=True) if d["type"] == "about_theme"}
    assert "theme:serious-organised-crime" in themes


def test_the_issue_reaches_prevention_warrants_and_powers(G):
    n = _issue(G)
    effects = {t for _, t, d in G.out_edges(n, data=True) if d["type"] in ("affects", "causes")}
    labels = " | ".join(G.nodes[t]["label"] for t in effects)
    assert "powers" in labels and "prevent" in labels, labels
    reached_themes = {t for e in effects for _, t, d in G.out_edges(e, data=True) if d["type"] == "about_theme"}
    assert "theme:crime-prevention" in reached_themes
    # the 2018/19 removal recurs from the 2015 abstraction of neighbourhood officers
    years = {ev["report_id"] for _, _, d in G.out_edges(n, data=True) for ev in d["evidence"]}
    assert len(years) == 2
    assert any(d["type"] == "recurs" for _, _, d in G.edges(data=True))


def test_metric_change_between_reports(G):
    changes = [(s, t, d) for s, t, d in G.edges(data=True) if d["type"] == "metric_change"]
    ocg = [(s, t, d) for s, t, d in changes if G.nodes[s]["data"]["key"] == "organised crime group"]
    assert ocg and G.nodes[ocg[0][0]]["data"]["value"] == 33 and G.nodes[ocg[0][1]]["data"]["value"] == 25


def test_invariants_every_passage_theme_every_relation_evidence_every_node_mention(corpus_service, G):
    con = corpus_service.store.con
    untagged = con.execute("SELECT count(*) FROM passages WHERE passage_id NOT IN "
                           "(SELECT passage_id FROM passage_themes)").fetchone()[0]
    assert untagged == 0
    for s, t, d in G.edges(data=True):
        assert d["evidence"] and all(ev["passage_id"] and ev["quote"] for ev in d["evidence"]), (s, t, d["type"])
    for n, d in G.nodes(data=True):
        assert d["mentions"], n
    size = knowledge.size(G)
    assert size["nodes_by_type"]["unit"] >= 20 and size["edges_by_type"]["affects"] >= 10


def test_entities_resolve_aliases_and_acronyms(corpus_service):
    vemt = corpus_service.entity("VEMT")
    assert vemt["id"] == "unit:vemt-team" and vemt["type"] == "unit"
    assert any("trafficked" in a for a in vemt["aliases"])
    assert all(m["text"] for m in vemt["mentions"])
    nt = corpus_service.entity("neighbourhood teams")
    assert nt["id"] == "unit:neighbourhood-team" and len(nt["reports"]) == 2
    assert corpus_service.entity("MARAC")["id"] == "programme:multi-agency-risk-assessment-conference"
    with pytest.raises(NotFound, match="no entity"):
        corpus_service.entity("no such thing at all")
    with pytest.raises(InvalidParameter):
        corpus_service.entities(type="spaceship")


def test_service_shapes(corpus_service):
    e = corpus_service.entities(type="unit")[0]
    assert set(e) >= {"id", "label", "type", "aliases", "reports", "mentions"}
    r = corpus_service.relations(type="partners_with")[0]
    assert set(r) >= {"id", "type", "source", "target", "polarity", "rule", "evidence"}
    assert set(r["source"]) == {"id", "label", "type"} and r["evidence"][0]["quote"]
    cc = corpus_service.crosscutting()
    assert cc[0]["id"] == "issue:removal-of-neighbourhood-officers"
    assert set(cc[0]) >= {"id", "label", "themes", "questions", "reports", "affects", "score"}
    assert len(cc[0]["themes"]) >= 3 and len(cc[0]["reports"]) == 2
    weak = corpus_service.findings(polarity="weakness", theme="crime-prevention")
    assert weak and all(f["polarity"] == "weakness" and "crime-prevention" in f["themes"] for f in weak)


def test_rdf_passes_shacl_and_round_trips(corpus_service, G):
    g = to_rdf(G, store=corpus_service.store)
    ok, text = validate(g)
    assert ok, text[:2000]
    for fmt in ("turtle", "json-ld"):
        out = corpus_service.rdf(fmt)
        back = Graph().parse(data=out, format=fmt)
        assert isomorphic(back, g), fmt
    sub = knowledge_neighbourhood(G, "issue:removal-of-neighbourhood-officers")
    sg = to_rdf(G, nodes=sub, store=corpus_service.store)
    assert validate(sg)[0]


def knowledge_neighbourhood(G, n):
    return {n} | set(G.successors(n)) | set(G.predecessors(n))


def test_cli_graph_commands(corpus_service, run_cli):
    store = corpus_service.settings.store
    res = run_cli(store, "relations", "--type", "affects", "--entity", "removal of neighbourhood officers", "--json")
    assert res.code == 0 and all(r["type"] == "affects" for r in res.json())
    assert run_cli(store, "entities", "--type", "partner", "--json").json()
    assert run_cli(store, "crosscutting", "--json").json()[0]["affects"]
    assert run_cli(store, "findings", "--polarity", "strength", "--json").json()
    ent = run_cli(store, "entity", "PCSO", "--json").json()
    assert ent["id"] == "role:police-community-support-officer"
    assert run_cli(store, "rdf", "--format", "json-ld", "--json").json()["format"] == "json-ld"
    bad = run_cli(store, "entity", "nothing like this")
    assert bad.code == 3 and "no entity" in bad.err


def test_same_input_same_graph(tmp_path, make_settings, corpus_service, G):
    other = Service(make_settings(tmp_path / "again"))
    other.build()
    H = other.knowledge()
    assert sorted(G.nodes) == sorted(H.nodes)
    assert sorted(G.edges(keys=True)) == sorted(H.edges(keys=True))
    dump = lambda X: json.dumps(sorted((d["id"], d["polarity"], d["rule"], d["evidence"])  # noqa: E731
                                       for _, _, d in X.edges(data=True)), sort_keys=True)
    assert dump(G) == dump(H)

    # delete: the report's nodes and edges left without evidence go, the rest stays
    gone = "cleveland-police-peel-effectiveness-2018-19"
    other.delete(gone)
    K = other.knowledge()
    assert "unit:vemt-team" not in K and "issue:lower-level-disruption-activity" not in K
    assert "issue:removal-of-neighbourhood-officers" in K  # still evidenced by the 2015 report
    for _, _, d in K.edges(data=True):
        assert all(ev["report_id"] != gone for ev in d["evidence"])
    for n, d in K.nodes(data=True):
        assert d["mentions"] and gone not in d["reports"], n
    con = other.store.con
    assert con.execute("SELECT count(*) FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)"
                       ).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM relations WHERE relation_id NOT IN (SELECT relation_id FROM evidence)"
                       ).fetchone()[0] == 0


def test_every_causal_edge_quotes_its_cue_and_both_ends(G):
    causal = [(s, t, d) for s, t, d in G.edges(data=True) if d["type"] in relations.CAUSAL_TYPES]
    assert len(causal) >= 20
    for s, t, d in causal:
        assert d["rule"].startswith("cue:"), d["rule"]  # no inference rule without a quote of its own
        for ev in d["evidence"]:
            assert relations.supports(d["rule"], ev["quote"], G.nodes[s]["label"], G.nodes[t]["label"]), (s, t, ev)


def test_no_label_in_the_bundled_graph_asserts_the_opposite_of_its_quote(G):
    edges = [(G.nodes[s]["label"], G.nodes[t]["label"], d["polarity"], ev["quote"])
             for s, t, d in G.edges(data=True) if d["type"] in relations.CAUSAL_TYPES for ev in d["evidence"]]
    assert_no_flipped_label(edges)
    issue_labels = [d["label"] for _, d in G.nodes(data=True) if d["type"] == "issue"]
    assert all(len(label.split()) <= issues.MAX_WORDS + 2 for label in issue_labels)
    assert all(label.split()[-1].lower() not in {"the", "of", "a", "to", "and", "for"} for label in issue_labels)


def test_crosscutting_top_ten_are_issues_with_reasons(G):
    top = knowledge.crosscutting(G, 10)
    assert len(top) == 10
    for item in top:
        assert G.nodes[item["id"]]["type"] == "issue", item
        assert any(d["type"] in relations.CAUSAL_TYPES for _, _, d in
                   list(G.out_edges(item["id"], data=True)) + list(G.in_edges(item["id"], data=True)))
        counts = (item["theme_count"], item["question_count"], item["report_count"], item["affects_count"])
        assert item["why"] == "{} theme{} · {} question{} · {} report{} · affects {}".format(
            counts[0], "" if counts[0] == 1 else "s", counts[1], "" if counts[1] == 1 else "s",
            counts[2], "" if counts[2] == 1 else "s", counts[3])
        assert counts[:3] == (len(item["themes"]), len(item["questions"]), len(item["reports"]))
    assert [x["score"] for x in top] == sorted((x["score"] for x in top), reverse=True)
    who = knowledge.involved(G, 10)
    assert who and all(G.nodes[x["id"]]["type"] in ("role", "unit", "partner") and x["why"] for x in who)
    assert not {x["id"] for x in who} & {x["id"] for x in knowledge.crosscutting(G)}


def test_graph_is_a_snapshot_with_communities_built_once(G):
    import threading

    threads = [threading.Thread(target=knowledge.ensure_communities, args=(G,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("community" in d for n, d in G.nodes(data=True) if G.degree(n))
    seen = {n: d["community"] for n, d in G.nodes(data=True) if "community" in d}
    knowledge.ensure_communities(G)
    assert seen == {n: d["community"] for n, d in G.nodes(data=True) if "community" in d}
    facts = knowledge.facts(G)
    with pytest.raises(TypeError):
        facts.passage_themes["x"] = ("y",)  # type: ignore[index]
    before = dict(G.graph)
    knowledge.crosscutting(G)
    knowledge.involved(G)
    assert dict(G.graph) == before  # ranking reads the snapshot, never caches into it
