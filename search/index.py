"""Passage and sentence vectors: computed once per text, stored, and held in memory.

Vectors live in the store's ``embeddings`` table keyed by (sha256 of the
encoded text, model name), so a passage is only encoded when its text is new
to that model. ``VectorIndex.prepare`` encodes a report's new texts before its
write transaction opens; ``VectorIndex.on_put`` writes them inside it (and
encodes anything still missing). Passage vectors are held as one float32
matrix in a ``Snapshot``; when ``store.generation()`` moves, a new snapshot is
made from the old one and the rows of the reports the store's change log names
(or reloaded whole when the log does not cover the gap), then swapped in.
Sentence vectors (for re-ranking and quoting) are read from the store on demand.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, overload

import numpy as np

from graph.records import Report
from graph.store import Store
from graph.text import collapse, find_acronyms, split_sentences
from search.encoders import Encoder



NEAREST = 100  # passages a store's nearest-neighbour index returns: as many as search re-scores


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def passage_unit(section: Sequence[str], text: str) -> str:
    """What is encoded for a passage: its nearest heading, then its text.

    The heading carries the topic a short paragraph leaves implicit.
    """
    heading = section[-1] if section else ""
    body = collapse(text)
    if not heading or heading.lower() in body.lower():
        return body
    return f"{heading} {body}" if heading[-1] in ".?!:" else f"{heading}. {body}"


@lru_cache(maxsize=20000)
def sentence_units(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, collapsed text) of each sentence of a passage; remembered, as every search splits
    its hundred candidate passages again (most of a search's time on a large store)."""
    return tuple((a, b, collapse(text[a:b])) for a, b in split_sentences(text) if text[a:b].strip())


def _blob(v: np.ndarray) -> bytes:
    return np.asarray(v, dtype=np.float32).tobytes()


