"""The Service facade: the one place the CLI and the HTTP routes call into."""
from __future__ import annotations

import threading
from functools import partial
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from api.helper_process import HelperDied, HelperProcess, prepare_upload
from api.settings import Settings
from graph.errors import BadInput, InvalidParameter, NotFound
from graph.ingest.load import load, load_bytes
from graph.records import ITEM_KINDS, Item, Passage, Report
from graph.ingest.pipeline import build_report
from graph.stores import open_store
from search.encoders import MiniLMEncoder, encode_few

REPORT_SUFFIXES = {".txt", ".pdf", ".html", ".htm", ".docx"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
Progress = Callable[[str, int, int], None]  # (file name, number, of how many)


class _Superseded(Exception):
    """A graph replaced before its communities were computed (they are no longer needed ahead of time)."""


class Service:
    def __init__(self, settings: Settings, helper: bool = False) -> None:
        """``helper``: parse and extract uploads, and compute graph communities, in a helper process (for a
        server: its readers keep the interpreter lock), rather than in the calling thread."""
        self.settings = settings
        self.helper = HelperProcess() if helper else None
        self.queries: HelperProcess | None = None  # a one-worker server's query encoder (``warm``)
        self._community_turn = threading.Lock()  # community jobs, newest graph only, one after another
        self._newest: Any = None  # the graph whose communities the helper is asked for
        self.store = open_store(settings.store, settings.database_url, settings.vector_search,
                                settings.database_read_url)
        self.on_put: list[Callable[[Any, Report], None]] = []
        self.on_delete: list[Callable[[Any, str], None]] = []
        # the knowledge graph (graph/build.py): extracted in each report's own write transaction
        from graph import build as _knowledge

        self._extracted: dict[int, Any] = {}  # id(report) -> its graph, extracted ahead by `build --jobs`
        self.on_put.append(lambda con, r: _knowledge.write_report(con, r, self._extracted.get(id(r))))
        self.on_delete.append(_knowledge.delete_report)
        self._graph: Any = None
        self._graph_generation = -1
        self._graph_lock = threading.Lock()
        self._rdf: tuple[Any, Any] | None = None  # (knowledge graph, its rdflib graph) for SPARQL
        # steps run on a report before its write transaction opens (slow work such as encoding)
        self.before_put: list[Callable[[Report], None]] = []
        self._search_engine: Any = None  # search.engine.SearchEngine, built on first use (loads the encoder)
        self.before_put.append(lambda r: self.search_engine.index.prepare(r))
        self.on_put.append(lambda con, r: self.search_engine.index.on_put(con, r))

    # ------------------------------------------------------------ writes

    def build(self, paths: Iterable[str | Path] | None = None, progress: Progress | None = None,
              jobs: int = 1) -> dict[str, Any]:
        """Ingest the given files and folders, or the bundled corpus, one transaction per report. A file that
        cannot be read or parsed goes to "failed" (file, one-line reason) and the rest go on; with ``jobs``
        > 1, files are parsed and extracted in that many worker processes and written here in order."""
        from graph.batch import Failed, prepare_all

        files = _expand(paths or [self.settings.corpus])
        if not files:
            raise BadInput("no report files found (looked for .txt, .pdf, .html, .docx)")
        if jobs < 1:
            raise InvalidParameter("--jobs must be at least 1")
        ingested, failed = [], []
        for n, item in enumerate(prepare_all(files, self.settings.max_upload_bytes, jobs), 1):
            if progress:
                progress(Path(item.path).name, n, len(files))
            if isinstance(item, Failed):
                failed.append({"file": item.path, "error": item.error})
                continue
            ingested.append(self._put(item.report, item.graph))
        self._refreshed(None)
        return {"ingested": ingested, "failed": failed, "stats": self.stats()}

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None) -> list[dict[str, Any]]:
        """All files are read and checked before anything is written: one bad file writes nothing."""
        reports = []
        files = list(paths)
        for n, path in enumerate(files, 1):
            if progress:
                progress(Path(path).name, n, len(files))
            raw = load(path, max_bytes=self.settings.max_upload_bytes)
            reports.append(build_report(raw))
        return self._refreshed([self._put(r) for r in reports])

    def ingest_bytes(self, data: bytes, name: str) -> dict[str, Any]:
        """An upload: read, parsed and extracted in the helper process if there is one, then written here."""
        if self.helper is None:
            raw = load_bytes(data, name, max_bytes=self.settings.max_upload_bytes)
            return self._refreshed(self._put(build_report(raw)))
        try:
            report, extracted = self.helper.call(prepare_upload, data, name, self.settings.max_upload_bytes)
        except HelperDied as exc:
            raise BadInput(f"{name}: the process reading it stopped ({exc})") from exc
        return self._refreshed(self._put(report, extracted))

    def warm(self, queries_apart: bool = False) -> None:
        """Load what the first requests would otherwise load while others wait on them (the encoder's model,
        the search snapshot, the graph, the helper process): for a server, before it takes requests. A server
        of one worker also encodes its queries in a process of their own: one worker's threads share one
        interpreter lock, so a second core would idle (with several workers, they use the cores)."""
        self.search_engine.index.snapshot()
        encoder = self.search_engine.index.encoder
        if queries_apart and isinstance(encoder, MiniLMEncoder) and self.queries is None:
            self.queries = HelperProcess()
            self.queries.call(encode_few, ["warm-up"])  # its model loaded before the first request
            encoder.encode_apart(partial(self.queries.call, encode_few))
        encoder.encode(["warm-up"])
        self.knowledge()
        if self.helper is not None:
            self.helper.warm()

    def _refreshed(self, result: Any) -> Any:
        """After a write: move the loaded in-memory views (search snapshot, graph) on by the changed reports
        now, so the next reader finds them ready; views not loaded yet stay unloaded."""
        if self._search_engine is not None and self._search_engine.index.loaded:
            self._search_engine.index.snapshot(wait=True)
        if self._graph is not None:
            self.knowledge(wait=True)
        return result

    def _put(self, report: Report, extracted: Any = None) -> dict[str, Any]:
        # Derived data (graph, embeddings) is written in the same transaction as the report:
        # each stage registers a hook in self.on_put / self.on_delete: hook(con, report_or_id).
        # ``extracted``: the report's graph, already extracted (by build's workers or the helper process).
        if not self.store.has_content(report.sha256):  # re-ingesting the same file needs no encoding
            for step in self.before_put:
                step(report)
        if extracted is not None:
            self._extracted[id(report)] = extracted
        try:
            status = self.store.put_report(report, extra=lambda con, r: [h(con, r) for h in self.on_put])
        finally:
            self._extracted.pop(id(report), None)
        # Report.warnings comes with the formats work ("no force or period found ..."); until then there are none
        warnings = list(getattr(report, "warnings", None) or [])
        if not warnings and not report.meta.force and not report.meta.year:  # never accept such a file silently
            warnings.append("no force or period found: this may not be an inspection report")
        return {"report_id": report.report_id, "source": report.source, "status": status,
                "passages": len(report.passages), "items": len(report.items), "warnings": warnings}

    def delete(self, report_id: str) -> dict[str, Any]:
        self.store.delete_report(report_id, extra=lambda con, rid: [h(con, rid) for h in self.on_delete])
        return self._refreshed({"report_id": report_id, "status": "deleted"})

    # ------------------------------------------------------------ search and answers

    @property
    def search_engine(self) -> Any:
        if self._search_engine is None:
            from search.engine import SearchEngine

            self._search_engine = SearchEngine(self.store, self.settings.encoder, self.settings.max_query_chars,
                                               self.settings.max_k, graph=self)
        return self._search_engine

    def search(self, query: str, k: int = 10, mode: str = "hybrid", report: str | None = None,
               force: str | None = None, year: str | None = None, theme: str | None = None,
               kind: str | None = None, entity: str | None = None) -> dict[str, Any]:
        """Hybrid (default), keyword or dense passage search -> {"query", "mode", "hits"}."""
        return self.search_engine.search(query, k=k, mode=mode, report=report, force=force, year=year,
                                         theme=theme, kind=kind, entity=entity)

    def ask(self, question: str, k: int = 8, force: str | None = None, year: str | None = None,
            report: str | None = None) -> dict[str, Any]:
        """An extractive, cited answer -> {"question", "lead", "quotes", "answer", "evidence", "graph"}
        (+ "prose" if configured)."""
        result = self.search_engine.ask(question, k=k, force=force, year=year, report=report)
        if self.settings.llm_url:
            from search.rewrite import rewrite

            result = rewrite(result, self.settings.llm_url, self.settings.llm_model, self.settings.llm_api_key)
        return result

    # ------------------------------------------------------------ reads

    def writes(self) -> dict[str, bool]:
        """Whether this service accepts uploads and deletes: with an API key, or bound to loopback only."""
        return {"writable": bool(self.settings.api_key) or self.settings.host in LOOPBACK,
                "needs_key": bool(self.settings.api_key)}

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "reports": self.store.count("reports"), "passages": self.store.count("passages"),
                **self.writes()}

    def legend(self) -> dict[str, Any]:
        """The one legend (node fills, relation strokes, polarity colours) every picture of the graph uses."""
        from ontology import legend

        return legend()

    def reports(self) -> list[dict[str, Any]]:
        return self.store.reports()

    def report(self, report_id: str) -> dict[str, Any]:
        """One report with its judgments, causes of concern, recommendations and areas for improvement."""
        self.store.report(report_id)  # unknown id -> NotFound
        rep = next(r for r in self.store.reports() if r["report_id"] == report_id)
        items = self.items(report_id)
        return {**rep, "items": {kind: [it for it in items if it["kind"] == kind] for kind in ITEM_KINDS}}

    def tracker(self, kind: str | None = None, status: str | None = None, q: str | None = None) -> dict[str, Any]:
        """Every recommendation, AFI and cause of concern: origin year, carried over, found again, evidence."""
        from graph.tracker import STATUSES, TRACKED, tracker

        if kind and kind not in TRACKED:
            raise InvalidParameter(f"unknown kind {kind!r}; use one of {', '.join(TRACKED)}")
        if status and status not in STATUSES:
            raise InvalidParameter(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        items = self.items()
        wanted = {it["passage_id"] for it in items if it["passage_id"]}
        passages = {p.passage_id: p for p in self.store.passages() if p.passage_id in wanted}
        return tracker(self.knowledge(), items, self.reports(), passages, kind=kind, status=status, q=q)

    def stats(self) -> dict[str, Any]:
        from graph.catalogue import report_stats

        return report_stats(self.store.reports(), self.store.items(), self.store.count("passages"))

    def passages(self, report_id: str | None = None, kind: str | None = None,
                  limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        if report_id:
            self.store.report(report_id)  # unknown id -> NotFound
        years = {r["report_id"]: r["year"] for r in self.store.reports()}
        return [passage_json(p, years.get(p.report_id)) for p in self.store.passages(report_id, kind, limit, offset)]

    def passage(self, passage_id: str) -> dict[str, Any]:
        p = self.store.passage(passage_id)
        return passage_json(p, self.store.report(p.report_id)["year"])

    def items(self, report_id: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        if kind and kind not in ITEM_KINDS:
            raise InvalidParameter(f"unknown item kind {kind!r}; use one of {', '.join(ITEM_KINDS)}")
        if report_id:
            self.store.report(report_id)
        return [item_json(it) for it in self.store.items(report_id, kind)]


    # ------------------------------------------------------------ knowledge graph

    def knowledge(self, wait: bool = False) -> Any:
        """The networkx MultiDiGraph of the store. After a write, one thread moves it on (by the changed reports,
        or rebuilds it); meanwhile the others read the graph they had, unless there is none yet or ``wait``."""
        from graph import build as knowledge

        gen = self.store.generation()
        if self._graph is not None and gen == self._graph_generation:
            return self._graph
        if not self._graph_lock.acquire(blocking=wait or self._graph is None):
            return self._graph  # being moved on by another thread: this one is still whole
        try:
            gen = self.store.generation()
            if self._graph is None or gen != self._graph_generation:
                new = self._next_graph(gen) or knowledge.build(self.store)
                if self.helper is not None:
                    self._claim_communities(new, gen)  # before any reader can see it
                self._graph, self._graph_generation = new, gen
            return self._graph
        finally:
            self._graph_lock.release()

    def _next_graph(self, gen: int) -> Any:
        """The graph moved on by the reports changed since it was built (None: build it whole). Readers keep
        the graph they hold; the new one replaces it in one assignment."""
        from graph.snapshot import update

        changed = self.store.changes(self._graph_generation, gen) if self._graph is not None else None
        return update(self._graph, self.store, changed) if changed is not None else None

    def _claim_communities(self, G: Any, gen: int) -> None:
        """Start the new graph's communities in the helper process; return once they are claimed, so a reader
        asking for them waits for the helper's answer instead of running Louvain in the serving process.
        Every worker's graph of a generation is the same graph, so one worker computes them and the others
        read them from the store (``Store.shared``)."""
        self._newest = G
        claimed = threading.Event()
        threading.Thread(target=self._communities, args=(G, gen, claimed), name="peelgraph-communities",
                         daemon=True).start()
        claimed.wait(timeout=5)

    def _communities(self, G: Any, gen: int, claimed: threading.Event) -> None:
        from graph.build import community_groups, ensure_communities

        def in_helper(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
            if self.helper is None:
                raise _Superseded
            try:
                return self.helper.call(community_groups, nodes, edges)
            except HelperDied:
                return community_groups(nodes, edges)

        def groups(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
            claimed.set()
            with self._community_turn:
                if self._newest is not G:
                    raise _Superseded  # a newer graph came meanwhile: a reader still holding this one computes
                return self.store.shared("communities", gen, lambda: in_helper(nodes, edges))

        try:
            ensure_communities(G, groups)
        except _Superseded:
            pass
        finally:
            claimed.set()

    def entities(self, type: str | None = None, q: str | None = None) -> list[dict[str, Any]]:
        from graph import catalogue

        return catalogue.entities(self.knowledge(), type, q)

    def entity(self, name_or_id: str) -> dict[str, Any]:
        from graph import catalogue

        return catalogue.entity(self.knowledge(), self.store, name_or_id)

    def relations(self, type: str | None = None, entity: str | None = None) -> list[dict[str, Any]]:
        from graph import catalogue

        return catalogue.relations(self.knowledge(), type, entity)

    def findings(self, theme: str | None = None, polarity: str | None = None,
                 report_id: str | None = None) -> list[dict[str, Any]]:
        from graph import catalogue

        if report_id:
            self.store.report(report_id)  # unknown id -> NotFound
        return catalogue.findings(self.knowledge(), theme, polarity, report_id)

    def crosscutting(self, limit: int | None = 50) -> list[dict[str, Any]]:
        from graph.build import crosscutting

        return crosscutting(self.knowledge(), limit)

    def rdf(self, fmt: str = "turtle", nodes: Iterable[str] | None = None) -> str:
        from graph.rdf import FORMATS, serialize

        if fmt not in FORMATS:
            raise InvalidParameter(f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}")
        return serialize(self.knowledge(), fmt, nodes=nodes, store=self.store)

    # ------------------------------------------------------------ themes, trace, compare, export, sparql

    def themes(self) -> list[dict[str, Any]]:
        """The SKOS themes with how many passages each one tags."""
        from graph import catalogue

        return catalogue.themes(self.knowledge())

    def trace(self, source: str, target: str | None = None, depth: int = 4, via: str | None = None) -> dict[str, Any]:
        from graph.trace import trace

        return trace(self.knowledge(), source, target, depth=depth, via=via)

    def compare(self, topic: str) -> dict[str, Any]:
        """A theme or an entity across reports, side by side by year."""
        from graph import catalogue
        from graph.compare import compare
        from graph.trace import resolve

        if not (topic or "").strip():
            raise BadInput("give a theme or an entity to compare")
        G = self.knowledge()
        nodes = resolve(G, topic)
        out = compare(topic, self.reports(), self.findings(), self.items(), catalogue.metrics(G),
                      catalogue.passages_about(G, nodes))
        out["matched"] = [{"id": n, "label": G.nodes[n]["label"], "type": G.nodes[n]["type"]} for n in nodes]
        return out

    def causal_evidence(self, question: str, limit: int = 3) -> list[dict[str, Any]]:
        """Evidence of causes/affects relations whose two ends the question names (for why-questions)."""
        from graph.catalogue import causal_evidence

        return causal_evidence(self.knowledge(), question, limit)

    def passages_for_entity(self, name: str) -> set[str] | None:
        """Passages that mention the entity (resolved through the graph, aliases included); None if unknown."""
        try:
            node = self._node(name.strip())
        except NotFound:
            return None
        return {m["passage_id"] for m in self.knowledge().nodes[node]["mentions"]}

    def _node(self, name_or_id: str) -> str:
        from graph.catalogue import find_node

        return find_node(self.knowledge(), name_or_id)

    def subgraph_for(self, passage_ids: Iterable[str], limit: int = 40) -> dict[str, Any]:
        """The nodes mentioned in some passages and the relations those passages evidence (for answers)."""
        from graph.subgraph import for_passages

        return for_passages(self.knowledge(), list(passage_ids), limit)

    def select(self, node_ids: list[str] | None = None, theme: str | None = None, query: str | None = None,
               question: str | None = None, trace: dict[str, str] | None = None, entity: str | None = None,
               depth: int = 1, title: str | None = None) -> dict[str, Any]:
        """A subgraph chosen by ids, theme, search, question, trace or neighbourhood, in the export shape."""
        from graph import catalogue, subgraph

        G = self.knowledge()
        if node_ids:
            nodes, label = [n for n in node_ids if n in G], f"{len(node_ids)} selected nodes"
            if not nodes:
                raise NotFound("none of the given node ids is in the graph", {"node_ids": node_ids[:20]})
        elif theme:
            nodes, label = subgraph.around(G, [catalogue.theme_node(G, theme)], 1), f"Theme: {theme}"
        elif query:
            hits = self.search(query, k=10)["hits"]
            nodes, label = subgraph.for_passages(G, [h["passage_id"] for h in hits], 60)["node_ids"], f"Search: {query}"
        elif question:
            answer = self.ask(question)
            nodes, label = [n["id"] for n in answer["graph"]["nodes"]], question
        elif trace:
            if not trace.get("from"):
                raise InvalidParameter("a trace selection needs 'from' (and optionally 'to')")
            out = self.trace(trace["from"], trace.get("to"))
            nodes = sorted({n["id"] for p in out["paths"] for n in p["nodes"]})
            label = f"Trace: {trace['from']}" + (f" -> {trace['to']}" if trace.get("to") else "")
        elif entity:
            nodes, label = subgraph.around(G, [catalogue.find_node(G, entity)], depth), f"Around: {entity}"
        else:
            raise InvalidParameter("choose a subgraph: node_ids, theme, query, question, trace or entity")
        limit = self.settings.max_export_nodes
        if len(nodes) > limit:
            raise InvalidParameter(f"the selection has {len(nodes)} nodes; the export limit is {limit}. "
                                   "Narrow it (a smaller depth, a theme, a question).")
        return subgraph.export_shape(G, nodes, title or label, self.store, self.reports())

    def export(self, fmt: str, **selector: Any) -> tuple[bytes, str, str]:
        from graph.export import FORMATS, export

        if fmt not in FORMATS:
            raise InvalidParameter(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
        return export(self.select(**selector), fmt)

    def sparql(self, query: str) -> dict[str, Any]:
        from graph.rdf import to_rdf
        from graph.sparql import run

        G = self.knowledge()
        if self._rdf is None or self._rdf[0] is not G:  # the RDF view of this very graph
            self._rdf = (G, to_rdf(G, store=self.store))
        return run(self._rdf[1], query, timeout=self.settings.sparql_timeout, max_rows=self.settings.sparql_rows)

    def involved(self, limit: int | None = 50) -> list[dict[str, Any]]:
        """Who is involved: roles, units and partners ranked by the spread of the passages naming them."""
        from graph.build import involved

        return involved(self.knowledge(), limit)


def passage_json(p: Passage, year: str | None) -> dict[str, Any]:
    return {"passage_id": p.passage_id, "report_id": p.report_id, "year": year, "section": " > ".join(p.section),
            "paragraph": p.paragraph, "kind": p.kind, "text": p.text, "page": p.page,
            "start": p.start, "end": p.end}


def item_json(it: Item) -> dict[str, Any]:
    return {"item_id": it.item_id, "report_id": it.report_id, "kind": it.kind,
            "question": "overall" if it.overall else it.question, "text": it.text,
            "carried_over_from": it.carried_over_from, "grade": it.grade, "passage_id": it.passage_id,
            "lead": it.lead}


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES)
        else:
            files.append(p)
    return files
