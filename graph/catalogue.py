"""Listings of the assembled graph: entities, one entity, relations, findings, themes, metrics, causal evidence.

What the Service facade answers with, as functions of the graph (and the store
for passage texts), so the facade itself holds no domain rules.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.build import ENTITY_TYPES, NODE_TYPES, RELATION_TYPES, ensure_communities, node_ref, relation_json
from graph.errors import BadInput, InvalidParameter, NotFound
from graph.extract.entities import norm_key, slug
from graph.records import Item
from graph.trace import words
from ontology import FINDING_POLARITIES, themes as scheme_themes


def find_node(G: nx.MultiDiGraph, name_or_id: str) -> str:
    """The node with this id, label or alias (labels first; findings and metrics last)."""
    if name_or_id in G:
        return name_or_id
    key = norm_key(name_or_id)
    for want_alias in (False, True):
        for n, d in sorted(G.nodes(data=True), key=lambda x: (x[1]["type"] in ("finding", "metric"), x[0])):
            names = d["aliases"] if want_alias else [d["label"]]
            if any(norm_key(x) == key for x in names) or (want_alias and name_or_id in d["aliases"]):
                return n
    raise NotFound(f"no entity named or with id {name_or_id!r}; try `peelgraph entities --q {name_or_id!r}`",
                   {"entity": name_or_id})


def theme_node(G: nx.MultiDiGraph, theme: str) -> str:
    """The theme node named by id, slug, label or alternative label."""
    for n in (theme, f"theme:{theme}", f"theme:{slug(theme)}"):
        if n in G and G.nodes[n]["type"] == "theme":
            return n
    for n, d in G.nodes(data=True):
        if d["type"] == "theme" and (d["label"].lower() == theme.lower()
                                     or theme.lower() in (a.lower() for a in d.get("aliases", []))):
            return n
    raise NotFound(f"no theme {theme!r}; see GET /api/themes", {"theme": theme})


def entities(G: nx.MultiDiGraph, type: str | None = None, q: str | None = None) -> list[dict[str, Any]]:
    if type and type not in NODE_TYPES:
        raise InvalidParameter(f"unknown entity type {type!r}; use one of {', '.join(NODE_TYPES)}")
    want = (type,) if type else ENTITY_TYPES
    ql = (q or "").strip().lower()
    out = []
    for n, d in sorted(G.nodes(data=True)):
        if d["type"] not in want:
            continue
        if ql and ql not in d["label"].lower() and not any(ql in a.lower() for a in d["aliases"]):
            continue
        out.append({"id": n, "label": d["label"], "type": d["type"], "kind": d.get("kind"),
                    "aliases": d["aliases"], "reports": d["reports"], "mentions": len(d["mentions"])})
    # most-mentioned first; forces (hubs of every report) after the things inside them
    return sorted(out, key=lambda e: (e["type"] == "force", -e["mentions"], e["id"]))


def entity(G: nx.MultiDiGraph, store: Any, name_or_id: str) -> dict[str, Any]:
    """One entity: aliases, mentions with their passage text, relations, neighbours, community."""
    if not (name_or_id or "").strip():
        raise BadInput("give an entity name or id")
    ensure_communities(G)
    n = find_node(G, name_or_id.strip())
    d = G.nodes[n]
    texts: dict[str, str] = {}
    for m in d["mentions"]:
        if m["passage_id"] not in texts:
            try:
                texts[m["passage_id"]] = store.passage(m["passage_id"]).text
            except NotFound:
                texts[m["passage_id"]] = ""
    edges = list(G.out_edges(n, data=True)) + list(G.in_edges(n, data=True))
    rels = [relation_json(G, s, t, e) for s, t, e in sorted(edges, key=lambda x: x[2]["id"])]
    neighbours = sorted({x for s, t, _ in edges for x in (s, t) if x != n})
    return {"id": n, "label": d["label"], "type": d["type"], "kind": d.get("kind"), "data": d.get("data", {}),
            "aliases": d["aliases"], "reports": d["reports"], "community": d.get("community"),
            "mentions": [{**m, "text": texts.get(m["passage_id"], "")} for m in d["mentions"]],
            "relations": rels, "neighbours": [node_ref(G, x) for x in neighbours]}


def relations(G: nx.MultiDiGraph, type: str | None = None, entity: str | None = None) -> list[dict[str, Any]]:
    if type and type not in RELATION_TYPES:
        raise InvalidParameter(f"unknown relation type {type!r}; use one of {', '.join(RELATION_TYPES)}")
    node = find_node(G, entity) if entity else None
    out = [relation_json(G, s, t, e) for s, t, e in G.edges(data=True)
           if (not type or e["type"] == type) and (node is None or node in (s, t))]
    return sorted(out, key=lambda r: (r["type"], r["source"]["id"], r["target"]["id"]))


def _theme_id(G: nx.MultiDiGraph, theme: str) -> str:
    """A filter's theme: an unknown one is an invalid parameter, listing the known ones."""
    try:
        return theme_node(G, theme)
    except NotFound:
        known = sorted(n[6:] for n, d in G.nodes(data=True) if d["type"] == "theme")
        raise InvalidParameter(f"unknown theme {theme!r}; use one of {', '.join(known)}") from None


