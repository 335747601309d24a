"""The knowledge graph: per-report extraction at ingest, and the networkx graph over the store.

``extract_report`` runs the stages (themes -> entities -> metrics -> findings
-> relations) on one report; ``write_report`` / ``delete_report`` are the
Service hooks that keep the graph tables in the report's own transaction.
``build`` assembles one ``networkx.MultiDiGraph`` from the tables and adds
what needs every report at once: ``recurs`` (a weakness found again in a
later report), metric changes between reports, areas for improvement
linked to the earlier report they were carried over from, the cross-cutting
ranking and communities.
"""
from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.extract import entities as ents
from graph.extract import findings as fnd
from graph.extract import relations as rels
from graph.extract import themes as thm
from graph.records import Report
from graph.extract.relations import relation_id

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


def extract_report(report: Report) -> ReportGraph:
    timings: dict[str, float] = {}
    t = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[stage] = now - t
        t = now

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

    nodes: dict[str, ents.Entity] = dict(ex.entities)
    mentions = [(m.entity_id, m.passage_id, m.start, m.end, m.surface) for m in ex.mentions]
    for nid, e in out.nodes.items():
        nodes.setdefault(nid, e)
    texts = {p.passage_id: p.text for p in report.passages}
    for nid, pid, a, b in out.node_mentions:
        mentions.append((nid, pid, a, b, texts[pid][a:b]))
    relations = list(out.relations)
    for mt in metrics:
        nodes[mt.id] = ents.Entity(mt.id, "metric", mt.label, None, data={
            "value": mt.value, "value_text": mt.value_text, "unit": mt.unit, "measures": mt.measures,
            "period": mt.period, "key": mt.key, "report_id": mt.report_id}, source="metric")
        mentions.append((mt.id, mt.passage_id, mt.start, mt.end, texts[mt.passage_id][mt.start:mt.end]))
    # findings mention their entities and concern their themes (evidence: the finding's sentence)
    for f in findings:
        ev = [rels.Evidence(f.passage_id, f.report_id, f.text)]
        for eid in f.entities:
            relations.append(rels.Relation("mentions", f.id, eid, "neutral", "finding:names-entity", ev))
        for th in f.themes:
            relations.append(rels.Relation("about_theme", f.id, f"theme:{th}", "neutral", "theme:sentence", ev))
    # themes are nodes too: mentioned by the passages tagged with them
    labels = thm.theme_labels()
    used = {th for _, th, _, _ in pthemes} | {r.target[6:] for r in relations if r.target.startswith("theme:")}
    for th in sorted(used):
        nodes.setdefault(f"theme:{th}", ents.Entity(f"theme:{th}", "theme", labels.get(th, th), None, source="ontology"))
    for pid, th, _score, _rule in pthemes:
        mentions.append((f"theme:{th}", pid, 0, 0, ""))
    for r in relations:  # a theme reached only through a sentence tag is mentioned by that sentence
        if r.target.startswith("theme:"):
            for ev in r.evidence:
                mentions.append((r.target, ev.passage_id, 0, 0, ""))
    nodes.pop(f"report:{report.report_id}", None)
    mentions = [m for m in mentions if not m[0].startswith("report:")]
    lap("assemble")
    return ReportGraph(report.report_id, pthemes, nodes, sorted(set(mentions)), findings, relations, timings)


def write_report(con: sqlite3.Connection, report: Report) -> None:
    """on_put hook: the report's graph rows, in the report's own transaction."""
    _cleanup(con)  # a replaced report's old rows went with the cascade; drop the nodes they left behind
    g = extract_report(report)
    rid = report.report_id
    con.executemany("INSERT OR IGNORE INTO passage_themes VALUES (?,?,?,?,?)",
                    [(pid, rid, th, score, rule) for pid, th, score, rule in g.passage_themes])
    con.executemany("INSERT OR IGNORE INTO entities VALUES (?,?,?,?,?)",
                    [(e.id, e.type, e.label, e.kind, json.dumps(e.data, sort_keys=True, ensure_ascii=False))
                     for e in sorted(g.entities.values(), key=lambda e: e.id)])
    con.executemany("INSERT OR IGNORE INTO entity_aliases VALUES (?,?,?)",
                    [(e.id, rid, a) for e in g.entities.values() for a in sorted(e.aliases)])
    con.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?)",
                    [(eid, rid, pid, a, b, s) for eid, pid, a, b, s in g.mentions])
    con.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(f.id, rid, f.passage_id, f.question, f.polarity, f.text, f.start, f.end,
                      json.dumps(f.themes), json.dumps(f.entities)) for f in g.findings])
    for r in g.relations:
        con.execute("INSERT OR IGNORE INTO relations VALUES (?,?,?,?,?,?)",
                    (r.id, r.type, r.source, r.target, r.polarity, r.rule))
        con.executemany("INSERT OR IGNORE INTO evidence VALUES (?,?,?,?,?,?)",
                        [(r.id, ev.report_id, ev.passage_id, ev.quote, r.polarity, r.rule) for ev in r.evidence])


