"""The knowledge graph: per-report extraction at ingest, and the networkx graph over the store.

``extract_report`` runs the stages (themes -> entities -> metrics -> findings
-> relations) on one report; ``write_report`` / ``delete_report`` are the
Service hooks that keep the graph tables in the report's own transaction.
``build`` assembles one ``networkx.MultiDiGraph`` from the tables (no SQL
here: the statements live in ``graph.store``) and adds what needs every
report at once (``graph.cross_report``). The graph is a snapshot: built once
per store change and only read afterwards; communities are added once, on
first use. ``crosscutting`` ranks issues by the spread of their evidence and
says why; ``involved`` lists who is involved (roles, units, partners).
"""
from __future__ import annotations

import json
import re
import threading
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import networkx as nx

from graph.extract import entities as ents
from graph.extract import findings as fnd
from graph.extract import relations as rels
from graph.extract import themes as thm
from graph.cross_report import Edge, add_edge, cross_report_edges
from graph.records import Report
from graph.store import Store
from graph.text import key_words

ENTITY_TYPES = ("force", "partner", "unit", "role", "programme", "legislation", "metric", "issue", "theme",
                "inspection")
NODE_TYPES = ENTITY_TYPES + ("finding", "report", "recommendation", "area_for_improvement", "cause_of_concern")
RELATION_TYPES = ("affects", "causes", "partners_with", "responsible_for", "mentions", "about_theme", "recommends",
                  "carried_over_from", "recurs", "metric_change")
COMMUNITY_SEED = 42


# ---------------------------------------------------------------------------- per-report extraction


@dataclass
class ReportGraph:
    """Everything extracted from one report, ready to be written."""

    report_id: str
    passage_themes: list[tuple[str, str, float, str]]  # passage id, theme, score, rule
    entities: dict[str, ents.Entity]
    mentions: list[tuple[str, str, int, int, str]]  # entity id, passage id, start, end, surface
    findings: list[fnd.Finding]
    relations: list[rels.Relation]
    timings: dict[str, float] = field(default_factory=dict)


def _sentence_themes(sentence: str) -> list[str]:
    return [h.theme for h in thm.tag(sentence, limit=3) if h.rule == "keyword"]


