"""The next knowledge-graph snapshot: a built graph moved on by the reports one or more writes changed.

``update`` gives the graph ``graph.build.build`` would give for the store as it is now, but reads and
rebuilds only what the changed reports touch: their report and finding nodes, the entities they mention
(or mentioned), the relations they evidence (or evidenced), and the cross-report edges of their forces
(every such edge joins two reports of one force). The new graph shares the old one's unchanged node and
edge attribute dicts and copies every container it changes, so a reader holding the old graph never sees
it move (copy-on-write); the caller swaps the new one in whole.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import networkx as nx

from graph.build import (GraphFacts, GraphIndex, cross_groups, entity_attrs, finding_attrs, finding_of, force_of,
                         report_attrs)
from graph.cross_report import cross_report_edges, edge_attrs
from graph.store import Store
from graph.text import key_words


class _CopyOnWrite:
    """A new MultiDiGraph over another one's dicts: each node's adjacency is copied before it changes."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        H = nx.MultiDiGraph()
        H.graph.update(G.graph)
        H._node = dict(G._node)
        H._adj = dict(G._succ)  # sets _succ too
        H._pred = dict(G._pred)
        self.H = H
        self.old = G
        self._own: set[tuple[str, str]] = set()  # (side, node) whose adjacency dict is H's own
        self.added: set[str] = set()  # nodes set that the old graph did not have (read without a scan)

    def _side(self, side: str, n: str) -> dict[str, dict[str, Any]]:
        table = self.H._succ if side == "succ" else self.H._pred
        if (side, n) not in self._own:
            table[n] = dict(table[n])
            self._own.add((side, n))
        return table[n]

    def set_node(self, n: str, attrs: dict[str, Any]) -> None:
        if n not in self.old._node:
            self.added.add(n)
        if n not in self.H._node:
            self.H._succ[n], self.H._pred[n] = {}, {}
            self._own |= {("succ", n), ("pred", n)}
        self.H._node[n] = attrs

    def remove_node(self, n: str) -> None:
        if n not in self.H._node:
            return
        for v in list(self.H._succ[n]):
            for key in list(self.H._succ[n].get(v, ())):
                self.remove_edge(n, v, key)
        for u in list(self.H._pred[n]):
            for key in list(self.H._pred[n].get(u, ())):
                self.remove_edge(u, n, key)
        del self.H._node[n], self.H._succ[n], self.H._pred[n]

    def add_edge(self, u: str, v: str, key: str, attrs: dict[str, Any]) -> None:
        keys = dict(self.H._succ[u].get(v, {}))
        keys[key] = attrs
        self._side("succ", u)[v] = keys
        self._side("pred", v)[u] = keys

    def remove_edge(self, u: str, v: str, key: str) -> None:
        if u not in self.H._succ or key not in self.H._succ[u].get(v, {}):
            return
        keys = {k: d for k, d in self.H._succ[u][v].items() if k != key}
        if keys:
            self._side("succ", u)[v] = keys
            self._side("pred", v)[u] = keys
        else:
            del self._side("succ", u)[v]
            del self._side("pred", v)[u]

    def edge(self, u: str, v: str, key: str, old: bool = False) -> dict[str, Any] | None:
        """The attributes of edge (u, v, key) in the new graph (or the ``old`` one), None if it has none."""
        nbrs = (self.old._succ if old else self.H._succ).get(u)
        keys = nbrs.get(v) if nbrs is not None else None
        return keys.get(key) if keys is not None else None


def update(G: nx.MultiDiGraph, store: Store, changed: list[str]) -> nx.MultiDiGraph | None:
    """``G`` moved on by the ``changed`` reports (added, replaced or deleted); None if ``G`` was not built by
    ``graph.build.build`` (no index), in which case the caller builds the graph whole."""
    old = G.graph.get("index")
    if not isinstance(old, GraphIndex):
        return None
    if not changed:
        return G
    reports = {r["report_id"]: r for r in store.reports()}
    cow = _CopyOnWrite(G)
    passages = _update_reports(cow, store, changed, reports)
    findings = _update_findings(cow, store, changed, old)
    mentions = store.graph_rows("mentions", "report_id", changed)
    touched = set().union(*(old.entities.get(r, ()) for r in changed)) | {m[0] for m in mentions} | old.orphans
    orphans = set(store.orphan_entities())
    _update_entities(cow, store, sorted(touched | orphans), mentions, set(changed))
    relations = _update_relations(cow, store, changed, old)
    entities = {r: frozenset(ids) for r, ids in _group((m[1], m[0]) for m in mentions).items()}
    index = replace(
        old, entities=_merge(old.entities, changed, entities), relations=_merge(old.relations, changed, relations),
        findings=_merge(old.findings, changed, findings), passages=_merge(old.passages, changed, passages),
        forces={rid: force_of(r) for rid, r in reports.items()},
        force_words=frozenset(w for r in reports.values() for w in key_words(force_of(r))),
        orphans=frozenset(n for n in touched | orphans if n in cow.H._node and not cow.H._node[n]["mentions"]))
    index = _update_cross(cow, store, changed, old, index, reports)
    cow.H.graph["index"] = index
    cow.H.graph["facts"] = _update_facts(G, store, changed, old, passages)
    return cow.H