def _vec(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


@dataclass
class Snapshot:
    """Everything search needs in memory, as of one store generation."""

    generation: int
    rowids: np.ndarray  # int64, FTS rowid of each passage (row i of the matrix)
    ids: list[str]
    report_ids: list[str]
    kinds: list[str]
    ordinals: np.ndarray
    sections: list[list[str]]
    paragraphs: list[int]
    pages: list[int]
    texts: list[str]
    units: list[str]  # the encoded text of each passage
    matrix: np.ndarray  # (n, dim) float32, unit rows
    reports: dict[str, dict[str, Any]]
    pos: dict[int, int] = field(default_factory=dict)  # rowid -> row
    pos_by_id: dict[str, int] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # report id -> its rows (first, after last)
    defined_acronyms: dict[str, str] = field(default_factory=dict)  # ABBR -> long form, from the texts
    acronyms_by_report: dict[str, dict[str, str]] = field(default_factory=dict)  # what each report defines

    def __len__(self) -> int:
        return len(self.ids)

    def with_lookups(self) -> Snapshot:
        """Fill the lookup maps from the rows (once, before the snapshot is published)."""
        self.pos = {int(rid): i for i, rid in enumerate(self.rowids)}
        self.pos_by_id = {pid: i for i, pid in enumerate(self.ids)}
        self.spans = _spans(self.report_ids)
        merged: dict[str, str] = {}
        for rid in sorted(self.acronyms_by_report):  # the first definition in reading order wins
            for abbr, long_form in self.acronyms_by_report[rid].items():
                merged.setdefault(abbr, long_form)
        self.defined_acronyms = merged
        return self


# the per-passage columns of a Snapshot, in row order (rows are sorted by report id, then ordinal)
ROW_COLUMNS = ("rowids", "ids", "report_ids", "kinds", "ordinals", "sections", "paragraphs", "pages", "texts",
               "units", "matrix")


def _spans(report_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """report id -> (first row, row after its last) of a snapshot's rows."""
    out: dict[str, tuple[int, int]] = {}
    start = 0
    for i in range(1, len(report_ids) + 1):
        if i == len(report_ids) or report_ids[i] != report_ids[start]:
            out[report_ids[start]] = (start, i)
            start = i
    return out


def merge(old: Snapshot, part: Snapshot, changed: set[str], generation: int) -> Snapshot:
    """A new snapshot: ``old`` with the rows of the ``changed`` reports replaced by those in ``part``.

    Nothing of ``old`` is modified (readers may hold it); rows keep the order a full load gives.
    """
    pieces: list[tuple[Snapshot, int, int]] = []
    spans_old, spans_new = old.spans, part.spans
    for rid in sorted((set(spans_old) - changed) | set(spans_new)):
        src, (a, b) = (part, spans_new[rid]) if rid in changed else (old, spans_old[rid])
        if pieces and pieces[-1][0] is src and pieces[-1][2] == a:
            pieces[-1] = (src, pieces[-1][1], b)  # one slice for neighbouring rows of the same snapshot
        else:
            pieces.append((src, a, b))
    columns: dict[str, Any] = {}
    for name in ROW_COLUMNS:
        parts = [getattr(src, name)[a:b] for src, a, b in pieces]
        if isinstance(getattr(old, name), np.ndarray):
            columns[name] = np.concatenate(parts) if parts else getattr(old, name)[:0]
        else:
            columns[name] = [x for p in parts for x in p]
    reports = {k: v for k, v in old.reports.items() if k not in changed}
    reports.update(part.reports)
    acronyms = {k: v for k, v in old.acronyms_by_report.items() if k not in changed}
    acronyms.update(part.acronyms_by_report)
    return Snapshot(generation=generation, reports=reports, acronyms_by_report=acronyms, **columns).with_lookups()


class VectorIndex:
    def __init__(self, store: Store, encoder: Encoder) -> None:
        self.store = store
        self.encoder = encoder
        self._pending: dict[str, np.ndarray] = {}
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._sentence_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._sentence_cache_size = 20000

    # ------------------------------------------------------------ writing

    def _report_units(self, report: Report) -> list[str]:
        units = []
        for p in report.passages:
            units.append(passage_unit(p.section, p.text))
            units += [s for _, _, s in sentence_units(p.text)]
        return units

    def _missing(self, con: sqlite3.Connection, units: Iterable[str]) -> dict[str, str]:
        by_sha = {sha(u): u for u in units}
        have = self.store.embedded(self.encoder.name, list(by_sha), con) if by_sha else set()
        return {h: u for h, u in by_sha.items() if h not in have}

    def prepare(self, report: Report) -> int:
        """Encode the report's new texts before its write transaction (no lock held)."""
        missing = self._missing(self.store.con, self._report_units(report))
        missing = {h: u for h, u in missing.items() if h not in self._pending}
        if missing:
            vecs = self.encoder.encode(list(missing.values()))
            self._pending.update(zip(missing, vecs))
        return len(missing)

    def on_put(self, con: sqlite3.Connection, report: Report) -> None:
        """Store hook: write the report's vectors inside its transaction."""
        missing = self._missing(con, self._report_units(report))
        self._write(con, missing)
        self.store.put_passage_vectors(con, self.encoder.name, self.encoder.dim,
                                       {p.passage_id: sha(passage_unit(p.section, p.text)) for p in report.passages})

    def _write(self, con: sqlite3.Connection, missing: dict[str, str]) -> None:
        todo = {h: u for h, u in missing.items() if h not in self._pending}
        if todo:
            self._pending.update(zip(todo, self.encoder.encode(list(todo.values()))))
        self.store.put_vectors(con, self.encoder.name, self.encoder.dim,
                               [(h, _blob(self._pending[h])) for h in missing])
        for h in missing:
            self._pending.pop(h, None)

    def ensure(self) -> int:
        """Encode and store vectors for any passage that lacks one (a store built before search, or
        with another encoder). Returns how many texts were encoded."""
        _, rows = self.store.search_rows()
        units = []
        for r in rows:
            units.append(passage_unit(json.loads(r["section"]), r["text"]))
            units += [s for _, _, s in sentence_units(r["text"])]
        missing = self._missing(self.store.con, units)
        if missing:
            vecs = self.encoder.encode(list(missing.values()))
            self._pending.update(zip(missing, vecs))
            with self.store.write() as con:
                self._write(con, missing)
        return len(missing)

    # ------------------------------------------------------------ reading

    @property
    def loaded(self) -> bool:
        """Whether a snapshot is held (then a write moves it on rather than leaving the first read to load it)."""
        return self._snapshot is not None

    def snapshot(self, wait: bool = False) -> Snapshot:
        """The in-memory view as of the store's generation: moved on by the reports changed since the last
        call when the store's change log says which, else reloaded whole. Meanwhile other threads read the
        snapshot they had (unless there is none yet, or ``wait``); the new one replaces it in one assignment."""
        gen = self.store.generation()
        snap = self._snapshot
        if snap is not None and snap.generation == gen:
            return snap
        if not self._lock.acquire(blocking=wait or snap is None):
            return snap  # type: ignore[return-value]  # being moved on by another thread: this one is whole
        try:
            snap = self._snapshot
            gen = self.store.generation()
            if snap is not None and snap.generation == gen:
                return snap
            new = self._update(snap, gen) if snap is not None else None
            if new is None:
                if self.ensure():
                    gen = self.store.generation()
                new = self._load(gen)
            self._snapshot = new
            return new
        finally:
            self._lock.release()

    def _update(self, snap: Snapshot, gen: int) -> Snapshot | None:
        """``snap`` moved on to ``gen`` by the reports changed in between; None if that cannot be done."""
        ids = self.store.changes(snap.generation, gen)
        if ids is None:
            return None
        if not ids:
            return dataclasses.replace(snap, generation=gen)
        part = self._load(gen, ids)
        if part is None:
            return None
        return merge(snap, part, set(ids), gen)

    @overload
    def _load(self, gen: int) -> Snapshot: ...

    @overload
    def _load(self, gen: int, report_ids: list[str]) -> Snapshot | None: ...

    def _load(self, gen: int, report_ids: list[str] | None = None) -> Snapshot | None:
        """Every report's rows, or only those of ``report_ids`` (None then if a passage has no vector yet:
        written by a process with another encoder; the full reload encodes it)."""
        report_rows, rows = self.store.search_rows(report_ids)
        sections = [json.loads(r["section"]) for r in rows]
        units = [passage_unit(s, r["text"]) for s, r in zip(sections, rows)]
        # only the passages' own vectors (sentence vectors are read per candidate, on demand)
        vectors = self.store.vectors(self.encoder.name, list({sha(u) for u in units}))
        matrix = np.zeros((len(rows), self.encoder.dim), dtype=np.float32)
        for i, u in enumerate(units):
            blob = vectors.get(sha(u))
            if blob is not None and len(blob) == 4 * self.encoder.dim:
                matrix[i] = _vec(blob)
            elif report_ids is not None:
                return None
        acronyms: dict[str, dict[str, str]] = {}
        for r in rows:
            if "(" in r["text"]:
                for abbr, long_form in find_acronyms(r["text"]).items():
                    acronyms.setdefault(r["report_id"], {}).setdefault(abbr, long_form)
        return Snapshot(
            generation=gen,
            rowids=np.array([r["rowid"] for r in rows], dtype=np.int64),
            ids=[r["passage_id"] for r in rows],
            report_ids=[r["report_id"] for r in rows],
            kinds=[r["kind"] for r in rows],
            ordinals=np.array([r["ordinal"] for r in rows], dtype=np.int64),
            sections=sections,
            paragraphs=[r["paragraph"] for r in rows],
            pages=[r["page"] for r in rows],
            texts=[r["text"] for r in rows],
            units=units,
            matrix=matrix,
            reports={r["report_id"]: r for r in report_rows},
            acronyms_by_report=acronyms,
        ).with_lookups()

    def dense_scores(self, snap: Snapshot, qv: np.ndarray) -> np.ndarray:
        """Cosine score of every passage of ``snap`` against the query vector.

        float32, one entry per row of ``snap``; a passage not scored gets -1.0.
        One place so a store with its own nearest-neighbour index can answer instead.
        """
        near = self.store.nearest_passages(self.encoder.name, self.encoder.dim, qv, NEAREST)
        if near is None:
            return np.asarray(snap.matrix @ qv, dtype=np.float32)
        out = np.full(len(snap), -1.0, dtype=np.float32)
        for rowid, score in near.items():
            i = snap.pos.get(rowid)
            if i is not None:
                out[i] = score
        return out

    def sentence_vectors(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors of the given (collapsed) sentences: from memory, the store, or the encoder.

        Remembered by the sentence itself: every search asks for its hundred candidates' sentences again,
        and hashing each one to look it up cost more than the scoring it serves."""
        rows = [self._sentence_cache.get(s) for s in sentences]
        wanted = list(dict.fromkeys(s for s, v in zip(sentences, rows) if v is None))
        if wanted:
            found = self._fetch_sentences(wanted)
            rows = [found[s] if v is None else v for s, v in zip(sentences, rows)]
        if not rows:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.asarray(np.stack(rows), dtype=np.float32)  # type: ignore[arg-type]

    def _fetch_sentences(self, sentences: list[str]) -> dict[str, np.ndarray]:
        """Vectors of sentences not in memory: stored ones read, the rest (a query-time text) encoded now."""
        by_sha = {sha(s): s for s in sentences}
        found = {by_sha[h]: _vec(blob) for h, blob in self.store.vectors(self.encoder.name, list(by_sha)).items()}
        rest = [s for s in sentences if s not in found]
        if rest:
            found.update(zip(rest, (np.asarray(v, dtype=np.float32) for v in self.encoder.encode(rest))))
        for s, v in found.items():
            self._sentence_cache[s] = v
        while len(self._sentence_cache) > self._sentence_cache_size:
            self._sentence_cache.popitem(last=False)
        return found
