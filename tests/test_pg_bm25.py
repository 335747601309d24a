"""PostgreSQL keyword ranking is SQLite's: the same BM25 over the same tokens (graph/pg/bm25.py, migration 6).

The same reports go into a SQLite store (FTS5 ``bm25()``) and a PostgreSQL store; the same keyword
expressions must rank the same passages in the same order with the same scores, before and after a
delete, after an upgrade from schema version 5, and after migration 6 runs again.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.ingest.load import load_bytes
from graph.ingest.pipeline import build_report
from graph.pg import bm25, schema
from graph.records import Report
from graph.store import Store
from graph.stores import open_store
from search.question import analyse
from search.retrieve import fts_expression

REPORTS = {
    "dorset.txt": """PEEL: Police effectiveness 2016 – Dorset Police
How effective is the force at preventing crime and keeping people safe?
Dorset Police works with district councils to reduce anti-social behaviour in town centres. Neighbourhood officers
patrol the areas residents name, and residents told us they see officers often.
The force used its problem-solving approach well. Officers used it to tackle anti-social behaviour and nuisance
in 2018/19, and the well-led teams shared what worked with partners.
How effective is the force at investigating crime?
Investigations are well supervised. Victims are kept informed, although some victims told us updates were slow.
Officers use body-worn video; the force has possibly the best use of it in the region.
""",
    "essex.txt": """PEEL: Police effectiveness 2017 – Essex Police
How effective is the force at protecting vulnerable people?
Officers complete risk assessments for every domestic abuse incident. Risk assessments are checked by supervisors.
Multi-agency risk assessment conferences meet weekly; partner agencies share information about victims of
domestic abuse, and the force uses technology to record repeat victims.
Neighbourhood teams know the vulnerable people in their areas. Call handlers identify repeat callers.
How effective is the force at tackling serious and organised crime?
The force disrupts organised crime groups with partners. Organised crime group mapping is up to date.
""",
    "surrey.txt": """PEEL: Police effectiveness 2018/19 – Surrey Police
How effective is the force at responding to calls for service?
Call handlers in the control room answer emergency calls quickly. The control room uses a structured triage
tool, and call handlers use it to assess how vulnerable a caller is.
Response officers attend emergency calls within the target time in most cases. The force is possibly short of
response officers at weekends, when calls rise.
How well does the force use technology?
The force uses mobile technology so officers can update crime records away from the station. Its technological
plans are well led and officers told us the devices help them.
""",
}
QUESTIONS = [
    "How did neighbourhood officers tackle anti-social behaviour?",
    "Were call handlers in the control room using a triage tool for vulnerable callers?",
    "Did risk assessments for domestic abuse get checked?",
    "What technology do officers use?",
    "Was the force possibly short of response officers?",
    "Who told us that victims were updated slowly?",
    "How are organised crime groups disrupted?",
]


def reports() -> list[Report]:
    return [build_report(load_bytes(text.encode("utf-8"), name)) for name, text in REPORTS.items()]


def expressions() -> list[str]:
    out = [fts_expression(p.terms, p.phrases) for p in (analyse(q) for q in QUESTIONS)]
    out += ['"officers"', '"used"', '"call handlers" OR "emergency calls"', '"well led" OR "told us"', '"2018"']
    return [e for e in out if e]


def ranking(store: Store, expression: str, limit: int = 10) -> list[tuple[str, float]]:
    """(passage id, score), best first, as the store's keyword search returns them."""
    ids = {int(r[0]): r[1] for r in store.con.execute("SELECT rowid, passage_id FROM passages")}
    scores = store.keyword_scores(expression, limit)
    return [(ids[r], s) for r, s in sorted(scores.items(), key=lambda kv: (-kv[1], ids[kv[0]]))]


def assert_same_rankings(lite: Store, pg: Store, limit: int = 10) -> None:
    for expression in expressions():
        a, b = ranking(lite, expression, limit), ranking(pg, expression, limit)
        assert [p for p, _ in b] == [p for p, _ in a], expression
        assert [s for _, s in b] == pytest.approx([s for _, s in a], rel=1e-9), expression
        assert a, expression  # every expression matches something: the comparison says something


def stats_recounted(pg: Any) -> None:
    """The statistics the triggers keep equal a count from scratch."""
    kept = {r[0]: r[1] for r in pg.con.execute("SELECT lexeme, docs FROM keyword_lexemes WHERE docs > 0")}
    counted = {r[0]: r[1] for r in pg.con.execute(
        "SELECT w, count(*) FROM passages_fts, unnest(tsvector_to_array(tsv)) AS w GROUP BY w")}
    assert kept == counted and counted
    assert pg.con.execute("SELECT count(*) FROM keyword_pending").fetchone()[0] == 0  # folded at commit
    totals = pg.con.execute("SELECT passages, tokens FROM keyword_totals").fetchone()
    assert tuple(totals) == tuple(pg.con.execute("SELECT count(*), sum(len) FROM passages_fts").fetchone())