def _group(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(key, value) pairs as key -> values, in order."""
    out: dict[str, list[str]] = defaultdict(list)
    for rid, x in pairs:
        out[rid].append(x)
    return out


def _merge(old: Mapping[str, Any], changed: list[str], new: Mapping[str, Any]) -> dict[str, Any]:
    """A per-report map with the changed reports' entries replaced (a deleted report's dropped)."""
    out = {rid: v for rid, v in old.items() if rid not in changed}
    out.update({rid: v for rid, v in new.items() if rid in changed})
    return out


def _update_reports(cow: _CopyOnWrite, store: Store, changed: list[str],
                    reports: dict[str, dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Report nodes of the changed reports; returns their passage ids."""
    out: dict[str, tuple[str, ...]] = {}
    for rid in changed:
        if rid not in reports:
            cow.remove_node(f"report:{rid}")
            continue
        out[rid] = tuple(p.passage_id for p in store.passages(rid))
        cow.set_node(f"report:{rid}", report_attrs(rid, reports[rid], out[rid][0] if out[rid] else None))
    return out


def _update_findings(cow: _CopyOnWrite, store: Store, changed: list[str],
                     old: GraphIndex) -> dict[str, tuple[str, ...]]:
    """Finding nodes of the changed reports; returns their ids by report."""
    new = [finding_of(row) for row in store.graph_rows("findings", "report_id", changed)]
    keep = {f.id for f in new}
    for rid in changed:
        for fid in old.findings.get(rid, ()):
            if fid not in keep:
                cow.remove_node(fid)
    for f in new:
        cow.set_node(f.id, finding_attrs(f))
    return {rid: tuple(ids) for rid, ids in _group((f.report_id, f.id) for f in new).items()}


def _update_entities(cow: _CopyOnWrite, store: Store, ids: list[str], mentions: list[Any], changed: set[str]) -> None:
    """Entity nodes the changed reports mention (or mentioned), and those left without mentions."""
    rows = {r[0]: r for r in store.graph_rows("entities", "entity_id", ids)}
    aliases: dict[str, set[str]] = defaultdict(set)
    for eid, alias in store.graph_rows("entity_aliases", "entity_id", ids):
        aliases[eid].add(alias)
    added: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for eid, rid, pid, a, b, surface in mentions:  # in the store's order (entity, report, passage, start)
        added[eid][rid].append({"report_id": rid, "passage_id": pid, "start": a, "end": b, "surface": surface})
    for eid in ids:
        row = rows.get(eid)
        if row is None:
            cow.remove_node(eid)
            continue
        before = cow.H._node.get(eid)
        new = added.get(eid, {})
        ms = _replace_reports(before["mentions"] if before else [], changed, new)
        reports = sorted((set(before["reports"]) - changed if before else set()) | set(new))
        cow.set_node(eid, entity_attrs(eid, row[1], row[2], row[3], row[4], aliases.get(eid, ()), ms, reports))