def delete_report(con: sqlite3.Connection, report_id: str) -> None:
    """on_delete hook: per-report rows went with the cascade; nodes and edges left without evidence go now."""
    _cleanup(con)


def _cleanup(con: sqlite3.Connection) -> None:
    con.execute("DELETE FROM relations WHERE relation_id NOT IN (SELECT relation_id FROM evidence)")
    con.execute("DELETE FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)")


# ---------------------------------------------------------------------------- the graph


def build(store: Any) -> nx.MultiDiGraph:
    """The whole graph from the store (deterministic: sorted inserts, hashed ids, seeded communities)."""
    con = store.con
    G = nx.MultiDiGraph()
    reports = {r["report_id"]: r for r in store.reports()}
    passages = {p.passage_id: p for p in store.passages()}
    ptheme: dict[str, list[str]] = defaultdict(list)
    for row in con.execute("SELECT passage_id, theme FROM passage_themes ORDER BY passage_id, score DESC, theme"):
        ptheme[row[0]].append(row[1])

    aliases: dict[str, set[str]] = defaultdict(set)
    for eid, alias in con.execute("SELECT entity_id, alias FROM entity_aliases"):
        aliases[eid].add(alias)
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in con.execute('SELECT entity_id, report_id, passage_id, start, "end", surface FROM mentions '
                           'ORDER BY entity_id, report_id, passage_id, start'):
        mentions[row[0]].append({"report_id": row[1], "passage_id": row[2], "start": row[3], "end": row[4],
                                 "surface": row[5]})
    for row in con.execute("SELECT entity_id, type, label, kind, data FROM entities ORDER BY entity_id"):
        eid = row[0]
        ms = mentions.get(eid, [])
        G.add_node(eid, id=eid, type=row[1], label=row[2], kind=row[3], data=json.loads(row[4]),
                   aliases=sorted(aliases.get(eid, set())), mentions=ms,
                   reports=sorted({m["report_id"] for m in ms}))
    by_report: dict[str, list[str]] = defaultdict(list)
    for pid, p in passages.items():
        by_report[p.report_id].append(pid)
    for rid, r in sorted(reports.items()):
        ps = by_report.get(rid, [])
        G.add_node(f"report:{rid}", id=f"report:{rid}", type="report", label=r["title"], kind=r.get("programme"),
                   data={"force": r["force"], "year": r["year"], "year_end": r["year_end"]}, aliases=[],
                   mentions=[{"report_id": rid, "passage_id": ps[0], "start": 0, "end": 0, "surface": ""}] if ps else [],
                   reports=[rid])
    findings = []
    for row in con.execute('SELECT finding_id, report_id, passage_id, question, polarity, text, start, "end", themes, '
                           'entities FROM findings ORDER BY finding_id'):
        f = fnd.Finding(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], json.loads(row[8]),
                        json.loads(row[9]))
        findings.append(f)
        G.add_node(f.id, id=f.id, type="finding", label=f.label, kind=f.polarity,
                   data={"text": f.text, "polarity": f.polarity, "question": f.question, "themes": f.themes,
                         "entities": f.entities},
                   aliases=[], reports=[f.report_id],
                   mentions=[{"report_id": f.report_id, "passage_id": f.passage_id, "start": f.start, "end": f.end,
                              "surface": f.text}])
    evidence: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in con.execute("SELECT relation_id, passage_id, report_id, quote FROM evidence "
                           "ORDER BY relation_id, report_id, passage_id, quote"):
        evidence[row[0]].append({"passage_id": row[1], "report_id": row[2], "quote": row[3]})
    for row in con.execute("SELECT relation_id, type, source, target, polarity, rule FROM relations ORDER BY relation_id"):
        if row[2] in G and row[3] in G and evidence.get(row[0]):
            _edge(G, row[0], row[1], row[2], row[3], row[4], row[5], evidence[row[0]])

    _recurs(G, findings, reports)
    _metric_changes(G, reports)
    _carried_over(G, reports)
    # communities are computed on first use (ensure_communities): louvain is the slowest step at scale
    G.graph["passage_themes"] = dict(ptheme)
    G.graph["passage_questions"] = {pid: p.question for pid, p in passages.items()}
    return G


