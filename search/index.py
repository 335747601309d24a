"""Passage and sentence vectors: computed once per text, stored, and held in memory.

Vectors live in the store's ``embeddings`` table keyed by (sha256 of the
encoded text, model name), so a passage is only encoded when its text is new
to that model. ``VectorIndex.prepare`` encodes a report's new texts before its
write transaction opens; ``VectorIndex.on_put`` writes them inside it (and
encodes anything still missing). Passage vectors are held as one float32
matrix reloaded whenever ``store.generation()`` moves; sentence vectors (for
re-ranking and quoting) are read from the store on demand.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

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
    defined_acronyms: dict[str, str] = field(default_factory=dict)  # ABBR -> long form, from the texts

    def __len__(self) -> int:
        return len(self.ids)


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

    def snapshot(self) -> Snapshot:
        """The in-memory view, reloaded when the store has changed since the last call."""
        gen = self.store.generation()
        snap = self._snapshot
        if snap is not None and snap.generation == gen:
            return snap
        with self._lock:
            snap = self._snapshot
            gen = self.store.generation()
            if snap is not None and snap.generation == gen:
                return snap
            if self.ensure():
                gen = self.store.generation()
            self._snapshot = self._load(gen)
            return self._snapshot

    def _load(self, gen: int) -> Snapshot:
        report_rows, rows = self.store.search_rows()
        reports = {r["report_id"]: r for r in report_rows}
        sections = [json.loads(r["section"]) for r in rows]
        units = [passage_unit(s, r["text"]) for s, r in zip(sections, rows)]
        # only the passages' own vectors (sentence vectors are read per candidate, on demand)
        wanted = list({sha(u) for u in units})
        vectors = self.store.vectors(self.encoder.name, wanted)
        matrix = np.zeros((len(rows), self.encoder.dim), dtype=np.float32)
        for i, u in enumerate(units):
            blob = vectors.get(sha(u))
            if blob is not None and len(blob) == 4 * self.encoder.dim:
                matrix[i] = _vec(blob)
        snap = Snapshot(
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
            reports=reports,
        )
        snap.pos = {int(rid): i for i, rid in enumerate(snap.rowids)}
        snap.pos_by_id = {pid: i for i, pid in enumerate(snap.ids)}
        snap.defined_acronyms = _defined_acronyms(snap.texts)
        return snap

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
        """Unit vectors of the given (collapsed) sentences: from memory, the store, or the encoder."""
        out = np.zeros((len(sentences), self.encoder.dim), dtype=np.float32)
        want: dict[str, list[int]] = {}
        for i, s in enumerate(sentences):
            h = sha(s)
            v = self._sentence_cache.get(h)
            if v is not None:
                out[i] = v
            else:
                want.setdefault(h, []).append(i)
        if want:
            keys = list(want)
            found = {h: _vec(blob) for h, blob in self.store.vectors(self.encoder.name, keys).items()}
            rest = [h for h in keys if h not in found]
            if rest:  # not stored (e.g. sentences of a query-time text): encode now
                vecs = self.encoder.encode([sentences[want[h][0]] for h in rest])
                found.update(zip(rest, vecs))
            for h, v in found.items():
                for i in want[h]:
                    out[i] = v
                self._sentence_cache[h] = v
            while len(self._sentence_cache) > self._sentence_cache_size:
                self._sentence_cache.popitem(last=False)
        return out


def _defined_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms the reports define ("long form (ABBR)"), for query expansion."""
    out: dict[str, str] = {}
    for text in texts:
        if "(" in text:
            for abbr, long_form in find_acronyms(text).items():
                out.setdefault(abbr, long_form)
    return out