class _Laps:
    """Seconds per stage, for the benchmark."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._t = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._t
        self._t = now


def extract_report(report: Report) -> ReportGraph:
    """Every stage on one report: themes -> entities -> metrics -> findings -> relations."""
    lap = _Laps()
    pthemes: list[tuple[str, str, float, str]] = []
    themes_by_passage: dict[str, list[str]] = {}
    for p in report.passages:
        hits = thm.tag(p.text, p.section)
        themes_by_passage[p.passage_id] = [h.theme for h in hits]
        pthemes += [(p.passage_id, h.theme, h.score, h.rule) for h in hits]
    lap("themes")
    ex = ents.extract(report)
    lap("entities")
    metrics = ents.metrics(report, ex.acronyms)
    lap("metrics")
    by_passage: dict[str, list[ents.Mention]] = defaultdict(list)
    for m in ex.mentions:
        by_passage[m.passage_id].append(m)
    findings = fnd.extract(report, themes_by_passage, by_passage, _sentence_themes)
    lap("findings")
    out = rels.extract(report, ex, _sentence_themes)
    lap("relations")
    g = _assemble(report, ex, metrics, findings, out, pthemes)
    lap("assemble")
    g.timings = lap.timings
    return g


def _assemble(report: Report, ex: ents.Extraction, metrics: list[Any], findings: list[fnd.Finding],
              out: rels.Extracted, pthemes: list[tuple[str, str, float, str]]) -> ReportGraph:
    """One report's nodes, mentions and relations, with metric, finding and theme nodes added."""
    nodes: dict[str, ents.Entity] = dict(ex.entities)
    mentions = [(m.entity_id, m.passage_id, m.start, m.end, m.surface) for m in ex.mentions]
    for nid, e in out.nodes.items():
        nodes.setdefault(nid, e)
    texts = {p.passage_id: p.text for p in report.passages}
    mentions += [(nid, pid, a, b, texts[pid][a:b]) for nid, pid, a, b in out.node_mentions]
    relations = list(out.relations)
    for mt in metrics:
        nodes[mt.id] = ents.Entity(mt.id, "metric", mt.label, None, data={
            "value": mt.value, "value_text": mt.value_text, "unit": mt.unit, "measures": mt.measures,
            "period": mt.period, "key": mt.key, "report_id": mt.report_id}, source="metric")
        mentions.append((mt.id, mt.passage_id, mt.start, mt.end, texts[mt.passage_id][mt.start:mt.end]))
    for f in findings:  # findings mention their entities and concern their themes (evidence: the finding's sentence)
        ev = [rels.Evidence(f.passage_id, f.report_id, f.text)]
        relations += [rels.Relation("mentions", f.id, eid, "neutral", "finding:names-entity", ev) for eid in f.entities]
        relations += [rels.Relation("about_theme", f.id, f"theme:{th}", "neutral", "theme:sentence", ev)
                      for th in f.themes]
    labels = thm.theme_labels()  # themes are nodes too: mentioned by the passages tagged with them
    used = {th for _, th, _, _ in pthemes} | {r.target[6:] for r in relations if r.target.startswith("theme:")}
    for th in sorted(used):
        nodes.setdefault(f"theme:{th}",
                         ents.Entity(f"theme:{th}", "theme", labels.get(th, th), None, source="ontology"))
    mentions += [(f"theme:{th}", pid, 0, 0, "") for pid, th, _score, _rule in pthemes]
    mentions += [(r.target, ev.passage_id, 0, 0, "") for r in relations if r.target.startswith("theme:")
                 for ev in r.evidence]  # a theme reached only through a sentence tag is mentioned by that sentence
    nodes.pop(f"report:{report.report_id}", None)
    mentions = [m for m in mentions if not m[0].startswith("report:")]
    return ReportGraph(report.report_id, pthemes, nodes, sorted(set(mentions)), findings, relations)


def write_report(con: sqlite3.Connection, report: Report, extracted: ReportGraph | None = None) -> None:
    """on_put hook: the report's graph rows, in the report's own transaction (``extracted``: already done,
    e.g. in a worker process by ``graph.batch``)."""
    Store.drop_orphans(con)  # a replaced report's old rows went with the cascade; drop the nodes they left behind
    g = extracted or extract_report(report)
    rid = report.report_id
    Store.put_graph(con, {
        "passage_themes": [(pid, rid, th, score, rule) for pid, th, score, rule in g.passage_themes],
        "entities": [(e.id, e.type, e.label, e.kind, json.dumps(e.data, sort_keys=True, ensure_ascii=False))
                     for e in sorted(g.entities.values(), key=lambda e: e.id)],
        "entity_aliases": [(e.id, rid, a) for e in g.entities.values() for a in sorted(e.aliases)],
        "mentions": [(eid, rid, pid, a, b, s) for eid, pid, a, b, s in g.mentions],
        "findings": [(f.id, rid, f.passage_id, f.question, f.polarity, f.text, f.start, f.end, json.dumps(f.themes),
                      json.dumps(f.entities)) for f in g.findings],
        "relations": [(r.id, r.type, r.source, r.target, r.polarity, r.rule) for r in g.relations if r.evidence],
        "evidence": [(r.id, ev.report_id, ev.passage_id, ev.quote, r.polarity, r.rule) for r in g.relations
                     for ev in r.evidence]})
    Store.note_orphans(con, g.entities)


def delete_report(con: sqlite3.Connection, report_id: str) -> None:
    """on_delete hook: per-report rows went with the cascade; nodes and edges left without evidence go now."""
    Store.drop_orphans(con)


# ---------------------------------------------------------------------------- the graph


