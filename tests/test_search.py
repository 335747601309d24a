"""Search on small hand-made reports with the hashing encoder (fast, no model)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from api.service import Service
from api.settings import Settings
from graph.errors import BadInput, InvalidParameter
from graph.records import Passage, Report, ReportMeta
from graph.text import content_words
from search.compose import NO_ANSWER
from search.encoders import get_encoder
from search.expand import expand
from search.question import analyse
from search.retrieve import fts_expression

A = [  # (section, kind, text)
    ("Domestic abuse", "paragraph",
     "All high-risk cases are referred to a multi-agency risk assessment conference, with a meeting every "
     "two weeks. An independent chair oversees the process."),
    ("Neighbourhood policing", "paragraph",
     "The removal of neighbourhood officers means that lower-level disruption of organised crime has "
     "stopped. As a result, gangs operate with less pressure."),
    ("Investigation", "paragraph",
     "We found that 47 of the 60 crime files reviewed showed good victim care. Supervision was good."),
    ("Areas for improvement", "area_for_improvement",
     "The force should improve its understanding of the effect of its activity on organised crime."),
    ("Body-worn video", "paragraph",
     "Officers have access to body-worn video but do not always switch it on at incidents."),
]
B = [
    ("Neighbourhood policing", "paragraph",
     "Neighbourhood officers are well known in their communities and disrupt organised crime groups."),
    ("Domestic abuse", "summary",
     "The force responds well to victims of domestic abuse and has made good progress since 2014."),
    ("Investigation", "paragraph",
     "Case loads in the major crime unit are excessive because of vacancies."),
]


def _report(rid: str, force: str, year: str, year_end: int, rows: list[tuple[str, str, str]]) -> Report:
    passages, text, offset = [], "", 0
    for n, (section, kind, body) in enumerate(rows):
        passages.append(Passage(passage_id=f"{rid}-p{n:04d}", report_id=rid, ordinal=n,
                                section=["Question one", section], question="Question one", paragraph=n + 1,
                                kind=kind, text=body, start=offset, end=offset + len(body)))
        text += body + "\n\n"
        offset = len(text)
    meta = ReportMeta(force=force, year=year, year_end=year_end, programme="PEEL effectiveness",
                      title=f"{force} {year}")
    return Report(report_id=rid, source=f"{rid}.txt", format="txt", sha256=rid * 2, meta=meta, text=text,
                  passages=passages, items=[])


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    svc = Service(Settings(store=tmp_path_factory.mktemp("store"), encoder="hash"))
    svc._put(_report("north-2018-19", "North Police", "2018/19", 2019, A))
    svc._put(_report("south-2015", "South Police", "2015", 2015, B))
    return svc


# ------------------------------------------------------------ encoder


def test_hash_encoder_is_deterministic_and_normalised() -> None:
    enc = get_encoder("hash")
    a = enc.encode(["organised crime disruption", "organised crime disruption", "banana"])
    assert a.dtype == np.float32 and a.shape == (3, enc.dim)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.allclose(a[0], a[1]) and float(a[0] @ a[2]) < 0.5
    with pytest.raises(InvalidParameter):
        get_encoder("nope")


def test_embeddings_are_stored_once_per_text(service: Service) -> None:
    n = service.store.count("embeddings")
    assert n > len(A) + len(B)  # passages and their sentences
    report = _report("north-copy", "North Police", "2018/19", 2019, A)
    report.sha256 = "different"
    assert service.search_engine.index.prepare(report) == 0  # every text already has a vector
    rows = service.store.con.execute("SELECT DISTINCT model, dim FROM embeddings").fetchall()
    assert [tuple(r) for r in rows] == [("hash-256", 256)]


# ------------------------------------------------------------ keyword sanitising


@pytest.mark.parametrize("query", [
    'he said "stop', "(unbalanced", "a AND b OR NOT c", "NEAR(x y)", "crime*", "col:umn ^start", "-minus +plus",
    "café naïve 東京 ñ", "'; DROP TABLE passages; --", "x" * 5000, "AND OR NOT", "\"\"\"", "{}[]",
])
def test_fts_expression_never_breaks(service: Service, query: str) -> None:
    expr = fts_expression(content_words(query), ["body-worn video", 'odd "phrase"'])
    assert expr is None or expr.count('"') % 2 == 0
    service.store.keyword_scores(expr, 10)  # must not raise
    service.search(query[:1000], k=3, mode="keyword")


def test_fts_expression_quotes_and_drops_stop_words() -> None:
    assert fts_expression(content_words("What is the MARAC?")) == '"marac"'
    assert fts_expression(content_words("the and of")) is None
    assert fts_expression(content_words("crime AND gangs")) == '"crime" OR "gangs"'


# ------------------------------------------------------------ expansion


def test_acronym_expands_to_long_form_and_back() -> None:
    long_forms = [p for e in expand("How does the MARAC work?") for p in e.phrases]
    assert "multi-agency risk assessment conference" in long_forms
    short = [p for e in expand("multi-agency risk assessment conference meetings") for p in e.phrases]
    assert "MARAC" in short
    body = [p.lower() for e in expand("do officers use body cameras") for p in e.phrases]
    assert "body-worn video" in body
    assert expand("purple elephant banana recipe") == []


def test_expansion_finds_the_long_form_passage(service: Service) -> None:
    hits = service.search("MARAC", k=3, mode="keyword")["hits"]
    assert hits and hits[0]["passage_id"] == "north-2018-19-p0000"
    hits = service.search("body cameras", k=3, mode="keyword")["hits"]
    assert hits[0]["passage_id"] == "north-2018-19-p0004"


# ------------------------------------------------------------ fusion and modes


def test_modes_and_hit_shape(service: Service) -> None:
    for mode in ("hybrid", "keyword", "dense"):
        out = service.search("removal of neighbourhood officers organised crime", k=3, mode=mode)
        assert out["mode"] == mode and out["hits"]
        h = out["hits"][0]
        assert set(h) >= {"passage_id", "report_id", "year", "force", "section", "paragraph", "kind", "text",
                          "score", "quotes"}
        assert h["passage_id"] == "north-2018-19-p0001"
        assert all(q in h["text"] for q in h["quotes"]) and 1 <= len(h["quotes"]) <= 2
        assert " > " in h["section"]
        scores = [x["score"] for x in out["hits"]]
        assert scores == sorted(scores, reverse=True)


def test_hybrid_fuses_both_signals(service: Service) -> None:
    # keyword alone and dense alone each see part of the query; the fusion keeps the passage that has both
    hyb = [h["passage_id"] for h in service.search("excessive case loads", k=5)["hits"]]
    assert hyb[0] == "south-2015-p0002"
    kw = {h["passage_id"] for h in service.search("excessive case loads", k=5, mode="keyword")["hits"]}
    assert "south-2015-p0002" in kw


# ------------------------------------------------------------ filters


def test_filters(service: Service) -> None:
    q = "neighbourhood officers organised crime"
    assert {h["report_id"] for h in service.search(q, report="south-2015")["hits"]} == {"south-2015"}
    assert {h["force"] for h in service.search(q, force="north police")["hits"]} == {"North Police"}
    for year in ("2019", "2018/19", "2018-19"):
        assert {h["year"] for h in service.search(q, year=year)["hits"]} == {"2018/19"}, year
    assert {h["year"] for h in service.search(q, year=2015)["hits"]} == {"2015"}
    assert service.search(q, year="1999")["hits"] == []
    kinds = {h["kind"] for h in service.search("improve organised crime", kind="area_for_improvement")["hits"]}
    assert kinds == {"area_for_improvement"}
    ent = service.search("officers", entity="body-worn video")["hits"]
    assert [h["passage_id"] for h in ent] == ["north-2018-19-p0004"]
    # no theme tags in this store: the theme filter cannot apply and must not fail
    assert service.search(q, theme="neighbourhood-policing")["hits"]


def test_theme_filter_uses_passage_themes_when_present(tmp_path) -> None:
    svc = Service(Settings(store=tmp_path, encoder="hash"))
    svc._put(_report("north-2018-19", "North Police", "2018/19", 2019, A))
    with svc.store.write() as con:
        con.execute("CREATE TABLE IF NOT EXISTS passage_themes (passage_id TEXT NOT NULL, report_id TEXT NOT NULL,"
                    " theme TEXT NOT NULL, score REAL NOT NULL, rule TEXT NOT NULL)")
        con.execute("INSERT INTO passage_themes(passage_id, report_id, theme, score, rule)"
                    " VALUES ('north-2018-19-p0004', 'north-2018-19', 'test-theme-x', 1.0, 'test')")
    hits = svc.search("officers", theme="test-theme-x")["hits"]
    assert [h["passage_id"] for h in hits] == ["north-2018-19-p0004"]


# ------------------------------------------------------------ validation


def test_validation(service: Service) -> None:
    with pytest.raises(BadInput):
        service.search("   ")
    with pytest.raises(BadInput):
        service.ask("")
    with pytest.raises(InvalidParameter):
        service.search("x" * 1001)
    with pytest.raises(InvalidParameter):
        service.search("crime", k=0)
    with pytest.raises(InvalidParameter):
        service.search("crime", k=101)
    with pytest.raises(InvalidParameter):
        service.search("crime", mode="fuzzy")


def test_index_follows_writes(service: Service, tmp_path) -> None:
    svc = Service(Settings(store=tmp_path, encoder="hash"))
    svc._put(_report("south-2015", "South Police", "2015", 2015, B))
    assert {h["report_id"] for h in svc.search("organised crime")["hits"]} == {"south-2015"}
    svc._put(_report("north-2018-19", "North Police", "2018/19", 2019, A))
    assert "north-2018-19" in {h["report_id"] for h in svc.search("organised crime")["hits"]}
    svc.delete("north-2018-19")
    assert {h["report_id"] for h in svc.search("organised crime")["hits"]} == {"south-2015"}



def test_report_rows_are_found_from_the_snapshot_spans_as_a_full_scan_finds_them(tmp_path) -> None:
    from search.retrieve import _report_mask

    svc = Service(Settings(store=tmp_path, encoder="hash"))
    svc._put(_report("south-2015", "South Police", "2015", 2015, B))
    svc._put(_report("north-2018-19", "North Police", "2018/19", 2019, A))
    svc._put(_report("east-2016", "East Police", "2016", 2016, B[:2]))
    svc.search("organised crime")
    svc.delete("east-2016")  # a merged snapshot, as well as a loaded one
    svc._put(_report("west-2017", "West Police", "2017", 2017, A[1:]))
    index = svc.search_engine.index
    for snap in (index.snapshot(), index._load(svc.store.generation())):
        assert len(set(snap.report_ids)) == 3
        for ok in ({"north-2018-19"}, {"south-2015", "west-2017"}, {"north-2018-19", "nowhere"}, set()):
            assert _report_mask(snap, ok).tolist() == [r in ok for r in snap.report_ids]


# ------------------------------------------------------------ answers


CITATION = re.compile(r" \[(?:2015|2018/19) · [^\]]+ · ¶\d+(?: · p\. \d+)?\]$")


def _answer_sentences(out: dict) -> list[str]:
    """The quotes, checked against the plain-text answer: each line ends with its citation."""
    lines = [line[2:] if line.startswith("- ") else line for line in out["answer"].splitlines()
             if line and not line.endswith(":")]
    assert len(lines) == len(out["quotes"])
    for line, q in zip(lines, out["quotes"]):
        assert line.startswith(q["text"]) and CITATION.search(line), line
    return [q["text"] for q in out["quotes"]]


def test_answer_is_quoted_cited_and_deduplicated(service: Service) -> None:
    out = service.ask("How did the removal of neighbourhood officers affect organised crime?")
    assert set(out) >= {"question", "type", "scope", "lead", "quotes", "answer", "evidence", "graph"}
    assert set(out["graph"]) == {"nodes", "edges"}
    sentences = _answer_sentences(out)
    assert out["lead"] == out["quotes"][0]
    assert sentences and len(sentences) == len(set(sentences))
    passages = [e["text"] for e in out["evidence"]]
    for s in sentences:
        assert any(s in p for p in passages), s
    for e in out["evidence"]:
        assert e["quotes"] and all(q in e["text"] for q in e["quotes"])
    assert any("removal of neighbourhood officers" in s for s in sentences)


def test_answer_groups_by_year_older_first(service: Service) -> None:
    out = service.ask("What changed for neighbourhood officers and organised crime between 2015 and 2019?")
    assert out["type"] == "compare"
    years = [q["year"] for q in out["quotes"]]
    assert set(years) == {"2015", "2018/19"} and years[1:] == sorted(years[1:])


def test_no_evidence_answer(service: Service) -> None:
    out = service.ask("purple elephant banana recipe")
    assert out["answer"] == NO_ANSWER and out["evidence"] == []


def test_graph_provider_is_used_when_present(service: Service) -> None:
    calls = []

    def subgraph_for(ids: list[str]) -> dict:
        calls.append(ids)
        return {"nodes": [{"id": "a", "label": "A", "type": "unit"}],
                "edges": [{"source": "a", "target": "a", "type": "affects", "evidence": ids[:1]}]}

    service.subgraph_for = subgraph_for  # the graph engineer's provider, as the Service will expose it
    try:
        out = service.ask("removal of neighbourhood officers organised crime")
    finally:
        del service.subgraph_for
    assert calls and out["graph"]["nodes"][0]["id"] == "a"


def test_question_plan() -> None:
    reports = {"north-2018-19": {"year": "2018/19", "year_end": 2019}, "south-2015": {"year": "2015", "year_end": 2015}}
    assert analyse("Why do cases wait over the weekend?", reports).kind == "why"
    assert analyse("How many crime files showed good victim care?", reports).answer_type == "number"
    assert analyse("What was recommended about organised crime?", reports).kind == "recommendation"
    plan = analyse("What changed between 2015 and 2019 in domestic abuse?", reports)
    assert plan.kind == "compare" and plan.years == (2015, 2019) and plan.scope == ("south-2015", "north-2018-19")


def test_cli_search_and_ask(service: Service, capsys, monkeypatch) -> None:
    import json

    from api import cli
    from api.settings import get_settings

    monkeypatch.setenv("PEELGRAPH_STORE", str(service.settings.store))
    monkeypatch.setenv("PEELGRAPH_ENCODER", "hash")
    get_settings.cache_clear()
    try:
        assert cli.main(["search", "MARAC", "--k", "2", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["mode"] == "hybrid" and len(out["hits"]) == 2
        assert cli.main(["search", "MARAC", "--mode", "keyword", "--year", "2019"]) == 0
        assert "north-2018-19-p0000" in capsys.readouterr().out
        assert cli.main(["ask", "purple elephant banana recipe"]) == 0
        assert NO_ANSWER in capsys.readouterr().out
        assert cli.main(["search", " "]) == 2
        assert cli.main(["search", "crime", "--mode", "fuzzy"]) == 2
    finally:
        get_settings.cache_clear()
