"""A loaded document -> a Report record: the whole text pipeline in one call."""
from __future__ import annotations

import re
import time

from graph.ingest import metadata, normalise, passages, segment
from graph.errors import BadInput
from graph.records import KIND_HEADING, Item, RawDocument, Report, ReportMeta
from graph.text import slug


def report_id_for(meta: ReportMeta, source: str) -> str:
    if meta.force:
        parts = [meta.force, meta.programme or "", (meta.year or "").replace("/", "-")]
        return slug(" ".join(p for p in parts if p), "report")
    return slug(re.sub(r"\.[A-Za-z0-9]{1,5}$", "", source), "report")


def build_report(raw: RawDocument, known_forces: list[str] | None = None,
                 timings: dict[str, float] | None = None) -> Report:
    """Normalise, segment and cut a document into passages and items."""
    clock = _Clock(timings)
    blocks = normalise.normalise(raw)
    clock("normalise")
    if not any(b.text.strip() for b in blocks):
        raise BadInput(f"{raw.source}: no text found in the document")
    segs = segment.segment(blocks)
    clock("segment")
    meta = metadata.detect(blocks, known_forces, raw.title)
    rid = report_id_for(meta, raw.source)
    clock("metadata")
    text, psgs, items = passages.build(rid, segs)
    if not raw.paged:
        for p in psgs:
            p.page = None  # no page to cite: HTML, DOCX, one-paragraph-per-line text
    clock("passages")
    if not psgs:
        raise BadInput(f"{raw.source}: no passages of text found in the document")
    warnings = screen(raw.source, meta, segs, items)
    return Report(report_id=rid, source=raw.source, format=raw.format, sha256=raw.sha256, meta=meta,
                  text=text, passages=psgs, items=items, warnings=warnings)


def screen(source: str, meta: ReportMeta, segs: list[segment.Segmented], items: list[Item]) -> list[str]:
    """Is this an inspection report? Refuse a text with no force, no period and no report structure;
    accept one that lacks some of them, with a warning the reader sees."""
    structured = bool(items) or any(s.block.kind == KIND_HEADING and segment.is_report_heading(s.block.text)
                                    for s in segs)
    if not (meta.force or meta.year or structured):
        raise BadInput(f"{source}: no police force, inspection period or report headings found; "
                       "this does not look like an inspection report")
    warnings = []
    if not meta.force:
        warnings.append("no police force named: this may not be an inspection report")
    if not meta.year:
        warnings.append("no inspection period found: the report cannot be placed in time")
    if not structured:
        warnings.append("no inspection questions, judgments or recommendations found: this may not be an "
                        "inspection report")
    return warnings


class _Clock:
    def __init__(self, sink: dict[str, float] | None) -> None:
        self.sink = sink
        self.t = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if self.sink is not None:
            self.sink[stage] = self.sink.get(stage, 0.0) + now - self.t
        self.t = now