def _edge(G: nx.MultiDiGraph, rid: str, type_: str, s: str, t: str, polarity: str, rule: str,
          evidence: list[dict[str, str]]) -> None:
    G.add_edge(s, t, key=rid, id=rid, type=type_, polarity=polarity, rule=rule, evidence=evidence)


_CONTENT_STOP = set("""the a an and or of to in on for with by at from is are was were be been has have had it its this
that these those they them their not no does doesn't don't isn't aren't force force's police which who
there as but also all any some more most than into about we our can could should would will""".split())


def _content(text: str) -> set[str]:
    return {ents.singular(w) for w in re.findall(r"[a-z][a-z'-]+", text.lower().replace("’", "'"))
            if w not in _CONTENT_STOP and len(w) > 2}


def _order(reports: dict[str, dict[str, Any]], rid: str) -> tuple[int, str]:
    r = reports.get(rid, {})
    return (r.get("year_end") or 0, rid)


def _recurs(G: nx.MultiDiGraph, findings: list[fnd.Finding], reports: dict[str, dict[str, Any]]) -> None:
    """A weakness in a later report that was found in an earlier one of the same force."""
    weak = [f for f in findings if f.polarity == "weakness"]
    # findings that are evidence of the same issue
    issue_of: dict[str, set[str]] = defaultdict(set)
    for s, t, d in G.edges(data=True):
        if d["type"] in ("affects", "causes"):
            for ev in d["evidence"]:
                issue_of[(ev["passage_id"])].add(s)
    force_words = {w for r in reports.values() for w in _content(r.get("force") or "")}  # the force's own name
    content = {f.id: _content(f.text) - force_words for f in weak}
    force_of = {rid: r.get("force") for rid, r in reports.items()}
    # Only pairs that share an entity or an issue can recur: index them instead of comparing all pairs,
    # so the cost grows with the findings of one force, not with the square of the corpus.
    index: dict[tuple[Any, str], list[fnd.Finding]] = defaultdict(list)
    for f in weak:
        for key in set(f.entities) | issue_of.get(f.passage_id, set()):
            index[(force_of.get(f.report_id), key)].append(f)
    for later in weak:
        keys = set(later.entities) | issue_of.get(later.passage_id, set())
        candidates = {e.id: e for k in keys for e in index.get((force_of.get(later.report_id), k), ())}
        for _, earlier in sorted(candidates.items()):
            if later.report_id == earlier.report_id:
                continue
            if _order(reports, earlier.report_id) >= _order(reports, later.report_id):
                continue
            same_issue = {i for i in issue_of.get(later.passage_id, ()) if i in issue_of.get(earlier.passage_id, ())}
            same_issue = {i for i in same_issue if any(w in later.text.lower() and w in earlier.text.lower()
                                                        for w in G.nodes[i]["label"].lower().split()[-2:])}
            a, b = content[later.id], content[earlier.id]
            jac = len(a & b) / max(1, len(a | b))
            shared = set(later.entities) & set(earlier.entities)
            rule = None
            if same_issue:
                rule = "recurs:same-issue"
            elif jac >= 0.3 and shared and set(later.themes) & set(earlier.themes):
                rule = "recurs:similar-weakness"
            if rule:
                rid = relation_id("recurs", later.id, earlier.id)
                _edge(G, rid, "recurs", later.id, earlier.id, "negative", rule, [
                    {"passage_id": later.passage_id, "report_id": later.report_id, "quote": later.text},
                    {"passage_id": earlier.passage_id, "report_id": earlier.report_id, "quote": earlier.text}])


def _metric_changes(G: nx.MultiDiGraph, reports: dict[str, dict[str, Any]]) -> None:
    """The same measure counted in two reports of one force: earlier -> later, with the change."""
    by_key: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for n, d in G.nodes(data=True):
        if d["type"] == "metric" and d["data"].get("key"):
            rid = d["data"].get("report_id")
            force = reports.get(rid, {}).get("force") or ""
            by_key[(force, d["data"]["key"], d["data"].get("unit", ""))].append(n)
    for (_force, _key, _unit), ids in sorted(by_key.items()):
        ids.sort(key=lambda n: (_order(reports, G.nodes[n]["data"]["report_id"]), n))
        for a, b in zip(ids, ids[1:]):
            da, db = G.nodes[a]["data"], G.nodes[b]["data"]
            if da["report_id"] == db["report_id"]:
                continue
            rid = relation_id("metric_change", a, b)
            change = db["value"] - da["value"]
            ev = [{"passage_id": G.nodes[x]["mentions"][0]["passage_id"], "report_id": G.nodes[x]["data"]["report_id"],
                   "quote": _quote_of(G, x)} for x in (a, b)]
            _edge(G, rid, "metric_change", a, b, "neutral", "metric:same-measure", ev)
            G.edges[a, b, rid]["change"] = change