def findings(G: nx.MultiDiGraph, theme: str | None = None, polarity: str | None = None,
             report_id: str | None = None) -> list[dict[str, Any]]:
    """Findings (evaluative statements) with polarity, optionally of one theme, polarity or report."""
    if polarity and polarity not in FINDING_POLARITIES:
        raise InvalidParameter(f"unknown polarity {polarity!r}; use one of {', '.join(FINDING_POLARITIES)}")
    theme_id = _theme_id(G, theme) if theme else None
    out = []
    for n, d in sorted(G.nodes(data=True)):
        if d["type"] != "finding":
            continue
        data = d["data"]
        if (polarity and data["polarity"] != polarity) or (report_id and d["reports"] != [report_id]) \
                or (theme_id and theme_id[6:] not in data["themes"]):
            continue
        m = d["mentions"][0]
        out.append({"id": n, "report_id": m["report_id"], "passage_id": m["passage_id"], "question": data["question"],
                    "polarity": data["polarity"], "text": data["text"], "themes": data["themes"],
                    "entities": data["entities"]})
    return out


def themes(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The SKOS themes with how many passages each one tags."""
    counts = {n.split(":", 1)[-1]: len(d.get("mentions", [])) for n, d in G.nodes(data=True) if d["type"] == "theme"}
    return [{"id": t.id, "label": t.label, "definition": t.definition, "alt_labels": list(t.alt_labels),
             "broader": list(t.broader), "passages": counts.get(t.id, 0)} for t in scheme_themes()]


def metrics(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every metric node with its report and first passage (for comparisons across reports)."""
    return [{"id": n, "label": d["label"], "report_id": (d.get("reports") or [None])[0],
             "passage_id": (d.get("mentions") or [{}])[0].get("passage_id"), **(d.get("data") or {})}
            for n, d in G.nodes(data=True) if d["type"] == "metric"]


def passages_about(G: nx.MultiDiGraph, nodes: Iterable[str]) -> set[str]:
    return {m["passage_id"] for n in nodes for m in G.nodes[n].get("mentions", [])}


# the causal edges of a graph with the words of their two ends, computed once per graph object
_CAUSAL: weakref.WeakKeyDictionary[nx.MultiDiGraph, list[tuple[set[str], set[str], dict[str, Any]]]] = \
    weakref.WeakKeyDictionary()
_CAUSAL_LOCK = threading.Lock()


def _causal_edges(G: nx.MultiDiGraph) -> list[tuple[set[str], set[str], dict[str, Any]]]:
    with _CAUSAL_LOCK:
        if G not in _CAUSAL:
            _CAUSAL[G] = [(words(G.nodes[s]["label"]), words(G.nodes[t]["label"]), d)
                          for s, t, d in G.edges(data=True) if d["type"] in ("causes", "affects")]
        return _CAUSAL[G]


def causal_evidence(G: nx.MultiDiGraph, question: str, limit: int = 3) -> list[dict[str, Any]]:
    """Evidence of causes/affects relations whose two ends the question names (for why-questions)."""
    want = words(question)
    scored = []
    for ws, wt, d in _causal_edges(G):
        a, b = len(want & ws), len(want & wt)
        if (a and b) or max(a, b) >= 2:
            for ev in d.get("evidence", []):
                scored.append((-(a + b + (a > 0 and b > 0)), d["id"], ev))
    scored.sort(key=lambda x: (x[0], x[1]))
    return [ev for _, _, ev in scored[:limit]]


def report_stats(reports: list[dict[str, Any]], items: list[Item], passages: int) -> dict[str, Any]:
    """Counts per report: passages, recommendations, areas for improvement, causes of concern, judgments."""
    out = []
    for r in reports:
        mine = [it for it in items if it.report_id == r["report_id"]]
        count = {kind: sum(1 for it in mine if it.kind == kind)
                 for kind in ("recommendation", "area_for_improvement", "cause_of_concern")}
        out.append({
            "report_id": r["report_id"], "title": r["title"], "force": r["force"], "year": r["year"],
            "programme": r["programme"], "passages": r["passages"], "recommendations": count["recommendation"],
            "areas_for_improvement": count["area_for_improvement"], "causes_of_concern": count["cause_of_concern"],
            "judgments": [{"question": "overall" if it.overall else it.question, "grade": it.grade}
                          for it in mine if it.kind == "judgment"],
        })
    return {"reports": out, "passages": passages}
