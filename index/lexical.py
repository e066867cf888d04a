"""The lexical index: BM25 (bm25s) over jieba words and over character bigrams.

It is derived from the Chroma collection, never a second source of truth: it is
saved beside the collection with the collection's fingerprint, loaded
memory-mapped, and rebuilt when the fingerprint no longer matches.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from index.tokenize import ChineseTokenizer

# Channel names are what `Hit.channels` and the fusion weights use.
WORDS = "words"
BIGRAMS = "bigrams"
_META = "meta.json"
_AUTHORITY = "authority.npy"


# Below this many passages one process tokenises faster than starting workers.
PARALLEL_FROM = 20_000
_CHUNK = 2_000
_worker: ChineseTokenizer | None = None


def _start_worker(terms: list[str]) -> None:
    global _worker
    _worker = ChineseTokenizer(terms)


def _tokenize_chunk(texts: Sequence[str], tokenizer: ChineseTokenizer | None = None) -> dict[str, Any]:
    """Per channel: the chunk's own vocabulary and one int32 id array per text.

    Ids instead of strings keep a 20-million-character corpus's ~60 million tokens in
    a few hundred MB rather than gigabytes of Python strings.
    """
    tok = tokenizer or _worker
    assert tok is not None
    out: dict[str, Any] = {}
    for channel, split in ((WORDS, tok.words), (BIGRAMS, tok.bigrams)):
        vocab: dict[str, int] = {}
        arrays = [
            np.fromiter((vocab.setdefault(t, len(vocab)) for t in split(text) or [""]), dtype=np.int32)
            for text in texts
        ]
        out[channel] = (list(vocab), arrays)
    return out


def token_ids(
    texts: Sequence[str], tokenizer: ChineseTokenizer
) -> dict[str, tuple[list[np.ndarray], dict[str, int]]]:
    """Per channel, (id arrays, vocabulary) for bm25s; chunks go to one worker per core when it pays."""
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    workers = min(os.cpu_count() or 1, len(chunks))
    if len(texts) >= PARALLEL_FROM and workers > 1:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ctx.Pool(workers, initializer=_start_worker, initargs=(tokenizer.terms,)) as pool:
            parts = pool.imap(_tokenize_chunk, chunks)
            return _merge(parts)
    return _merge(_tokenize_chunk(chunk, tokenizer) for chunk in chunks)


def _merge(parts: Iterable[dict[str, Any]]) -> dict[str, tuple[list[np.ndarray], dict[str, int]]]:
    """Renumber each chunk's local ids into one vocabulary per channel."""
    merged: dict[str, tuple[list[np.ndarray], dict[str, int]]] = {WORDS: ([], {}), BIGRAMS: ([], {})}
    for part in parts:
        for channel, (local_vocab, arrays) in part.items():
            out, vocab = merged[channel]
            remap = np.asarray([vocab.setdefault(t, len(vocab)) for t in local_vocab], dtype=np.int32)
            out.extend(remap[a] for a in arrays)
    return merged


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Indices and scores of the k best positive scores, best first."""
    positive = int(np.count_nonzero(scores > 0))
    k = min(k, positive)
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.argsort(-scores[part], kind="stable")]
    return [(int(i), float(scores[i])) for i in order]


class LexicalIndex:
    """Two BM25 rankings over the same passage ids; query with `search`."""

    def __init__(
        self,
        ids: list[str],
        tokenizer: ChineseTokenizer,
        rankers: dict[str, bm25s.BM25],
        fingerprint: str,
        authority: np.ndarray | None = None,
        items: Sequence[int] = (),
        generation: str = "",
    ) -> None:
        self.ids = ids
        self.tokenizer = tokenizer
        self.rankers = rankers
        self.fingerprint = fingerprint
        # the store's write generation it was built at: equal means current, without a fingerprint
        self.generation = generation
        # per passage, how cited its document is (index/authority.py); zeros when unknown
        self.authority = np.zeros(len(ids), dtype=np.float32) if authority is None else authority
        # positions of the checklist items' passages, for `search(among=...)`
        self.items = np.asarray(items, dtype=np.int64)
        self._position: dict[str, int] | None = None

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        terms: Sequence[str],
        fingerprint: str,
        authority: np.ndarray | None = None,
        items: Sequence[int] = (),
        generation: str = "",
    ) -> LexicalIndex:
        """Tokenise every passage both ways (in parallel for large corpora) and rank them with BM25."""
        tokenizer = ChineseTokenizer(terms)
        rankers: dict[str, bm25s.BM25] = {}
        for channel, corpus in token_ids(texts, tokenizer).items():
            ranker = bm25s.BM25()
            if texts:
                ranker.index(corpus, show_progress=False)
            rankers[channel] = ranker
        return cls(list(ids), tokenizer, rankers, fingerprint, authority, items, generation)

    def search(
        self, query: str, k: int, among: np.ndarray | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """Best k passage ids per channel, with their BM25 scores; `among` limits to those positions."""
        if not self.ids:
            return {channel: [] for channel in self.rankers}
        results: dict[str, list[tuple[str, float]]] = {}
        for channel, split in ((WORDS, self.tokenizer.words), (BIGRAMS, self.tokenizer.bigrams)):
            tokens = split(query)
            scores = (
                np.asarray(self.rankers[channel].get_scores(tokens)) if tokens else np.zeros(len(self.ids))
            )
            if among is not None:
                masked = np.zeros_like(scores)
                masked[among] = scores[among]
                scores = masked
            results[channel] = [(self.ids[i], s) for i, s in top_k(scores, k)]
        return results

    def authority_of(self, ids: Sequence[str]) -> dict[str, float]:
        """The citation prior of each given passage id (0 for ids this index does not know)."""
        if self._position is None:
            self._position = {pid: i for i, pid in enumerate(self.ids)}
        return {
            pid: float(self.authority[self._position[pid]]) if pid in self._position else 0.0 for pid in ids
        }

    def save(self, folder: Path) -> None:
        """Write atomically: build in a sibling temp folder, then swap it in."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        if self.ids:
            for channel, ranker in self.rankers.items():
                ranker.save(tmp / channel)
        np.save(tmp / _AUTHORITY, np.asarray(self.authority, dtype=np.float32))
        self._write_meta(tmp / _META)
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    def record_generation(self, folder: Path, generation: str) -> None:
        """Note that the saved index is still current at this write generation (one small rewrite)."""
        self.generation = generation
        tmp = folder / (_META + ".tmp")
        self._write_meta(tmp)
        os.replace(tmp, folder / _META)

    def _write_meta(self, path: Path) -> None:
        meta = {
            "fingerprint": self.fingerprint,
            "generation": self.generation,
            "ids": self.ids,
            "items": self.items.tolist(),
            "terms": self.tokenizer.terms,
        }
        path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, memory-mapped; None when there is none or it is unreadable."""
        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
            ids: list[str] = meta["ids"]
            terms, fingerprint, items, generation = (meta[k] for k in ("terms", "fingerprint", "items", "generation"))
            rankers = {
                channel: bm25s.BM25.load(folder / channel, mmap=True, load_vocab=True)
                if ids
                else bm25s.BM25()
                for channel in (WORDS, BIGRAMS)
            }
            authority = np.load(folder / _AUTHORITY, mmap_mode="r")
        except (OSError, ValueError, KeyError):  # missing, damaged, or saved by an older version
            return None
        if len(authority) != len(ids):
            return None
        return cls(ids, ChineseTokenizer(terms), rankers, fingerprint, authority, items, generation)

    @staticmethod
    def stored_fingerprint(folder: Path) -> str | None:
        """The fingerprint saved with the index, without loading the rankers."""
        return LexicalIndex.stored(folder, "fingerprint")

    @staticmethod
    def stored(folder: Path, key: str) -> str | None:
        """One string saved in the index's metadata (fingerprint, generation), without loading it."""
        try:
            return str(json.loads((folder / _META).read_text(encoding="utf-8"))[key])
        except (OSError, ValueError, KeyError):
            return None
