"""The lexical index: BM25 (bm25s) over jieba words and over character bigrams.

It is derived from the Chroma collection, never a second source of truth: it is
saved beside the collection with the collection's fingerprint, loaded
memory-mapped, and rebuilt when the fingerprint no longer matches.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from index.tokenize import ChineseTokenizer

# Channel names are what `Hit.channels` and the fusion weights use.
WORDS = "words"
BIGRAMS = "bigrams"
_META = "meta.json"


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
    ) -> None:
        self.ids = ids
        self.tokenizer = tokenizer
        self.rankers = rankers
        self.fingerprint = fingerprint

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], terms: Sequence[str], fingerprint: str
    ) -> LexicalIndex:
        """Tokenise every passage both ways and rank them with BM25."""
        tokenizer = ChineseTokenizer(terms)
        rankers: dict[str, bm25s.BM25] = {}
        for channel, split in ((WORDS, tokenizer.words), (BIGRAMS, tokenizer.bigrams)):
            ranker = bm25s.BM25()
            if texts:
                ranker.index([split(t) or [""] for t in texts], show_progress=False)
            rankers[channel] = ranker
        return cls(list(ids), tokenizer, rankers, fingerprint)

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

    def positions(self, ids: set[str]) -> np.ndarray:
        """Positions of the given passage ids in this index, for `search(among=...)`."""
        return np.asarray([i for i, pid in enumerate(self.ids) if pid in ids], dtype=np.int64)

    def save(self, folder: Path) -> None:
        """Write atomically: build in a sibling temp folder, then swap it in."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        if self.ids:
            for channel, ranker in self.rankers.items():
                ranker.save(tmp / channel)
        meta = {"fingerprint": self.fingerprint, "ids": self.ids, "terms": self.tokenizer.terms}
        (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, memory-mapped; None when there is none or it is unreadable."""
        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
            ids: list[str] = meta["ids"]
            rankers = {
                channel: bm25s.BM25.load(folder / channel, mmap=True, load_vocab=True)
                if ids
                else bm25s.BM25()
                for channel in (WORDS, BIGRAMS)
            }
        except (OSError, ValueError, KeyError):
            return None
        return cls(ids, ChineseTokenizer(meta["terms"]), rankers, meta["fingerprint"])

    @staticmethod
    def stored_fingerprint(folder: Path) -> str | None:
        """The fingerprint saved with the index, without loading the rankers."""
        try:
            return str(json.loads((folder / _META).read_text(encoding="utf-8"))["fingerprint"])
        except (OSError, ValueError, KeyError):
            return None
