"""SQLite statements as the PostgreSQL store runs them (graph/pg/sql.py), and rows read as sqlite3.Row."""
from __future__ import annotations

import pytest

from graph.errors import StoreError
from graph.pg.schema import base_tables
from graph.pg.sql import Row, translate


def test_placeholders_become_psycopg_ones_outside_quotes() -> None:
    sql = "SELECT 'a?b', \"odd?col\" FROM t WHERE x=? AND y IN (?,?)"
    assert translate(sql) == "SELECT 'a?b', \"odd?col\" FROM t WHERE x=%s AND y IN (%s,%s)"


def test_percent_signs_are_escaped_only_when_there_are_parameters() -> None:
    assert translate("SELECT * FROM t WHERE a LIKE '10%' AND b=?") == "SELECT * FROM t WHERE a LIKE '10%%' AND b=%s"
    assert translate("SELECT * FROM t WHERE a LIKE '10%'", has_params=False) == "SELECT * FROM t WHERE a LIKE '10%'"


def test_insert_or_ignore_becomes_on_conflict_do_nothing() -> None:
    out = translate("INSERT OR IGNORE INTO entities VALUES (?,?,?);")
    assert out == "INSERT INTO entities VALUES (%s,%s,%s) ON CONFLICT DO NOTHING"
    assert translate("insert or ignore into x(a) values (?)").endswith("ON CONFLICT DO NOTHING")
    # a plain insert is left as it is
    assert translate('INSERT INTO mentions VALUES (?,?)') == 'INSERT INTO mentions VALUES (%s,%s)'


def test_insert_or_replace_is_refused_rather_than_guessed() -> None:
    with pytest.raises(StoreError):
        translate("INSERT OR REPLACE INTO t VALUES (?)")


def test_rows_read_by_position_name_and_as_dict() -> None:
    row = Row.factory(("a", "b"))([1, "x"])
    assert row[0] == 1 and row["b"] == "x" and dict(row) == {"a": 1, "b": "x"}
    a, b = row
    assert (a, b) == (1, "x")
    assert not hasattr(row, "__dict__")  # a row costs what its tuple costs
    with pytest.raises(IndexError):
        row["c"]


def test_schema_translation_keeps_every_table_and_drops_fts5() -> None:
    ddl = base_tables()
    tables = [s.split()[5] for s in ddl if s.startswith("CREATE TABLE")]
    assert {"reports", "passages", "items", "embeddings", "entities", "relations", "evidence"} <= set(tables)
    joined = "\n".join(ddl)
    assert "fts5" not in joined.lower() and "TRIGGER" not in joined and "BLOB" not in joined
    assert 'report_id TEXT COLLATE "C" PRIMARY KEY' in joined


def test_keyword_ranking_reads_the_rarer_phrases_matches_within_a_budget() -> None:
    from graph.pg.bm25 import ranked_phrases

    df = {"rare": 50, "uncommon": 900, "common": 5000, "everywhere": 30000}
    phrases = ["everywhere", "common", "rare", "uncommon"]
    assert ranked_phrases(phrases, df, wanted=400, budget=2000) == {"rare", "uncommon"}
    # too few passages for the results asked for: commoner phrases are added past the budget
    assert ranked_phrases(phrases, df, wanted=1000, budget=2000) == {"rare", "uncommon", "common"}
    # a small store ranks every match
    assert ranked_phrases(phrases, df, wanted=400, budget=100000) == set(phrases)
    assert ranked_phrases(["everywhere"], df, wanted=400, budget=10) == {"everywhere"}


def test_a_delete_of_rows_not_in_a_subquery_becomes_an_anti_join() -> None:
    sql = "DELETE FROM relations WHERE relation_id NOT IN (SELECT relation_id FROM evidence)"
    assert translate(sql, has_params=False) == ("DELETE FROM relations WHERE NOT EXISTS (SELECT 1 FROM evidence "
                                                "WHERE evidence.relation_id = relations.relation_id)")
    # other statements are left as they are
    assert translate("SELECT a FROM t WHERE x NOT IN (SELECT y FROM u)", has_params=False) == \
        "SELECT a FROM t WHERE x NOT IN (SELECT y FROM u)"
