"""Incremental updates: after an ingest, a re-ingest and a delete, the search snapshot and the knowledge graph
moved on by the changed report equal those a full reload builds, and unchanged parts are not reloaded."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from api.service import Service
from graph import build as knowledge
from graph.store import Store
from search.index import Snapshot, VectorIndex

QUERIES = ["victim care in crime file reviews", "organised crime groups", "neighbourhood officers",
           "recommendations about domestic abuse"]


def _later(text: str, years: int) -> str:
    """The same force inspected ``years`` later: every year moved on, so reports link across years."""
    return re.sub(r"\b(20[012]\d)\b", lambda m: str(int(m.group(1)) + years), text)


def _graph_state(G: nx.MultiDiGraph) -> tuple[Any, ...]:
    knowledge.ensure_communities(G)
    nodes = {n: json.dumps(d, sort_keys=True, default=str) for n, d in G.nodes(data=True)}
    edges = sorted((s, t, k, json.dumps(d, sort_keys=True)) for s, t, k, d in G.edges(keys=True, data=True))
    known = knowledge.facts(G)
    return nodes, edges, dict(known.passage_themes), dict(known.passage_questions)


def _snapshot_state(snap: Snapshot) -> tuple[Any, ...]:
    return (snap.rowids.tolist(), snap.ids, snap.report_ids, snap.kinds, snap.ordinals.tolist(), snap.sections,
            snap.paragraphs, snap.pages, snap.texts, snap.units, snap.matrix.tobytes(), snap.reports, snap.pos,
            snap.pos_by_id, snap.defined_acronyms)


def _assert_like_full_reload(svc: Service) -> None:
    fresh = Service(svc.settings)  # nothing in memory: everything loaded from the store
    assert _snapshot_state(svc.search_engine.index.snapshot()) == _snapshot_state(
        fresh.search_engine.index.snapshot())
    assert _graph_state(svc.knowledge()) == _graph_state(knowledge.build(svc.store))
    for q in QUERIES:
        assert svc.search(q, k=10) == fresh.search(q, k=10)
    assert svc.ask(QUERIES[0]) == fresh.ask(QUERIES[0])
    assert svc.crosscutting(20) == fresh.crosscutting(20)


@pytest.fixture()
def variant(tmp_path: Path, corpus_files: dict[str, Path]) -> Path:
    path = tmp_path / "later.txt"
    path.write_text(_later(corpus_files["2018/19"].read_text(encoding="utf-8"), 3), encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def service(request: pytest.FixtureRequest, tmp_path: Path, make_settings: Any) -> Service:
    """An empty store on either backend."""
    settings = make_settings(tmp_path / "store")
    if request.param == "postgres":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("pg_url")})
    return Service(settings)


def test_updates_equal_a_full_reload(service: Service, variant: Path) -> None:
    svc = service
    svc.build()
    before_graph, before_snap = svc.knowledge(), svc.search_engine.index.snapshot()
    rid = svc.ingest([variant])[0]["report_id"]
    after_graph, after_snap = svc.knowledge(), svc.search_engine.index.snapshot()
    # moved on, not reloaded: the unchanged reports' rows and nodes are the very objects of the old snapshot
    kept = before_snap.pos_by_id[before_snap.ids[0]]
    assert after_snap.texts[after_snap.pos_by_id[before_snap.ids[kept]]] is before_snap.texts[kept]
    assert rid not in before_snap.reports and rid in after_snap.reports
    untouched = next(n for n, d in before_graph.nodes(data=True) if d["type"] == "finding")
    assert after_graph.nodes[untouched] is before_graph.nodes[untouched]
    assert f"report:{rid}" in after_graph and f"report:{rid}" not in before_graph
    assert any(d["type"] in ("recurs", "metric_change") and rid in {e["report_id"] for e in d["evidence"]}
               for _, _, d in after_graph.edges(data=True))  # cross-report links to the earlier inspection
    _assert_like_full_reload(svc)

    variant.write_text(variant.read_text(encoding="utf-8").replace(" not ", " never ", 3), encoding="utf-8")
    assert svc.ingest([variant])[0]["status"] == "replaced"
    _assert_like_full_reload(svc)

    held, graph = svc.search_engine.index.snapshot(), svc.knowledge()
    assert svc.ingest([variant])[0]["status"] == "unchanged"  # a write that changes nothing: same objects
    assert svc.search_engine.index.snapshot().texts is held.texts and svc.knowledge() is graph

    svc.delete(rid)
    assert f"report:{rid}" not in svc.knowledge()
    _assert_like_full_reload(svc)
    # the graph before the writes is as it was: readers holding it never saw it change
    assert _graph_state(before_graph) == _graph_state(knowledge.build(svc.store))


def test_change_log_says_what_changed(tmp_path: Path, corpus_reports: dict[str, Any]) -> None:
    store = Store(tmp_path / "s")
    g0 = store.generation()
    a, b = corpus_reports["2015"], corpus_reports["2018/19"]
    store.put_report(a)
    store.put_report(b)
    store.put_report(a)  # unchanged: logged, names no report
    assert store.changes(g0, store.generation()) == sorted([a.report_id, b.report_id])
    g1 = store.generation()
    assert store.changes(g1 - 1, g1) == []
    store.delete_report(b.report_id)
    assert store.changes(g1, store.generation()) == [b.report_id]
    with store.write():  # a write that logs nothing: the log no longer accounts for every generation
        pass
    assert store.changes(g1, store.generation()) is None
    assert store.changes(store.generation(), g1) is None


def test_snapshot_reloads_whole_when_the_log_has_a_gap(tmp_path: Path, corpus_reports: dict[str, Any]) -> None:
    from search.encoders import get_encoder

    store = Store(tmp_path / "s")
    index = VectorIndex(store, get_encoder("hash"))
    store.put_report(corpus_reports["2015"], extra=index.on_put)
    first = index.snapshot()
    with store.write():
        pass
    store.put_report(corpus_reports["2018/19"], extra=index.on_put)
    second = index.snapshot()
    assert second.texts[0] is not first.texts[0]  # reloaded, not moved on
    assert _snapshot_state(second) == _snapshot_state(VectorIndex(store, get_encoder("hash")).snapshot())


def test_readers_keep_the_old_views_while_another_thread_moves_them_on(empty_service: Service,
                                                                       variant: Path) -> None:
    svc = empty_service
    svc.build()
    graph, snap = svc.knowledge(), svc.search_engine.index.snapshot()
    rid = Service(svc.settings).ingest([variant])[0]["report_id"]  # another process writes
    with svc._graph_lock, svc.search_engine.index._lock:  # as while another thread is moving them on
        assert svc.knowledge() is graph and svc.search_engine.index.snapshot() is snap  # not blocked
    assert f"report:{rid}" in svc.knowledge() and rid in svc.search_engine.index.snapshot().reports


def _graph_hook(entities: list[str], mentioned: list[str], relation: str | None = None) -> Any:
    """A write's graph hook with hand-made rows: ``entities``, of which ``mentioned`` are mentioned by the
    report's first passage, and a relation between the first two evidenced there."""
    def hook(con: Any, report: Any) -> None:
        Store.drop_orphans(con)
        p = report.passages[0]
        rid = report.report_id
        rows: dict[str, list[tuple[Any, ...]]] = {
            "entities": [(e, "unit", e, None, "{}") for e in entities],
            "mentions": [(e, rid, p.passage_id, 0, 1, p.text[:1]) for e in mentioned]}
        if relation:
            rows["relations"] = [(relation, "affects", entities[0], entities[1], "negative", "test")]
            rows["evidence"] = [(relation, rid, p.passage_id, p.text[:20], "negative", "test")]
        Store.put_graph(con, rows)
        Store.note_orphans(con, entities)
    return hook


