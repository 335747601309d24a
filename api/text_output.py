"""Readable text for each CLI command's result (the same result ``--json`` prints as JSON)."""
from __future__ import annotations

import sys
from typing import Any


def _cite(h: dict[str, Any]) -> str:
    """year · section · ¶12 (· p. 4 when the source has pages): what a reader can look up."""
    section = (h.get("section") or "").split(" > ")[-1]
    parts = [str(h.get("year") or h.get("report_id") or ""), section]
    if h.get("paragraph") not in (None, ""):
        parts.append(f"\u00b6{h['paragraph']}")
    if h.get("page") is not None:
        parts.append(f"p. {h['page']}")
    return " \u00b7 ".join(p for p in parts if p)


def ingested(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        print(f"{r['status']:<10} {r['report_id']}  ({r['passages']} passages, {r['items']} items)  {r['source']}")
        for w in r.get("warnings") or []:
            print(f"  warning: {w}")


def build(result: dict[str, Any]) -> None:
    ingested(result["ingested"])
    print(f"store: {result['stats']['passages']} passages in {len(result['stats']['reports'])} reports")


def deleted(result: dict[str, Any]) -> None:
    print(f"deleted {result['report_id']}")


def reports(result: list[dict[str, Any]]) -> None:
    for r in result:
        print(f"{r['report_id']}\t{r['year']}\t{r['force']}\t{r['programme']}\t{r['passages']} passages\t{r['title']}")


def report(result: dict[str, Any]) -> None:
    print(f"{result['title']} [{result['report_id']}]\n  {result['force']}, {result['year']}, "
          f"{result['passages']} passages")
    for kind, rows in result["items"].items():
        if rows:
            print(f"\n{kind.replace('_', ' ')} ({len(rows)}):")
            items(rows)


def stats(result: dict[str, Any]) -> None:
    for r in result["reports"]:
        grades = "; ".join(f"{j['grade']} ({(j['question'] or '')[:50]})" for j in r["judgments"]) or "none"
        print(f"{r['report_id']}: {r['force']}, {r['programme']}, {r['year']}\n"
              f"  {r['passages']} passages, {r['recommendations']} recommendations, "
              f"{r['areas_for_improvement']} areas for improvement, {r['causes_of_concern']} causes of concern\n"
              f"  judgments: {grades}")
    print(f"total: {result['passages']} passages")


def passages(result: list[dict[str, Any]]) -> None:
    for p in result:
        print(f"[{p['passage_id']}] {p['kind']} | {_cite(p)}\n  {p['text']}\n")


def items(result: list[dict[str, Any]]) -> None:
    for it in result:
        extra = f" (carried over from {it['carried_over_from']})" if it["carried_over_from"] else ""
        grade = f" {it['grade']}" if it.get("grade") else ""
        print(f"[{it['item_id']}] {it['kind']}{grade}{extra}: {it['text']}")


def entities(result: list[dict[str, Any]]) -> None:
    for e in result:
        aka = f"  (aka {', '.join(e['aliases'][:4])})" if e["aliases"] else ""
        print(f"{e['id']}\t{e['type']}\t{e['label']}\t{e['mentions']} mentions{aka}")


def entity(result: dict[str, Any]) -> None:
    print(f"{result['label']} [{result['id']}] {result['type']}")
    if result["aliases"]:
        print(f"  aliases: {', '.join(result['aliases'])}")
    print(f"  reports: {', '.join(result['reports'])}")
    for r in result["relations"]:
        print(f"  {r['source']['label']} --{r['type']}--> {r['target']['label']}  [{r['rule']}]")
    for m in result["mentions"][:10]:
        print(f"  mention [{m['passage_id']}] {m['surface']!r}")


def relations(result: list[dict[str, Any]]) -> None:
    for r in result:
        q = r["evidence"][0]["quote"] if r["evidence"] else ""
        print(f"{r['source']['label']} --{r['type']} ({r['polarity']})--> {r['target']['label']}\n"
              f"    [{r['rule']}] {q[:160]}")


def findings(result: list[dict[str, Any]]) -> None:
    for f in result:
        print(f"[{f['id']}] {f['polarity']}: {f['text']}")


def crosscutting(result: list[dict[str, Any]]) -> None:
    for c in result:
        print(f"{c['score']:>3}  {c['label']}: {c['why']}")
        for a in c["affects"]:
            print(f"       -> {a['target']['label']}")


def involved(result: list[dict[str, Any]]) -> None:
    for c in result:
        print(f"{c['score']:>5.1f}  {c['label']} ({c['type']}): {c['why']}")


def rdf(result: dict[str, Any]) -> None:
    sys.stdout.write(result["rdf"])


def search(result: dict[str, Any]) -> None:
    if not result["hits"]:
        print("no passages found")
    for n, h in enumerate(result["hits"], 1):
        quote = " ".join(h.get("quotes") or []) or h["text"][:200]
        print(f"{n:>2}. [{h['passage_id']}] {h['force'] or ''} {_cite(h)} ({h['kind']}, score {h['score']:.3f})\n"
              f"    {quote}")


def ask(result: dict[str, Any]) -> None:
    """The lead line and the quotes with their citations when the answer has them, else its plain text."""
    quotes = result.get("quotes")
    if not quotes:
        print(result["answer"])
        return
    for q in quotes:
        print(f"\u201c{q['text']}\u201d\n    \u2014 {q.get('force') or ''} {_cite(q)}")


def trace(result: dict[str, Any]) -> None:
    for i, p in enumerate(result["paths"], 1):
        print(f"{i}. " + " -> ".join(n["label"] for n in p["nodes"]))
        for e in p["edges"]:
            ev = e["evidence"][0] if e["evidence"] else {}
            print(f"     {e['type']}: \"{ev.get('quote', '')}\"")
    if not result["paths"]:
        print("no evidenced path found")


def compare(result: dict[str, Any]) -> None:
    print(f"{result['topic']}: " + ", ".join(m["label"] for m in result.get("matched", [])))
    for col in result["reports"]:
        grades = "; ".join(f"{j['grade']} ({j['question']})" for j in col["judgments"])
        print(f"\n{col['year']}  {col['title']}" + (f"\n  judgments: {grades}" if grades else ""))
        for key, name in (("strengths", "strength"), ("weaknesses", "weakness"), ("recommendations", "item")):
            for row in col[key][:5]:
                print(f"  {name}: {row['text'][:200]}")
    for key in ("persisted", "improved", "worsened"):
        for pair in result[key]:
            if "before" in pair:
                print(f"\n{key} {pair['from_year']} -> {pair['to_year']}:\n  before: {pair['before']['text'][:160]}"
                      f"\n  after:  {pair['after']['text'][:160]}")
            else:
                a, b = pair["judgment"]
                print(f"\n{key} {pair['from_year']} -> {pair['to_year']}: {a['question']}: "
                      f"{a['grade']} -> {b['grade']}")


def themes(result: list[dict[str, Any]]) -> None:
    for t in result:
        print(f"{t['id']}\t{t['label']}\t{t['passages']} passages")


def sparql(result: dict[str, Any]) -> None:
    if result["type"] == "ask":
        print("yes" if result["boolean"] else "no")
    elif result["type"] == "select":
        print("\t".join(result["vars"]))
        for row in result["rows"]:
            print("\t".join(_term(row.get(v)) for v in result["vars"]))
        if result.get("truncated"):
            print("(more rows not shown)")
    else:
        sys.stdout.write(result.get("turtle", ""))


def _term(value: Any) -> str:
    """A SPARQL binding ({"type", "value"} or a plain value) as its text."""
    if isinstance(value, dict):
        return str(value.get("value", ""))
    return "" if value is None else str(value)


def export(result: dict[str, Any]) -> None:
    print(f"wrote {result['out']} ({result['format']}, {result['bytes']} bytes)")


def tracker(result: dict[str, Any]) -> None:
    counts = result["counts"]
    print(f"{len(result['items'])} items: {counts['carried_over']} carried over, {counts['found_again']} found again,"
          f" {counts['new']} new")
    for r in result["items"]:
        origin = f" from {r['origin']['label']}" if r["origin"] else ""
        into = "".join(f"; carried into {c['year']}" for c in r["carried_into"])
        again = "".join(f"; found again in {y}" for y in dict.fromkeys(x["later"]["year"] for x in r["recurs"]))
        print(f"\n[{r['status'].replace('_', ' ')}{origin}] {r['kind'].replace('_', ' ')}, {r['year']}"
              f" (origin {r['origin_year']}){into}{again}\n  {r['text']}")
        for ev in r["evidence"]:
            print(f"  \u2014 {_cite(ev)}")


def legend(result: dict[str, Any]) -> None:
    for t, d in result["node_types"].items():
        print(f"node      {t:<22} {d['fill']}  {d['label']}")
    for t, d in result["relation_types"].items():
        print(f"relation  {t:<22} {d['colour']}  {d['label']}")
    for t, d in result["polarity"].items():
        print(f"polarity  {t:<22} {d['colour']}")
