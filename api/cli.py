"""The peelgraph command line: the Service facade with text or --json output.

Errors end with a one-line message on stderr and a non-zero exit code
(2 bad input, 3 not found, 4 forbidden, 5 store, 1 anything else).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from api.settings import get_settings
from graph.errors import BadInput, PeelgraphError
from graph.records import ITEM_KINDS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="peelgraph", description="Knowledge graph and search over police inspection reports.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_, description=help_)
        c.add_argument("--json", action="store_true", help="print JSON")
        return c

    c = cmd("build", "ingest report files or folders (default: the bundled corpus)")
    c.add_argument("paths", nargs="*", metavar="PATH")
    c = cmd("ingest", "ingest report files (.txt, .pdf, .html, .docx)")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c = cmd("delete", "remove a report and everything derived from it")
    c.add_argument("report_id", metavar="REPORT_ID")
    cmd("reports", "list the reports in the store")
    cmd("stats", "counts per report: passages, recommendations, judgments ...")
    c = cmd("passages", "list passages")
    c.add_argument("--report", help="report id")
    c.add_argument("--kind", help="passage kind (paragraph, summary, recommendation, footnote ...)")
    c.add_argument("--limit", type=int, default=None)
    c.add_argument("--offset", type=int, default=0)
    c = cmd("items", "list recommendations, areas for improvement, causes of concern, judgments")
    c.add_argument("--report", help="report id")
    c.add_argument("--kind", choices=ITEM_KINDS)
    c = cmd("entities", "list entities of the knowledge graph (units, partners, programmes, issues ...)")
    c.add_argument("--type", help="force, partner, unit, role, programme, legislation, metric, issue, theme ...")
    c.add_argument("--q", help="text in the label or an alias")
    c = cmd("entity", "one entity: aliases, mentions with passages, relations, neighbours")
    c.add_argument("name", metavar="NAME_OR_ID")
    c = cmd("relations", "list evidenced relations")
    c.add_argument("--type", help="affects, causes, partners_with, responsible_for, recurs, metric_change ...")
    c.add_argument("--entity", metavar="NAME_OR_ID", help="only relations of this entity")
    c = cmd("findings", "list findings (evaluative statements) with polarity")
    c.add_argument("--theme", help="theme id or label")
    c.add_argument("--polarity", choices=("strength", "weakness", "neutral"))
    c.add_argument("--report", help="report id")
    cmd("crosscutting", "issues and units ranked by how many themes, questions and reports they span")
    c = cmd("rdf", "the knowledge graph as RDF")
    c.add_argument("--format", choices=("turtle", "json-ld"), default="turtle")
    c = cmd("search", "hybrid passage search (keyword + dense), with filters")
    c.add_argument("query", metavar="QUERY")
    c.add_argument("--k", type=int, default=10, help="number of hits (default 10)")
    c.add_argument("--mode", default="hybrid", help="hybrid (default), keyword or dense")
    c.add_argument("--report", help="report id")
    c.add_argument("--force", help="force name")
    c.add_argument("--year", help="year or period, e.g. 2019 or 2018/19")
    c.add_argument("--theme", help="theme id or label")
    c.add_argument("--kind", help="passage kind (paragraph, summary, recommendation ...)")
    c.add_argument("--entity", help="only passages about this entity")
    c = cmd("ask", "answer a question with quoted, cited sentences from the reports")
    c.add_argument("question", metavar="QUESTION")
    c.add_argument("--k", type=int, default=8, help="evidence passages to draw on (default 8)")
    c = cmd("trace", "evidenced paths between two concepts, or what one concept affects and is affected by")
    c.add_argument("source", metavar="FROM")
    c.add_argument("target", nargs="?", metavar="TO")
    c.add_argument("--depth", type=int, default=4)
    c.add_argument("--via", choices=("meaning", "themes"), default=None,
                   help="themes: also walk theme and mentions hops (default: cause-and-effect and partner edges)")
    c = cmd("compare", "a theme or entity across reports, side by side by year")
    c.add_argument("topic", metavar="THEME_OR_ENTITY")
    cmd("themes", "the themes of the SKOS scheme and how many passages each tags")
    c = cmd("sparql", "run a read-only SPARQL query over the RDF view")
    c.add_argument("query", metavar="QUERY")
    c = cmd("export", "write a subgraph for slides or other tools")
    c.add_argument("--format", required=True, help="graphml, gexf, json, cytoscape, csv, turtle, jsonld, cypher, "
                                                    "mermaid, dot, svg, png, pptx")
    c.add_argument("--out", required=True, help="file to write")
    sel = c.add_mutually_exclusive_group(required=True)
    sel.add_argument("--node", dest="node_ids", action="append", metavar="ID", help="a node id (repeatable)")
    sel.add_argument("--theme")
    sel.add_argument("--query", help="the subgraph of a search")
    sel.add_argument("--question", help="the subgraph of an answer")
    sel.add_argument("--trace-from", dest="trace_from", help="the paths of a trace (with --trace-to)")
    sel.add_argument("--entity", help="an entity's neighbourhood (with --depth)")
    c.add_argument("--trace-to", dest="trace_to")
    c.add_argument("--depth", type=int, default=1)
    c.add_argument("--title")
    c = sub.add_parser("serve", help="serve the API and web page with uvicorn")
    c.add_argument("--host", default=None)
    c.add_argument("--port", type=int, default=None)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except PeelgraphError as exc:
        print(f"peelgraph: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("peelgraph: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI promises one line, not a traceback
        print(f"peelgraph: internal error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.command == "serve":
        return _serve(args.host or settings.host, args.port or settings.port)
    from api.service import Service

    service = Service(settings)
    result: Any
    if args.command in ("build", "ingest"):
        bar = _progress(len(args.paths) if args.paths else None, quiet=args.json)
        try:
            if args.command == "build":
                result = service.build(args.paths or None, progress=bar.step)
            else:
                result = service.ingest(args.paths, progress=bar.step)
        finally:
            bar.close()
    elif args.command == "delete":
        result = service.delete(args.report_id)
    elif args.command == "reports":
        result = service.reports()
    elif args.command == "stats":
        result = service.stats()
    elif args.command == "passages":
        result = service.passages(args.report, args.kind, args.limit, args.offset)
    elif args.command == "items":
        result = service.items(args.report, args.kind)
    elif args.command == "entities":
        result = service.entities(args.type, args.q)
    elif args.command == "entity":
        result = service.entity(args.name)
    elif args.command == "relations":
        result = service.relations(args.type, args.entity)
    elif args.command == "findings":
        result = service.findings(args.theme, args.polarity, args.report)
    elif args.command == "crosscutting":
        result = service.crosscutting()
    elif args.command == "rdf":
        text = service.rdf(args.format)
        if args.json:
            result = {"format": args.format, "rdf": text}
        else:
            sys.stdout.write(text)
            return 0
    elif args.command == "search":
        result = service.search(args.query, k=args.k, mode=args.mode, report=args.report, force=args.force,
                                year=args.year, theme=args.theme, kind=args.kind, entity=args.entity)
    elif args.command == "ask":
        result = service.ask(args.question, k=args.k)
    elif args.command == "trace":
        result = service.trace(args.source, args.target, depth=args.depth, via=args.via)
    elif args.command == "compare":
        result = service.compare(args.topic)
    elif args.command == "themes":
        result = service.themes()
    elif args.command == "sparql":
        result = service.sparql(args.query)
    elif args.command == "export":
        trace = {"from": args.trace_from, "to": args.trace_to} if args.trace_from else None
        data, media_type, name = service.export(
            args.format, node_ids=args.node_ids, theme=args.theme, query=args.query, question=args.question,
            trace=trace, entity=args.entity, depth=args.depth, title=args.title)
        try:
            with open(args.out, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise BadInput(f"{args.out}: cannot write the file ({exc.strerror})") from exc
        result = {"out": args.out, "format": args.format, "media_type": media_type, "bytes": len(data),
                  "suggested_name": name}
    else:  # pragma: no cover - argparse rejects unknown commands
        raise SystemExit(2)
    _print(args.command, result, args.json)
    return 0


class _progress:
    """A progress bar on stderr for long work (quiet under --json or when not a terminal)."""

    def __init__(self, total: int | None, quiet: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="file", desc="ingest", file=sys.stderr,
                        disable=quiet or not sys.stderr.isatty(), leave=False)

    def step(self, name: str, number: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.total = total
        self.bar.set_postfix_str(name[:40])
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _print(command: str, result: Any, as_json: bool) -> None:
    if as_json or command in ("compare", "sparql", "themes"):
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if command == "export":
        print(f"wrote {result['out']} ({result['format']}, {result['bytes']} bytes)")
        return
    if command == "trace":
        for i, p in enumerate(result["paths"], 1):
            print(f"{i}. " + " -> ".join(n["label"] for n in p["nodes"]))
            for e in p["edges"]:
                ev = e["evidence"][0] if e["evidence"] else {}
                print(f"     {e['type']}: \"{ev.get('quote', '')}\" [{ev.get('passage_id', '')}]")
        if not result["paths"]:
            print("no evidenced path found")
        return
    if command in ("build", "ingest"):
        rows = result["ingested"] if command == "build" else result
        for r in rows:
            print(f"{r['status']:<10} {r['report_id']}  ({r['passages']} passages, {r['items']} items)  {r['source']}")
        if command == "build":
            print(f"store: {result['stats']['passages']} passages in {len(result['stats']['reports'])} reports")
    elif command == "delete":
        print(f"deleted {result['report_id']}")
    elif command == "reports":
        for r in result:
            print(f"{r['report_id']}\t{r['year']}\t{r['force']}\t{r['programme']}\t{r['passages']} passages\t{r['title']}")
    elif command == "stats":
        for r in result["reports"]:
            grades = "; ".join(f"{j['grade']} ({(j['question'] or '')[:50]})" for j in r["judgments"]) or "none"
            print(f"{r['report_id']}: {r['force']}, {r['programme']}, {r['year']}\n"
                  f"  {r['passages']} passages, {r['recommendations']} recommendations, "
                  f"{r['areas_for_improvement']} areas for improvement, {r['causes_of_concern']} causes of concern\n"
                  f"  judgments: {grades}")
        print(f"total: {result['passages']} passages")
    elif command == "passages":
        for p in result:
            print(f"[{p['passage_id']}] {p['kind']} | {p['section']} ¶{p['paragraph']}\n  {p['text']}\n")
    elif command == "entities":
        for e in result:
            aka = f"  (aka {', '.join(e['aliases'][:4])})" if e["aliases"] else ""
            print(f"{e['id']}\t{e['type']}\t{e['label']}\t{e['mentions']} mentions{aka}")
    elif command == "entity":
        print(f"{result['label']} [{result['id']}] {result['type']}")
        if result["aliases"]:
            print(f"  aliases: {', '.join(result['aliases'])}")
        print(f"  reports: {', '.join(result['reports'])}")
        for r in result["relations"]:
            print(f"  {r['source']['label']} --{r['type']}--> {r['target']['label']}  [{r['rule']}]")
        for m in result["mentions"][:10]:
            print(f"  mention [{m['passage_id']}] {m['surface']!r}")
    elif command == "relations":
        for r in result:
            q = r["evidence"][0]["quote"] if r["evidence"] else ""
            print(f"{r['source']['label']} --{r['type']} ({r['polarity']})--> {r['target']['label']}\n"
                  f"    [{r['rule']}] {q[:160]}")
    elif command == "findings":
        for f in result:
            print(f"[{f['id']}] {f['polarity']}: {f['text']}")
    elif command == "crosscutting":
        for c in result:
            print(f"{c['score']:>3}  {c['label']} ({c['type']}): {len(c['themes'])} themes, "
                  f"{len(c['questions'])} questions, {len(c['reports'])} reports")
            for a in c["affects"]:
                print(f"       -> {a['target']['label']}")
    elif command == "search":
        if not result["hits"]:
            print("no passages found")
        for n, h in enumerate(result["hits"], 1):
            quote = " ".join(h.get("quotes") or []) or h["text"][:200]
            print(f"{n:>2}. [{h['passage_id']}] {h['year']} {h['force'] or ''} | {h['section']} \u00b6{h['paragraph']}"
                  f" ({h['kind']}, score {h['score']:.3f})\n    {quote}")
    elif command == "ask":
        print(result["answer"])
        edges = result.get("graph", {}).get("edges", [])
        if edges:
            print("\nrelations:")
            for e in edges[:20]:
                print(f"  {e.get('source')} --{e.get('type')}--> {e.get('target')}")
    elif command == "items":
        for it in result:
            extra = f" (carried over from {it['carried_over_from']})" if it["carried_over_from"] else ""
            print(f"[{it['item_id']}] {it['kind']}{extra}: {it['text']}")


def _serve(host: str, port: int) -> int:
    import os

    import uvicorn

    # the app decides whether writes need a key from the address it is bound to
    os.environ["PEELGRAPH_HOST"] = host
    get_settings.cache_clear()
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