def _replace_reports(items: list[dict[str, Any]], changed: Iterable[str],
                     new: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A new list: ``items`` (sorted by report id, as the store reads them) with each changed report's run
    replaced by its ``new`` one. Found by bisection, so a node that every report mentions (a theme, the
    inspectorate) costs a copy, not a pass in Python over all its mentions."""
    out = list(items)
    for rid in sorted(changed):
        lo, hi = bisect_left(out, rid, key=_report_of), bisect_right(out, rid, key=_report_of)
        out[lo:hi] = new.get(rid, [])
    return out


def _report_of(item: Mapping[str, Any]) -> str:
    return item["report_id"]


def _within_report(ev: Mapping[str, str]) -> tuple[str, str]:
    """The store's order of one relation's evidence within a report."""
    return ev["passage_id"], ev["quote"]


def _update_relations(cow: _CopyOnWrite, store: Store, changed: list[str],
                      old: GraphIndex) -> dict[str, dict[str, tuple[str, str]]]:
    """Edges of the relations the changed reports evidence (or evidenced), and of any relation touching a node
    that is new to the graph; returns relation id -> ends by report, for the changed reports."""
    ends: dict[str, tuple[str, str]] = {}
    for rid in changed:
        ends.update(old.relations.get(rid, {}))
    fresh: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for rel, pid, report_id, quote in store.graph_rows("evidence", "report_id", changed):
        fresh[rel][report_id].append({"passage_id": pid, "report_id": report_id, "quote": quote})
    ids = set(ends) | set(fresh)
    new_nodes = sorted(n for n in cow.added if n in cow.H._node)
    for column in ("source", "target"):
        ids |= {r[0] for r in store.graph_rows("relations", column, new_nodes)} if new_nodes else set()
    rows = {r[0]: r for r in store.graph_rows("relations", "relation_id", sorted(ids))}
    evidence = _evidence(cow, store, changed, rows, fresh)
    out: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for rel in sorted(ids):
        row = rows.get(rel)
        s, t = ends.get(rel) or ((row[2], row[3]) if row else ("", ""))
        cow.remove_edge(s, t, rel)
        if row is None:
            continue
        for report_id in fresh.get(rel, {}):
            out[report_id][rel] = (row[2], row[3])
        if row[2] in cow.H._node and row[3] in cow.H._node and evidence.get(rel):
            cow.add_edge(row[2], row[3], rel, edge_attrs(rel, row[1], row[4], row[5], evidence[rel]))
    return dict(out)


def _evidence(cow: _CopyOnWrite, store: Store, changed: list[str], rows: Mapping[str, Any],
              fresh: Mapping[str, Mapping[str, list[dict[str, str]]]]) -> dict[str, list[dict[str, str]]]:
    """Relation id -> its evidence, in the store's order (report, passage, quote). A relation that was an edge
    keeps the old edge's evidence of the other reports (a relation many reports evidence would otherwise be
    read whole again); one that was not is read from the store."""
    out: dict[str, list[dict[str, str]]] = {}
    unread = []
    for rel, row in rows.items():
        before = cow.edge(row[2], row[3], rel, old=True)
        if before is None:
            unread.append(rel)
            continue
        runs = {rid: sorted(evs, key=_within_report) for rid, evs in fresh.get(rel, {}).items()}
        out[rel] = _replace_reports(before["evidence"], changed, runs)
    for rel, pid, report_id, quote in store.graph_rows("evidence", "relation_id", sorted(unread)) if unread else ():
        out.setdefault(rel, []).append({"passage_id": pid, "report_id": report_id, "quote": quote})
    return out


def _update_cross(cow: _CopyOnWrite, store: Store, changed: list[str], old: GraphIndex, new: GraphIndex,
                  reports: dict[str, dict[str, Any]]) -> GraphIndex:
    """Cross-report edges recomputed for the forces of the changed reports, and, when a force's name came or
    went, for the forces a weakness of which says one of its words (the recurs rule leaves force names' words
    out, so only there can that change an edge)."""
    forces = {old.forces[r] for r in changed if r in old.forces} | {new.forces[r] for r in changed if r in new.forces}
    if old.force_words != new.force_words:
        forces |= _forces_saying(cow, new, set(old.force_words ^ new.force_words))
    cross = dict(old.cross)
    for force in sorted(forces):
        for s, t, key in cross.pop(force, ()):
            cow.remove_edge(s, t, key)
    for force in sorted(forces):
        scope = {rid: r for rid, r in reports.items() if force_of(r) == force}
        if not scope:
            continue
        findings = [finding_of(row) for row in store.graph_rows("findings", "report_id", sorted(scope))]
        edges = [(s, t, d) for rid in scope for rel, (s, t) in new.relations.get(rid, {}).items()
                 if (d := cow.edge(s, t, rel)) is not None]
        metrics = sorted({n for rid in scope for n in new.entities.get(rid, ()) if n in cow.H._node})
        found = cross_report_edges(cow.H, findings, scope, set(new.force_words), edges, metrics)
        for s, t, key, attrs in found:
            cow.add_edge(s, t, key, attrs)
        for group, es in cross_groups(found, reports).items():
            cross[group] = cross.get(group, ()) + tuple((s, t, key) for s, t, key, _ in es)
    return replace(new, cross=cross)


def _forces_saying(cow: _CopyOnWrite, index: GraphIndex, words: set[str]) -> set[str]:
    """The forces with a weakness finding whose words (``key_words``) include one of ``words``. A finding's
    text is first searched for them as they are: a word it holds is in its text (plural folded or not)."""
    out: set[str] = set()
    for rid, fids in index.findings.items():
        force = index.forces.get(rid, "")
        for fid in fids if force not in out else ():
            d = cow.H._node[fid]["data"]
            low = d["text"].lower().replace("’", "'")
            if d["polarity"] == "weakness" and any(w in low for w in words) and key_words(d["text"]) & words:
                out.add(force)
                break
    return out


def _update_facts(G: nx.MultiDiGraph, store: Store, changed: list[str], old: GraphIndex,
                  passages: dict[str, tuple[str, ...]]) -> GraphFacts:
    """Passage themes and questions with the changed reports' passages replaced (communities: to compute)."""
    before = G.graph["facts"]
    gone = [pid for rid in changed for pid in old.passages.get(rid, ())]
    themes, questions = dict(before.passage_themes), dict(before.passage_questions)  # copied in C
    for pid in gone:  # then only the changed reports' passages are visited, not every passage
        themes.pop(pid, None)
        questions.pop(pid, None)
    for pid, ts in _group((pid, theme) for pid, theme in
                              store.graph_rows("passage_themes", "report_id", changed)).items():
        themes[pid] = tuple(ts)
    for rid in passages:
        questions.update({p.passage_id: p.question for p in store.passages(rid)})
    return GraphFacts(MappingProxyType(themes), MappingProxyType(questions))
