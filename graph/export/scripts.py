"""Scripts other tools run: Cypher for Neo4j, Mermaid and Graphviz DOT."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from graph.export import layout
from graph.export.style import CONTROL
from graph.export.shape import EVIDENCE_SEP, LIST_KEYS, _reports_by_id, _scalar, citation


_CYPHER_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def cypher_string(value: Any) -> str:
    """A single-quoted Cypher literal: backslash, quotes and every control character escaped."""
    out = []
    for ch in str(value):
        if ch in _CYPHER_ESCAPES:
            out.append(_CYPHER_ESCAPES[ch])
        elif ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 or ch in "\u2028\u2029\ufeff":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def cypher_name(name: str, camel: bool = False) -> str:
    """A label, relationship type or property key made of [A-Za-z0-9_] only, so it needs no backticks."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", str(name)) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) if camel else "_".join(parts)
    if not text or text[0].isdigit():
        text = f"_{text}"
    return text


def _cypher_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else cypher_string(str(value))
    if isinstance(value, (list, tuple, set)):  # Neo4j lists must be homogeneous: use strings
        return "[" + ", ".join(cypher_string(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return cypher_string(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    return cypher_string(value)


def _cypher_set(var: str, props: dict[str, Any]) -> str:
    parts = []
    for k in sorted(props):
        v = _cypher_value(props[k])
        if v is not None:
            parts.append(f"{var}.{cypher_name(k)} = {v}")
    return " SET " + ", ".join(parts) if parts else ""


def to_cypher(sg: dict[str, Any]) -> bytes:
    """MERGE statements, idempotent on re-run; every node also carries :PeelNode for a unique id index."""
    reports = _reports_by_id(sg)
    lines = [f"// peelgraph export: {cypher_string(sg['title'])}",
             "CREATE CONSTRAINT peel_node_id IF NOT EXISTS FOR (n:PeelNode) REQUIRE n.id IS UNIQUE;"]
    for n in sg["nodes"]:
        label = cypher_name(n.get("type") or "Node", camel=True)
        props = {k: v for k, v in n.items() if k != "id"}
        lines.append(f"MERGE (n:PeelNode {{id: {cypher_string(n['id'])}}}) SET n:{label}"
                     + _cypher_set("n", props).replace(" SET ", ", ", 1) + ";")
    for e in sg["edges"]:
        rtype = cypher_name(e.get("type") or "related").upper()
        props = {k: v for k, v in e.items() if k not in ("id", "source", "target", "evidence")}
        if e["evidence"]:
            props["evidence_quote"] = [ev.get("quote") or "" for ev in e["evidence"]]
            props["evidence_citation"] = [citation(ev, reports) for ev in e["evidence"]]
            props["evidence_passages"] = [ev.get("passage_id") or "" for ev in e["evidence"]]
        lines.append(f"MATCH (a:PeelNode {{id: {cypher_string(e['source'])}}}), "
                     f"(b:PeelNode {{id: {cypher_string(e['target'])}}}) "
                     f"MERGE (a)-[r:{rtype} {{id: {cypher_string(e['id'])}}}]->(b)"
                     + _cypher_set("r", props) + ";")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ----------------------------------------------------------- Mermaid, DOT --

MERMAID_CODES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;",
                 "|": "#124;", "\\": "#92;"}


def _mermaid_text(text: Any) -> str:
    """Mermaid entity codes for anything that would end or confuse a quoted label; newlines as <br/>."""
    lines = re.split(r"\r\n|\r|\n", "" if text is None else str(text))
    return "<br/>".join("".join(MERMAID_CODES.get(ch, ch) for ch in layout.clean_text(line)) for line in lines)


def _ids(sg: dict[str, Any], prefix: str) -> dict[str, str]:
    """Readable, unique [A-Za-z0-9_] ids (Mermaid keywords such as 'end' are avoided by the prefix)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for n in sg["nodes"]:
        base = prefix + re.sub(r"[^A-Za-z0-9_]+", "_", n["id"]).strip("_")[:40]
        cand, k = base, 1
        while cand in used:
            k += 1
            cand = f"{base}_{k}"
        used.add(cand)
        out[n["id"]] = cand
    return out


def to_mermaid(sg: dict[str, Any]) -> bytes:
    ids = _ids(sg, "n_")
    lines = ["---", f"title: {json.dumps(layout.clean_text(sg['title']) or 'Subgraph', ensure_ascii=False)}",
             "---", "graph LR"]
    types = []
    for n in sg["nodes"]:
        lines.append(f'  {ids[n["id"]]}["{_mermaid_text(n["label"])}"]')
        t = n.get("type") or "other"
        if t not in types:
            types.append(t)
    for i, e in enumerate(sg["edges"]):
        arrow = "-.->" if e.get("polarity") == "negative" else "==>" if e.get("type") == "causes" else "-->"
        label = _mermaid_text(str(e.get("type") or "").replace("_", " "))
        lines.append(f'  {ids[e["source"]]} {arrow}|"{label}"| {ids[e["target"]]}')
        colour = layout.edge_style(e.get("type"), e.get("polarity")).colour
        lines.append(f"  linkStyle {i} stroke:{colour},color:{colour}")
    for t in types:
        _, fill, text = layout.node_style(None if t == "other" else t)
        cls = "t_" + re.sub(r"[^A-Za-z0-9_]", "_", t)
        lines.append(f"  classDef {cls} fill:{fill},color:{text},stroke:#333")
        members = [ids[n["id"]] for n in sg["nodes"] if (n.get("type") or "other") == t]
        lines.append(f"  class {','.join(members)} {cls}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def dot_string(value: Any) -> str:
    """A DOT double-quoted string; newlines become centred line breaks."""
    text = CONTROL.sub(" ", str(value)).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def to_dot(sg: dict[str, Any]) -> bytes:
    reports = _reports_by_id(sg)
    lines = ["digraph peelgraph {",
             f"  graph [rankdir=LR, labelloc=t, fontsize=20, fontname=\"DejaVu Sans\", "
             f"label={dot_string(sg['title'])}];",
             '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=12];',
             '  edge [fontname="DejaVu Sans", fontsize=10];']
    for n in sg["nodes"]:
        _, fill, text = layout.node_style(n.get("type"))
        attrs = {"label": n["label"], "fillcolor": fill, "fontcolor": text, "tooltip": n.get("type") or "",
                 "peel_type": n.get("type") or "", **{f"peel_{k}": _scalar(n[k]) for k in LIST_KEYS if n[k]}}
        if n.get("polarity"):
            attrs["peel_polarity"] = n["polarity"]
        lines.append(f"  {dot_string(n['id'])} [" + ", ".join(f"{k}={dot_string(v)}" for k, v in attrs.items()) + "];")
    for e in sg["edges"]:
        st = layout.edge_style(e.get("type"), e.get("polarity"))
        style = "dashed" if st.dash and st.dash[0] > 4 else "dotted" if st.dash else "solid"
        attrs = {"id": e["id"], "label": str(e.get("type") or "").replace("_", " "), "color": st.colour,
                 "fontcolor": st.colour, "style": style, "penwidth": f"{st.width:g}",
                 "peel_polarity": e.get("polarity") or "", "peel_rule": e.get("rule") or ""}
        if e["evidence"]:
            attrs["tooltip"] = EVIDENCE_SEP.join(f"{ev.get('quote') or ''} ({citation(ev, reports)})"
                                                 for ev in e["evidence"])
        lines.append(f"  {dot_string(e['source'])} -> {dot_string(e['target'])} ["
                     + ", ".join(f"{k}={dot_string(v)}" for k, v in attrs.items()) + "];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


