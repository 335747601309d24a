"""The peelgraph command line: one table of commands over the Service facade, text or --json output.

Each command is one entry of ``COMMANDS``: its name, help, arguments, the Service
call and the text printer. Errors end with a one-line message on stderr and a
non-zero exit code (2 bad input, 3 not found, 4 forbidden, 5 store, 1 anything else).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from api import text_output as show
from api.settings import get_settings
from graph.errors import BadInput, PeelgraphError
from graph.records import ITEM_KINDS

Args = argparse.Namespace


@dataclass(frozen=True)
class Arg:
    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    call: Callable[[Any, Args], Any]  # (Service, parsed arguments) -> the JSON-able result
    show: Callable[[Any], None]  # the result as readable text
    args: tuple[Arg, ...] = ()


REPORT = arg("--report", help="report id")
YEAR = arg("--year", help="year or period, e.g. 2019 or 2018/19")
FORCE = arg("--force", help="force name")


def _ingest(svc: Any, a: Args) -> Any:
    bar = _Progress(len(a.paths) if a.paths else None, quiet=a.json)
    try:
        if a.command == "build":
            return svc.build(a.paths or None, progress=bar.step, jobs=a.jobs)
        return svc.ingest(a.paths, progress=bar.step)
    finally:
        bar.close()


def _export(svc: Any, a: Args) -> dict[str, Any]:
    trace = {"from": a.trace_from, "to": a.trace_to} if a.trace_from else None
    data, media_type, name = svc.export(a.format, node_ids=a.node_ids, theme=a.theme, query=a.query,
                                        question=a.question, trace=trace, entity=a.entity, depth=a.depth,
                                        title=a.title)
    try:
        with open(a.out, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise BadInput(f"{a.out}: cannot write the file ({exc.strerror})") from exc
    return {"out": a.out, "format": a.format, "media_type": media_type, "bytes": len(data), "suggested_name": name}


EXPORT_ARGS = (
    arg("--format", required=True, help="graphml, gexf, json, cytoscape, csv, turtle, jsonld, cypher, mermaid, dot, "
                                        "svg, png, pptx"),
    arg("--out", required=True, help="file to write"),
    arg("--node", dest="node_ids", action="append", metavar="ID", help="a node id (repeatable)"),
    arg("--theme"), arg("--query", help="the subgraph of a search"),
    arg("--question", help="the subgraph of an answer"),
    arg("--trace-from", dest="trace_from", help="the paths of a trace (with --trace-to)"),
    arg("--entity", help="an entity's neighbourhood (with --depth)"),
    arg("--trace-to", dest="trace_to"), arg("--depth", type=int, default=1), arg("--title"),
)

COMMANDS: tuple[Command, ...] = (
    Command("build", "ingest report files or folders (default: the bundled corpus); a file that fails is listed "
            "at the end and the rest go on (exit 2 if any failed)", _ingest, show.build,
            (arg("paths", nargs="*", metavar="PATH"),
             arg("--jobs", type=int, default=1, metavar="N", help="parse and extract in N worker processes")),),
    Command("ingest", "ingest report files (.txt, .pdf, .html, .docx)", _ingest, show.ingested,
            (arg("paths", nargs="+", metavar="PATH"),)),
    Command("delete", "remove a report and everything derived from it", lambda s, a: s.delete(a.report_id),
            show.deleted, (arg("report_id", metavar="REPORT_ID"),)),
    Command("reports", "list the reports in the store", lambda s, a: s.reports(), show.reports),
    Command("report", "one report: its judgments, causes of concern, recommendations and areas for improvement",
            lambda s, a: s.report(a.report_id), show.report, (arg("report_id", metavar="REPORT_ID"),)),
    Command("stats", "counts per report: passages, recommendations, judgments ...", lambda s, a: s.stats(),
            show.stats),
    Command("passages", "list passages", lambda s, a: s.passages(a.report, a.kind, a.limit, a.offset), show.passages,
            (REPORT, arg("--kind", help="passage kind (paragraph, summary, recommendation, footnote ...)"),
             arg("--limit", type=int, default=None), arg("--offset", type=int, default=0))),
    Command("items", "list recommendations, areas for improvement, causes of concern, judgments",
            lambda s, a: s.items(a.report, a.kind), show.items, (REPORT, arg("--kind", choices=ITEM_KINDS))),
    Command("tracker", "every recommendation, AFI and cause of concern: origin year, carried over, found again",
            lambda s, a: s.tracker(a.kind, a.status, a.q), show.tracker,
            (arg("--kind", choices=("recommendation", "area_for_improvement", "cause_of_concern")),
             arg("--status", choices=("carried_over", "found_again", "new")),
             arg("--q", help="words the item must contain"))),
    Command("entities", "list entities of the knowledge graph (units, partners, programmes, issues ...)",
            lambda s, a: s.entities(a.type, a.q), show.entities,
            (arg("--type", help="force, partner, unit, role, programme, legislation, metric, issue, theme ..."),
             arg("--q", help="text in the label or an alias"))),
    Command("entity", "one entity: aliases, mentions with passages, relations, neighbours",
            lambda s, a: s.entity(a.name), show.entity, (arg("name", metavar="NAME_OR_ID"),)),
    Command("relations", "list evidenced relations", lambda s, a: s.relations(a.type, a.entity), show.relations,
            (arg("--type", help="affects, causes, partners_with, responsible_for, recurs, metric_change ..."),
             arg("--entity", metavar="NAME_OR_ID", help="only relations of this entity"))),
    Command("findings", "list findings (evaluative statements) with polarity",
            lambda s, a: s.findings(a.theme, a.polarity, a.report), show.findings,
            (arg("--theme", help="theme id or label"), arg("--polarity", choices=("strength", "weakness", "neutral")),
             REPORT)),
    Command("crosscutting", "issues and units ranked by how many themes, questions and reports they span",
            lambda s, a: s.crosscutting(), show.crosscutting),
    Command("involved", "who is involved: roles, units and partners ranked by the spread of their mentions",
            lambda s, a: s.involved(), show.involved),
    Command("rdf", "the knowledge graph as RDF", lambda s, a: {"format": a.format, "rdf": s.rdf(a.format)}, show.rdf,
            (arg("--format", choices=("turtle", "json-ld"), default="turtle"),)),
    Command("search", "hybrid passage search (keyword + dense), with filters",
            lambda s, a: s.search(a.query, k=a.k, mode=a.mode, report=a.report, force=a.force, year=a.year,
                                  theme=a.theme, kind=a.kind, entity=a.entity), show.search,
            (arg("query", metavar="QUERY"), arg("--k", type=int, default=10, help="number of hits (default 10)"),
             arg("--mode", default="hybrid", help="hybrid (default), keyword or dense"), REPORT, FORCE, YEAR,
             arg("--theme", help="theme id or label"),
             arg("--kind", help="passage kind (paragraph, summary, recommendation ...)"),
             arg("--entity", help="only passages about this entity"))),
    Command("ask", "answer a question with quoted, cited sentences from the reports",
            lambda s, a: s.ask(a.question, k=a.k, force=a.force, year=a.year, report=a.report), show.ask,
            (arg("question", metavar="QUESTION"),
             arg("--k", type=int, default=8, help="evidence passages to draw on (default 8)"), FORCE, YEAR, REPORT)),
    Command("trace", "evidenced paths between two concepts, or what one concept affects and is affected by",
            lambda s, a: s.trace(a.source, a.target, depth=a.depth, via=a.via), show.trace,
            (arg("source", metavar="FROM"), arg("target", nargs="?", metavar="TO"),
             arg("--depth", type=int, default=4),
             arg("--via", choices=("meaning", "themes"), default=None,
                 help="themes: also walk theme and mentions hops (default: cause-and-effect and partner edges)"))),
    Command("compare", "a theme or entity across reports, side by side by year", lambda s, a: s.compare(a.topic),
            show.compare, (arg("topic", metavar="THEME_OR_ENTITY"),)),
    Command("themes", "the themes of the SKOS scheme and how many passages each tags", lambda s, a: s.themes(),
            show.themes),
    Command("legend", "node fills, relation strokes and polarity colours of every picture", lambda s, a: s.legend(),
            show.legend),
    Command("sparql", "run a read-only SPARQL query over the RDF view", lambda s, a: s.sparql(a.query), show.sparql,
            (arg("query", metavar="QUERY"),)),
    Command("export", "write a subgraph for slides or other tools (choose it with one of --node, --theme, --query, "
            "--question, --trace-from, --entity)", _export, show.export, EXPORT_ARGS),
)
BY_NAME = {c.name: c for c in COMMANDS}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="peelgraph",
                                description="Knowledge graph and search over police inspection reports.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for c in COMMANDS:
        sp = sub.add_parser(c.name, help=c.help, description=c.help)
        sp.add_argument("--json", action="store_true", help="print JSON")
        for a in c.args:
            sp.add_argument(*a.flags, **a.options)
    sp = sub.add_parser("serve", help="serve the API and web page with uvicorn (PEELGRAPH_HOST, PEELGRAPH_PORT)")
    sp.add_argument("--host", default=None)
    sp.add_argument("--port", type=int, default=None)
    sp.add_argument("--workers", type=int, default=1,
                    help="worker processes (more than 1 needs PostgreSQL: PEELGRAPH_DATABASE_URL)")
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


def _run(args: Args) -> int:
    settings = get_settings()
    if args.command == "serve":
        return _serve(settings.model_copy(update={"host": args.host or settings.host,
                                                  "port": args.port or settings.port}), args.workers)
    if args.command == "export" and not (args.node_ids or args.theme or args.query or args.question
                                         or args.trace_from or args.entity):
        raise BadInput("choose the subgraph: --node, --theme, --query, --question, --trace-from or --entity")
    from api.service import Service

    command = BY_NAME[args.command]
    result = command.call(Service(settings), args)
    failed = result.get("failed") if isinstance(result, dict) else None
    if failed and not result.get("ingested"):  # nothing written: only the reasons, as for any error
        return _failures(failed)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        command.show(result)
    return _failures(failed) if failed else 0


def _failures(failed: list[dict[str, str]]) -> int:
    """The files a build could not ingest, one line each on stderr; exit code 2 (bad input)."""
    for f in failed:
        print(f"peelgraph: error: {f['error']}", file=sys.stderr)
    if len(failed) > 1:
        print(f"peelgraph: {len(failed)} files failed", file=sys.stderr)
    return BadInput.exit_code


class _Progress:
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


def _serve(settings: Any, workers: int = 1) -> int:
    """Serve the app built from these settings: the bound address decides whether writes need a key.

    Several workers are separate processes that share nothing but the store, so they need one that
    several processes can write and watch (PostgreSQL); each builds its app from the environment,
    which carries the host and port to them while they start.
    """
    import uvicorn

    if workers < 1:
        raise BadInput("--workers must be at least 1")
    if workers == 1:
        from api.app import create_app

        app = create_app(settings)
        app.state.warm_on_start = True  # the model, the in-memory views and the helper: before the first request
        app.state.queries_apart = True  # one worker: its queries are encoded on the core it cannot use
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
        return 0
    if not settings.database_url:
        raise BadInput(f"--workers {workers} needs the PostgreSQL store (set PEELGRAPH_DATABASE_URL); "
                       "the SQLite store is served by one worker")
    from uvicorn.supervisors import Multiprocess

    with _environment(PEELGRAPH_HOST=settings.host, PEELGRAPH_PORT=str(settings.port)):
        config = uvicorn.Config("api.app:served_app", factory=True, host=settings.host, port=settings.port,
                                workers=workers, log_level="info")
        try:
            Multiprocess(config, sockets=[tcp_socket(config.bind_socket())]).run()
        except KeyboardInterrupt:
            pass
    return 0


def tcp_socket(sock: socket.socket) -> socket.socket:
    """The listening socket the workers share, labelled TCP. uvicorn makes it with protocol 0, and asyncio
    turns Nagle's algorithm off (TCP_NODELAY) only on accepted sockets labelled TCP: every response then
    waited for the client's delayed acknowledgement (about 40 ms a request with one client)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    tcp.set_inheritable(True)
    return tcp


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """These environment variables while the block runs (worker processes inherit them), then as before."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