class _Once:
    """Run a step once, under a lock, and count it done only after it has finished."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = False

    def run(self, step: Callable[[], None]) -> None:
        if self._done:
            return
        with self._lock:
            if not self._done:
                step()
                self._done = True


@dataclass(frozen=True)
class GraphFacts:
    """What the ranking needs beside the graph: fixed when the graph is built, read-only afterwards."""

    passage_themes: Mapping[str, tuple[str, ...]]
    passage_questions: Mapping[str, str | None]
    communities: _Once = field(default_factory=_Once, compare=False)


@dataclass(frozen=True)
class GraphIndex:
    """What each report put into a built graph, so that an update can take it out again (graph.snapshot)."""

    entities: Mapping[str, frozenset[str]]  # report id -> entity nodes it mentions
    relations: Mapping[str, Mapping[str, tuple[str, str]]]  # report id -> relation id -> (source, target)
    findings: Mapping[str, tuple[str, ...]]  # report id -> its finding nodes
    passages: Mapping[str, tuple[str, ...]]  # report id -> its passage ids
    forces: Mapping[str, str]  # report id -> its force ("" for none): cross-report edges stay within one
    force_words: frozenset[str]  # the words of every force's name (the recurs rule leaves them out)
    orphans: frozenset[str]  # entity nodes no passage mentions (gone at the next write)
    cross: Mapping[str, tuple[tuple[str, str, str], ...]]  # force -> its cross-report edges (source, target, key)


def force_of(report: Mapping[str, Any]) -> str:
    return report.get("force") or ""


def cross_groups(edges: list[Edge], reports: Mapping[str, Mapping[str, Any]]) -> dict[str, list[Edge]]:
    """Cross-report edges by the force they belong to (both of their ends are in its reports)."""
    out: dict[str, list[Edge]] = defaultdict(list)
    for e in edges:
        rid = e[1][len("report:"):] if e[1].startswith("report:") else e[3]["evidence"][0]["report_id"]
        out[force_of(reports.get(rid, {}))].append(e)
    return out


def facts(G: nx.MultiDiGraph) -> GraphFacts:
    """The facts ``build`` stored with the graph (empty ones for a graph assembled by hand)."""
    got = G.graph.get("facts")
    return got if isinstance(got, GraphFacts) else GraphFacts(MappingProxyType({}), MappingProxyType({}))


def build(store: Store) -> nx.MultiDiGraph:
    """The whole graph from the store: built once, then only read (a snapshot); the facts beside it are
    read-only. Communities are added once, on first use (``ensure_communities``): Louvain is the slowest
    step at scale. Deterministic: sorted inserts, hashed ids, seeded communities. ``graph.snapshot``
    moves a built graph on by the reports a write changed, to the graph this would build.
    """
    G = nx.MultiDiGraph()
    reports = {r["report_id"]: r for r in store.reports()}
    passages = {p.passage_id: p for p in store.passages()}
    ptheme: dict[str, list[str]] = defaultdict(list)
    for pid, theme in store.graph_rows("passage_themes"):
        ptheme[pid].append(theme)
    mentioned = _add_entities(G, store)
    _add_reports(G, reports, passages)
    findings = _add_findings(G, store)
    evidence: dict[str, list[dict[str, str]]] = defaultdict(list)
    for rid, pid, report_id, quote in store.graph_rows("evidence"):
        evidence[rid].append({"passage_id": pid, "report_id": report_id, "quote": quote})
    relations: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for rid, type_, s, t, polarity, rule in store.graph_rows("relations"):
        for report_id in {ev["report_id"] for ev in evidence.get(rid, ())}:
            relations[report_id][rid] = (s, t)
        if s in G and t in G and evidence.get(rid):
            add_edge(G, rid, type_, s, t, polarity, rule, evidence[rid])
    cross = cross_report_edges(G, findings, reports)
    for s, t, key, attrs in cross:
        G.add_edge(s, t, key=key, **attrs)
    G.graph["facts"] = GraphFacts(MappingProxyType({k: tuple(v) for k, v in ptheme.items()}),
                                  MappingProxyType({pid: p.question for pid, p in passages.items()}))
    by_report: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        by_report[f.report_id].append(f.id)
    G.graph["index"] = GraphIndex(
        entities={rid: frozenset(ids) for rid, ids in mentioned.items()}, relations=dict(relations),
        findings={rid: tuple(ids) for rid, ids in by_report.items()},
        passages=_passages_by_report(passages.values()), forces={rid: force_of(r) for rid, r in reports.items()},
        force_words=frozenset(w for r in reports.values() for w in key_words(force_of(r))),
        orphans=frozenset(n for n, d in G.nodes(data=True) if not d["mentions"]),
        cross={k: tuple((s, t, key) for s, t, key, _ in v) for k, v in cross_groups(cross, reports).items()})
    return G


def _passages_by_report(passages: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = defaultdict(list)
    for p in passages:
        out[p.report_id].append(p.passage_id)
    return {rid: tuple(ids) for rid, ids in out.items()}


def entity_attrs(eid: str, type_: str, label: str, kind: str | None, data: str, aliases: Iterable[str],
                 mentions: list[dict[str, Any]], reports: list[str] | None = None) -> dict[str, Any]:
    """An entity node's attributes: its stored row, its aliases and every passage that mentions it (and the
    reports those are in, when the caller knows them)."""
    return {"id": eid, "type": type_, "label": label, "kind": kind, "data": json.loads(data),
            "aliases": sorted(aliases), "mentions": mentions,
            "reports": sorted({m["report_id"] for m in mentions}) if reports is None else reports}


def _add_entities(G: nx.MultiDiGraph, store: Store) -> dict[str, set[str]]:
    """Entity nodes; returns report id -> the entities it mentions."""
    aliases: dict[str, set[str]] = defaultdict(set)
    for eid, alias in store.graph_rows("entity_aliases"):
        aliases[eid].add(alias)
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_report: dict[str, set[str]] = defaultdict(set)
    for eid, rid, pid, a, b, surface in store.graph_rows("mentions"):
        mentions[eid].append({"report_id": rid, "passage_id": pid, "start": a, "end": b, "surface": surface})
        by_report[rid].add(eid)
    for eid, type_, label, kind, data in store.graph_rows("entities"):
        G.add_node(eid, **entity_attrs(eid, type_, label, kind, data, aliases.get(eid, ()), mentions.get(eid, [])))
    return by_report


def report_attrs(rid: str, r: Mapping[str, Any], first_passage: str | None) -> dict[str, Any]:
    """A report node's attributes (its first passage stands for where it is mentioned)."""
    first = [{"report_id": rid, "passage_id": first_passage, "start": 0, "end": 0, "surface": ""}] \
        if first_passage else []
    return {"id": f"report:{rid}", "type": "report", "label": r["title"], "kind": r.get("programme"),
            "data": {"force": r["force"], "year": r["year"], "year_end": r["year_end"]}, "aliases": [],
            "mentions": first, "reports": [rid]}