def _orphans_looked_for(store: Store) -> list[str]:
    return sorted(r[0] for r in store.con.execute(
        "SELECT entity_id FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)"))


def _ids(store: Store, table: str) -> list[str]:
    column = "entity_id" if table == "entities" else "relation_id"
    return sorted(r[0] for r in store.con.execute(f"SELECT {column} FROM {table}"))


def test_orphans_noted_by_each_write_are_those_a_full_scan_finds(service: Service,
                                                                corpus_reports: dict[str, Any]) -> None:
    """A write checks only the rows the removed report held up and the entities the write before it left
    without mentions; the store ends as checking every row would leave it, on both backends."""
    store = service.store
    a, b = corpus_reports["2015"], corpus_reports["2018/19"]
    store.put_report(a, extra=_graph_hook(["unit:e1", "unit:e2", "unit:e4"], ["unit:e1", "unit:e4"], "rel:a"))
    assert store.orphan_entities() == _orphans_looked_for(store) == ["unit:e2"]
    store.put_report(b, extra=_graph_hook(["unit:e1", "unit:e3"], ["unit:e1"]))
    assert store.orphan_entities() == _orphans_looked_for(store) == ["unit:e3"]  # e2 went with this write
    assert store.put_report(b) == "unchanged"  # changes nothing: the noted orphans still hold
    assert store.orphan_entities() == _orphans_looked_for(store) == ["unit:e3"]
    store.delete_report(a.report_id, extra=lambda con, rid: Store.drop_orphans(con))
    assert store.orphan_entities() == _orphans_looked_for(store) == []
    assert _ids(store, "entities") == ["unit:e1"]  # still mentioned by b; e4 was a's alone, e3 an orphan
    assert _ids(store, "relations") == []  # its only evidence was a's
    with store.write() as con:  # a write that notes nothing leaves a stray row: the next one looks at every row
        con.execute("INSERT INTO entities VALUES ('unit:e9', 'unit', 'e9', NULL, '{}')")
    assert store.orphan_entities() == ["unit:e9"]
    store.put_report(a, extra=_graph_hook(["unit:e5", "unit:e6"], ["unit:e5", "unit:e6"], "rel:b"))
    assert store.orphan_entities() == _orphans_looked_for(store) == []
    assert _ids(store, "entities") == ["unit:e1", "unit:e5", "unit:e6"]
    assert _ids(store, "relations") == ["rel:b"]