@pytest.fixture()
def stores(tmp_path: Path, pg_url: str):  # type: ignore[no-untyped-def]
    lite, pg = open_store(tmp_path / "store"), open_store(tmp_path / "unused", pg_url)
    for rep in reports():
        lite.put_report(rep)
        pg.put_report(rep)
    yield lite, pg
    lite.close()
    pg.close()


def test_same_keyword_query_ranks_the_same_passages_the_same_way(stores) -> None:  # type: ignore[no-untyped-def]
    lite, pg = stores
    assert_same_rankings(lite, pg)
    words = ["officers", "used", "us", "technology", "technological", "possibly", "led", "2018", "absent"]
    assert pg.doc_freq(words) == lite.doc_freq(words)
    stats_recounted(pg)


def test_rankings_and_statistics_follow_a_delete(stores) -> None:  # type: ignore[no-untyped-def]
    lite, pg = stores
    report_id = reports()[1].report_id
    lite.delete_report(report_id)
    pg.delete_report(report_id)
    assert_same_rankings(lite, pg)
    stats_recounted(pg)
    assert pg.doc_freq(["domestic"]) == lite.doc_freq(["domestic"]) == {"domestic": 0}


def test_a_large_store_ranks_only_the_rarer_phrases_matches_with_full_scores(
        stores, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    lite, pg = stores
    from graph.pg import store as pg_store

    monkeypatch.setattr(pg_store, "RANK_BUDGET", 1)  # every store is "large": budget = 5 x limit
    expression = '"officers" OR "triage"'
    full = dict(ranking(lite, expression, 50))
    got = ranking(pg, expression, 1)
    # "triage" is the rarer word: its one passage is ranked, scored on both words as SQLite scores it
    assert len(got) == 1 and got[0][1] == pytest.approx(full[got[0][0]], rel=1e-9)
    assert "triage" in pg.con.execute("SELECT text FROM passages WHERE passage_id = ?", (got[0][0],)).fetchone()[0]


def test_migration_6_upgrades_a_version_5_store_and_runs_again_harmlessly(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lite = open_store(tmp_path / "store")
    for rep in reports():
        lite.put_report(rep)
    with monkeypatch.context() as m:  # a store made by the previous version
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
        m.setattr(schema, "LATEST", 5)
        old = open_store(tmp_path / "unused", pg_url)
        for rep in reports():
            old.put_report(rep)
        assert old.con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 5
        old.close()
    pg = open_store(tmp_path / "unused", pg_url)  # migration 6 re-indexes what is stored
    assert pg.con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == schema.LATEST
    assert_same_rankings(lite, pg)
    stats_recounted(pg)
    with pg.write() as con:  # and once more: the same index, the same statistics
        for stmt in dict(schema.MIGRATIONS)[6]:
            con.raw.execute(stmt)
    pg.close()
    pg = open_store(tmp_path / "unused", pg_url)
    assert_same_rankings(lite, pg)
    stats_recounted(pg)
    pg.close()
    lite.close()


def test_phrase_frequency_counts_text_fully_heading_less_and_never_across_their_border() -> None:
    where = bm25.positions("'call':1B,5B,9B 'handler':2B,10B 'room':6B")
    # text is words 1-9, the heading path 10 on: "call handler" at 1-2 (text) and 9-10 (across the border)
    assert bm25.frequency(("call", "handler"), where, text_len=9) == 1.0
    assert bm25.frequency(("call", "handler"), where, text_len=0) == pytest.approx(2 * bm25.SECTION_WEIGHT)
    assert bm25.frequency(("call",), where, text_len=5) == pytest.approx(2 + bm25.SECTION_WEIGHT)
    assert bm25.frequency(("absent",), where, text_len=9) == 0.0
    assert bm25.idf(10, 9) == 1e-6 and bm25.idf(10, 1) > bm25.idf(10, 3) > 0  # FTS5: never negative
    assert bm25.tsquery(["it's", "a\\b"]) == "'it''s' <-> 'a\\\\b'"


def test_counts_and_totals_come_from_one_moment_when_another_process_writes(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker holds the generation it read for a while; a word's passage count read after another
    worker's write must not be set against passage totals read before it (it can exceed them)."""
    reader, writer = open_store(tmp_path / "a", pg_url), open_store(tmp_path / "b", pg_url)
    try:
        writer.put_report(reports()[0])
        assert reader.keyword_scores('"officers"', 10)  # totals of this generation are now held
        held = reader.generation()
        monkeypatch.setattr(reader, "generation", lambda: held)  # as another process's write leaves it
        zebras = "\n".join(f"Officer team {n} patrols the zebra crossings near school {n} every morning."
                           for n in range(12))
        writer.put_report(build_report(load_bytes(
            f"PEEL: Police effectiveness 2019 – Kent Police\nHow effective is the force?\n{zebras}\n".encode(),
            "kent.txt")))
        fresh = open_store(tmp_path / "c", pg_url)
        assert fresh.doc_freq(["zebra"])["zebra"] > len(reports()[0].passages)  # more than the held total
        assert reader.keyword_scores('"zebra"', 5) == pytest.approx(fresh.keyword_scores('"zebra"', 5))
        fresh.close()
    finally:
        reader.close()
        writer.close()