def _add_reports(G: nx.MultiDiGraph, reports: dict[str, dict[str, Any]], passages: dict[str, Any]) -> None:
    by_report: dict[str, list[str]] = defaultdict(list)
    for pid, p in passages.items():
        by_report[p.report_id].append(pid)
    for rid, r in sorted(reports.items()):
        ps = by_report.get(rid, [])
        G.add_node(f"report:{rid}", **report_attrs(rid, r, ps[0] if ps else None))


def finding_of(row: Any) -> fnd.Finding:
    """A finding from its stored row."""
    return fnd.Finding(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], json.loads(row[8]),
                       json.loads(row[9]))


def finding_attrs(f: fnd.Finding) -> dict[str, Any]:
    return {"id": f.id, "type": "finding", "label": f.label, "kind": f.polarity,
            "data": {"text": f.text, "polarity": f.polarity, "question": f.question, "themes": f.themes,
                     "entities": f.entities},
            "aliases": [], "reports": [f.report_id],
            "mentions": [{"report_id": f.report_id, "passage_id": f.passage_id, "start": f.start, "end": f.end,
                          "surface": f.text}]}


def _add_findings(G: nx.MultiDiGraph, store: Store) -> list[fnd.Finding]:
    findings = [finding_of(row) for row in store.graph_rows("findings")]
    for f in findings:
        G.add_node(f.id, **finding_attrs(f))
    return findings