def test_a_force_coming_and_going_updates_as_a_full_reload(service: Service, corpus_files: dict[str, Path],
                                                          corpus_reports: dict[str, Any], tmp_path: Path) -> None:
    """When a force's name comes or goes, the recurs rule's left-out words change: the forces whose weaknesses
    say those words are recomputed (found without reading the store), the others kept."""
    from graph.ingest.metadata import gazetteer_forces
    from graph.snapshot import _CopyOnWrite, _forces_saying
    from graph.text import key_words

    svc = service
    svc.build()
    first = corpus_reports["2015"].meta.force
    other = next(f for f in gazetteer_forces() if f != first and f.endswith(" Police"))
    paths = []
    for years, name in ((4, "other-a.txt"), (7, "other-b.txt")):
        path = tmp_path / name  # the other force's reports, some years on
        path.write_text(_later(corpus_files["2018/19"].read_text(encoding="utf-8"), years).replace(first, other),
                        encoding="utf-8")
        paths.append(path)
    before = svc.knowledge().graph["index"].force_words
    svc.ingest(paths)
    G = svc.knowledge()
    assert G.graph["index"].force_words != before  # the other force's words came
    _assert_like_full_reload(svc)
    own = {f: set(key_words(f)) - set(key_words(first if f == other else other)) for f in (first, other)}
    for force, words in own.items():  # each force's weaknesses name its own area, not the other's
        assert _forces_saying(_CopyOnWrite(G), G.graph["index"], words) == {force}
    assert _forces_saying(_CopyOnWrite(G), G.graph["index"], {"zzzz"}) == set()
    for report in corpus_reports.values():  # the first force goes: its words are no longer left out
        svc.delete(report.report_id)
    assert not set(before) <= set(svc.knowledge().graph["index"].force_words)
    _assert_like_full_reload(svc)