def _quote_of(G: nx.MultiDiGraph, node: str) -> str:
    m = G.nodes[node]["mentions"][0]
    return m["surface"] if m["surface"] else G.nodes[node]["label"]


def _carried_over(G: nx.MultiDiGraph, reports: dict[str, dict[str, Any]]) -> None:
    """An area for improvement still outstanding from an inspection: also link the ingested report of that year."""
    for s, t, d in list(G.edges(data=True)):
        if d["type"] != "carried_over_from" or not t.startswith("inspection:"):
            continue
        year = G.nodes[t]["data"].get("year")
        src_report = G.nodes[s]["reports"][0] if G.nodes[s]["reports"] else None
        force = reports.get(src_report, {}).get("force")
        for rid, r in sorted(reports.items()):
            if rid != src_report and year and str(r.get("year_end")) == str(year) and r.get("force") == force:
                _edge(G, relation_id("carried_over_from", s, f"report:{rid}"), "carried_over_from", s,
                      f"report:{rid}", "negative", "item:inspection-year-report", d["evidence"])


def ensure_communities(G: nx.MultiDiGraph) -> None:
    """Louvain communities (fixed seed), computed once per graph and only when a view needs them."""
    if G.graph.get("communities_done"):
        return
    G.graph["communities_done"] = True
    U = nx.Graph()
    U.add_nodes_from(sorted(G.nodes))
    for s, t, d in G.edges(data=True):
        if s != t:
            w = U[s][t]["weight"] + 1 if U.has_edge(s, t) else 1
            U.add_edge(s, t, weight=w)
    if U.number_of_edges() == 0:
        return
    comms = nx.community.louvain_communities(U, weight="weight", seed=COMMUNITY_SEED)
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    for i, c in enumerate(comms):
        for n in c:
            G.nodes[n]["community"] = i


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


def crosscutting(G: nx.MultiDiGraph, limit: int | None = None) -> list[dict[str, Any]]:
    """Issue and unit nodes ranked by how many themes, questions and reports their evidence spans."""
    ensure_communities(G)
    pthemes = G.graph.get("passage_themes", {})
    pquest = G.graph.get("passage_questions", {})
    out = []
    for n, d in G.nodes(data=True):
        if d["type"] not in ("issue", "unit", "role"):
            continue
        themes: set[str] = set()
        questions: set[str] = set()
        reports: set[str] = set()
        affects = []
        edges = list(G.out_edges(n, keys=True, data=True)) + list(G.in_edges(n, keys=True, data=True))
        for s, t, _k, e in edges:
            if e["type"] == "about_theme" and s == n:
                themes.add(G.nodes[t]["label"])
                continue
            if e["type"] in ("affects", "causes") and s == n:
                affects.append(relation_json(G, s, t, e))
            if e["type"] in ("mentions",) and G.nodes[s]["type"] == "finding":
                continue
            for ev in e["evidence"]:
                reports.add(ev["report_id"])
                if pquest.get(ev["passage_id"]):
                    questions.add(pquest[ev["passage_id"]])
                # downstream effects carry their themes back to the cause
                if e["type"] in ("affects", "causes"):
                    other = t if s == n else s
                    themes |= {G.nodes[x]["label"] for _, x, ee in G.out_edges(other, data=True)
                               if ee["type"] == "about_theme"}
        for m in d["mentions"]:
            reports.add(m["report_id"])
            if d["type"] != "issue":
                continue
            if pquest.get(m["passage_id"]):
                questions.add(pquest[m["passage_id"]])
        if d["type"] in ("unit", "role"):
            for m in d["mentions"]:
                themes |= {G.nodes[f"theme:{th}"]["label"] for th in pthemes.get(m["passage_id"], [])[:1]
                           if f"theme:{th}" in G}
                if pquest.get(m["passage_id"]):
                    questions.add(pquest[m["passage_id"]])
        if not affects and d["type"] == "issue":
            continue
        score = len(themes) + 2 * len(questions) + 3 * len(reports) + 2 * len(affects)
        out.append({"id": n, "label": d["label"], "type": d["type"], "themes": sorted(themes),
                    "questions": sorted(questions), "reports": sorted(reports),
                    "affects": sorted(affects, key=lambda r: r["id"]), "score": score,
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