Groups = Callable[[list[str], list[tuple[str, str]]], list[list[str]]]


def community_groups(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Louvain communities (fixed seed) of the nodes joined by the edges, largest first: a function of
    plain lists, so that a server can run it in a helper process."""
    U = nx.Graph()
    U.add_nodes_from(sorted(nodes))
    for s, t in sorted(edges):  # sorted: the same communities whatever order the graph was built in
        if s != t:
            U.add_edge(s, t, weight=U[s][t]["weight"] + 1 if U.has_edge(s, t) else 1)
    if U.number_of_edges() == 0:
        return []
    comms = nx.community.louvain_communities(U, weight="weight", seed=COMMUNITY_SEED)
    return sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))


def _communities(G: nx.MultiDiGraph, groups: Groups) -> None:
    """The communities as a node attribute."""
    for i, c in enumerate(groups(list(G.nodes), list(G.edges()))):
        for n in c:  # a new attribute dict: an updated graph shares the unchanged ones with the graph before it
            G._node[n] = {**G._node[n], "community": i}


def ensure_communities(G: nx.MultiDiGraph, groups: Groups = community_groups) -> None:
    """Communities as node attributes, computed once per built graph by whichever thread asks first; the
    others wait for it, and none sees the graph marked done before every node has its community."""
    facts(G).communities.run(lambda: _communities(G, groups))


# ---------------------------------------------------------------------------- views


def node_ref(G: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = G.nodes[n]
    return {"id": n, "label": d["label"], "type": d["type"]}


def relation_json(G: nx.MultiDiGraph, s: str, t: str, d: dict[str, Any]) -> dict[str, Any]:
    out = {"id": d["id"], "type": d["type"], "source": node_ref(G, s), "target": node_ref(G, t),
           "polarity": d["polarity"], "rule": d["rule"], "evidence": list(d["evidence"])}
    if "change" in d:
        out["change"] = d["change"]
    return out


ISSUE_TYPES = ("issue",)
WHO_TYPES = ("unit", "role", "partner")
_AUTHOR = re.compile(r"\binspectorate\b|\bHMIC", re.I)  # who wrote the report is not who is involved in the work
CAUSAL = ("affects", "causes")


@dataclass
class _Spread:
    themes: set[str] = field(default_factory=set)
    questions: set[str] = field(default_factory=set)
    reports: set[str] = field(default_factory=set)

    def add(self, passage_id: str, report_id: str, known: GraphFacts, G: nx.MultiDiGraph, themes: int = 2) -> None:
        self.reports.add(report_id)
        q = known.passage_questions.get(passage_id)
        if q:
            self.questions.add(q)
        self.themes |= {G.nodes[f"theme:{t}"]["label"] for t in known.passage_themes.get(passage_id, ())[:themes]
                        if f"theme:{t}" in G}

    def counts(self) -> dict[str, int]:
        return {"theme_count": len(self.themes), "question_count": len(self.questions),
                "report_count": len(self.reports)}


def _downstream(G: nx.MultiDiGraph, n: str, depth: int = 3) -> set[str]:
    """Nodes an issue reaches through cause-and-effect edges."""
    seen, frontier = {n}, {n}
    for _ in range(depth):
        frontier = {t for x in frontier for _, t, d in G.out_edges(x, data=True) if d["type"] in CAUSAL} - seen
        seen |= frontier
    return seen - {n}


def _why(sp: _Spread, last: str) -> str:
    def plural(k: int, word: str) -> str:
        return f"{k} {word}" + ("" if k == 1 else "s")
    return " · ".join([plural(len(sp.themes), "theme"), plural(len(sp.questions), "question"),
                       plural(len(sp.reports), "report"), last])


def crosscutting(G: nx.MultiDiGraph, limit: int | None = None) -> list[dict[str, Any]]:
    """Issues ranked by how far their evidence spreads: themes, inspection questions, reports, and what they affect.

    Only issue nodes that take part in a cause-and-effect relation count; who is involved (roles, units,
    partners) is ``involved``. Each item says why it ranks where it does.
    """
    known = facts(G)
    ensure_communities(G)
    out = []
    for n, d in G.nodes(data=True):
        causal = [(s, t, e) for s, t, e in list(G.out_edges(n, data=True)) + list(G.in_edges(n, data=True))
                  if e["type"] in CAUSAL]
        if d["type"] not in ISSUE_TYPES or not causal:
            continue
        sp = _Spread()
        for m in d["mentions"]:
            sp.add(m["passage_id"], m["report_id"], known, G)
        for _s, _t, e in causal:
            for ev in e["evidence"]:
                sp.add(ev["passage_id"], ev["report_id"], known, G)
        for _, t, e in G.out_edges(n, data=True):
            if e["type"] == "about_theme":
                sp.themes.add(G.nodes[t]["label"])
        reach = _downstream(G, n)
        harm = any(e["polarity"] == "negative" for _, _, e in causal)  # a weakness, not a plain change
        score = len(sp.themes) + 2 * len(sp.questions) + 3 * len(sp.reports) + 2 * len(reach) + 2 * harm
        out.append({"id": n, "label": d["label"], "type": d["type"], "themes": sorted(sp.themes),
                    "questions": sorted(sp.questions), "reports": sorted(sp.reports),
                    "affects": sorted((relation_json(G, s, t, e) for s, t, e in causal if s == n),
                                      key=lambda r: r["id"]),
                    "affects_count": len(reach), "weakness": harm, **sp.counts(),
                    "why": _why(sp, f"affects {len(reach)}"),
                    "score": score, "community": d.get("community")})
    out.sort(key=lambda x: (-x["score"], x["id"]))
    return out[:limit] if limit else out


def _names(d: dict[str, Any]) -> list[str]:
    return [d["label"], *d.get("aliases", [])]


def involved(G: nx.MultiDiGraph, limit: int | None = None) -> list[dict[str, Any]]:
    """Who is involved: roles, units and partners ranked by the spread of the passages that name them."""
    known = facts(G)
    ensure_communities(G)
    out = []
    for n, d in G.nodes(data=True):
        if d["type"] not in WHO_TYPES or not d["mentions"] or any(_AUTHOR.search(x) for x in _names(d)):
            continue
        sp = _Spread()
        for m in d["mentions"]:
            sp.add(m["passage_id"], m["report_id"], known, G, themes=1)
        k = len(d["mentions"])
        score = len(sp.themes) + 2 * len(sp.questions) + 3 * len(sp.reports) + min(k, 20) / 4
        out.append({"id": n, "label": d["label"], "type": d["type"], "themes": sorted(sp.themes),
                    "questions": sorted(sp.questions), "reports": sorted(sp.reports), "mention_count": k,
                    **sp.counts(), "why": _why(sp, f"{k} mention" + ("" if k == 1 else "s")), "score": score,
                    "community": d.get("community")})
    out.sort(key=lambda x: (-x["score"], x["id"]))
    return out[:limit] if limit else out


def size(G: nx.MultiDiGraph) -> dict[str, Any]:
    nodes: dict[str, int] = defaultdict(int)
    edges: dict[str, int] = defaultdict(int)
    for _, d in G.nodes(data=True):
        nodes[d["type"]] += 1
    for _, _, d in G.edges(data=True):
        edges[d["type"]] += 1
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "nodes_by_type": dict(sorted(nodes.items())),
            "edges_by_type": dict(sorted(edges.items()))}
