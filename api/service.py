"""The Service facade: the one place the CLI and the HTTP routes call into."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from api.settings import Settings
from graph.errors import BadInput, InvalidParameter
from graph.load import load, load_bytes
from graph.records import ITEM_KINDS, Item, Passage, Report
from graph.report import build_report
from graph.store import Store

REPORT_SUFFIXES = {".txt", ".pdf", ".html", ".htm", ".docx"}
Progress = Callable[[str, int, int], None]  # (file name, number, of how many)


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.store)
        self.on_put: list[Callable[[Any, Report], None]] = []
        self.on_delete: list[Callable[[Any, str], None]] = []

    # ------------------------------------------------------------ writes

    def build(self, paths: Iterable[str | Path] | None = None, progress: Progress | None = None) -> dict[str, Any]:
        """Ingest the given files and folders, or the bundled corpus."""
        files = _expand(paths or [self.settings.corpus])
        if not files:
            raise BadInput("no report files found (looked for .txt, .pdf, .html, .docx)")
        results = self.ingest(files, progress)
        return {"ingested": results, "stats": self.stats()}

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None) -> list[dict[str, Any]]:
        """All files are read and checked before anything is written: one bad file writes nothing."""
        reports = []
        files = list(paths)
        for n, path in enumerate(files, 1):
            if progress:
                progress(Path(path).name, n, len(files))
            raw = load(path, max_bytes=self.settings.max_upload_bytes)
            reports.append(build_report(raw))
        return [self._put(r) for r in reports]

    def ingest_bytes(self, data: bytes, name: str) -> dict[str, Any]:
        raw = load_bytes(data, name, max_bytes=self.settings.max_upload_bytes)
        return self._put(build_report(raw))

    def _put(self, report: Report) -> dict[str, Any]:
        # Derived data (graph, embeddings) is written in the same transaction as the report:
        # each stage registers a hook in self.on_put / self.on_delete: hook(con, report_or_id).
        status = self.store.put_report(report, extra=lambda con, r: [h(con, r) for h in self.on_put])
        return {"report_id": report.report_id, "source": report.source, "status": status,
                "passages": len(report.passages), "items": len(report.items)}

    def delete(self, report_id: str) -> dict[str, Any]:
        self.store.delete_report(report_id, extra=lambda con, rid: [h(con, rid) for h in self.on_delete])
        return {"report_id": report_id, "status": "deleted"}

    # ------------------------------------------------------------ reads

    def reports(self) -> list[dict[str, Any]]:
        return self.store.reports()

    def stats(self) -> dict[str, Any]:
        items = self.store.items()
        out = []
        for r in self.store.reports():
            mine = [it for it in items if it.report_id == r["report_id"]]
            count = lambda kind: sum(1 for it in mine if it.kind == kind)  # noqa: E731
            out.append({
                "report_id": r["report_id"], "title": r["title"], "force": r["force"], "year": r["year"],
                "programme": r["programme"], "passages": r["passages"],
                "recommendations": count("recommendation"), "areas_for_improvement": count("area_for_improvement"),
                "causes_of_concern": count("cause_of_concern"),
                "judgments": [{"question": "overall" if it.overall else it.question, "grade": it.grade}
                              for it in mine if it.kind == "judgment"],
            })
        return {"reports": out, "passages": self.store.count("passages")}

    def passages(self, report_id: str | None = None, kind: str | None = None,
                  limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        if report_id:
            self.store.report(report_id)  # unknown id -> NotFound
        years = {r["report_id"]: r["year"] for r in self.store.reports()}
        return [passage_json(p, years.get(p.report_id)) for p in self.store.passages(report_id, kind, limit, offset)]

    def items(self, report_id: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        if kind and kind not in ITEM_KINDS:
            raise InvalidParameter(f"unknown item kind {kind!r}; use one of {', '.join(ITEM_KINDS)}")
        if report_id:
            self.store.report(report_id)
        return [item_json(it) for it in self.store.items(report_id, kind)]


def passage_json(p: Passage, year: str | None) -> dict[str, Any]:
    return {"passage_id": p.passage_id, "report_id": p.report_id, "year": year, "section": " > ".join(p.section),
            "paragraph": p.paragraph, "kind": p.kind, "text": p.text, "page": p.page,
            "start": p.start, "end": p.end}


def item_json(it: Item) -> dict[str, Any]:
    return {"item_id": it.item_id, "report_id": it.report_id, "kind": it.kind,
            "question": "overall" if it.overall else it.question, "text": it.text,
            "carried_over_from": it.carried_over_from, "grade": it.grade, "passage_id": it.passage_id}


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES)
        else:
            files.append(p)
    return files
