"""One segment of the lexical index: bm25s rankings over a run of passages, and its files.

The only module that touches bm25s. A delta segment's scores are rescaled in place to the
IDF of main and delta together (`align_idf`), which reads and writes bm25s's sparse score
matrix (`scores["data"]`, `scores["indptr"]`, `vocab_dict`) and repeats its "lucene" IDF:
that is why bm25s is pinned exactly. evals/bench_lexical_engines.py measures it against engines
that update themselves: SQLite FTS5 answers ~90x slower; tantivy is faster on every figure and
would replace this module (and the delta machinery) whole.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from index.lexical.tokens import CHANNELS, TokenIds

_AUTHORITY = "authority.npy"
_SEGMENT = "segment.json"


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Indices and scores of the k best positive scores, best first."""
    positive = int(np.count_nonzero(scores > 0))
    k = min(k, positive)
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.argsort(-scores[part], kind="stable")]
    return [(int(i), float(scores[i])) for i in order]


@dataclass
class Segment:
    """BM25 rankings (words, bigrams) over a run of passages, with their citation prior and checklist items.

    An index is one large main segment plus, after small updates, one delta segment over the
    documents added or changed since; `name` is its folder once saved.
    """

    ids: list[str]
    rankers: dict[str, bm25s.BM25]
    authority: np.ndarray  # per passage, how cited its document is (index/authority.py)
    items: np.ndarray  # positions of checklist items' passages within the segment
    name: str = ""

    @classmethod
    def build(
        cls, ids: Sequence[str], corpus: TokenIds, authority: np.ndarray, items: Sequence[int]
    ) -> Segment:
        """Rank the passages' token ids (index/lexical/tokens.py) with BM25, one ranker per channel."""
        rankers: dict[str, bm25s.BM25] = {}
        for channel, tokens in corpus.items():
            ranker = bm25s.BM25()
            if ids:
                ranker.index(tokens, show_progress=False)
            rankers[channel] = ranker
        return cls(
            list(ids), rankers, np.asarray(authority, dtype=np.float32), np.asarray(items, dtype=np.int64)
        )

    def scores(self, channel: str, tokens: list[str]) -> np.ndarray:
        if not (tokens and self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.rankers[channel].get_scores(tokens))

    def document_frequency(self, channel: str, token: str) -> int:
        """How many of the segment's passages contain `token`."""
        ranker = self.rankers[channel]
        column = ranker.vocab_dict.get(token) if self.ids else None
        indptr = ranker.scores["indptr"] if column is not None else ()
        return (
            int(indptr[column + 1] - indptr[column]) if column is not None and column + 1 < len(indptr) else 0
        )

    def align_idf(self, main: Segment) -> None:
        """Rescale this delta's scores to the IDF of main and delta together, so their scores compare.

        bm25s stores idf x term-frequency part per (token, passage); swapping the delta's own
        idf (from a few hundred passages) for the combined one is a per-token factor. The
        length normalisation keeps the delta's average length, a small difference.
        """
        total = len(main.ids) + len(self.ids)
        for channel, ranker in self.rankers.items():
            if not self.ids:
                continue
            indptr = ranker.scores["indptr"]
            own = np.diff(indptr)
            tokens = [""] * len(own)
            for token, column in ranker.vocab_dict.items():
                if column < len(own):
                    tokens[column] = token
            combined = own + np.asarray([main.document_frequency(channel, t) for t in tokens], dtype=np.int64)
            factor = _lucene_idf(combined, total) / _lucene_idf(own, len(self.ids))
            ranker.scores["data"] = (ranker.scores["data"] * np.repeat(factor, own)).astype(ranker.dtype)

    def save(self, folder: Path) -> None:
        """The segment's own files into a new `folder`, which becomes its name."""
        folder.mkdir(parents=True)
        if self.ids:
            for channel, ranker in self.rankers.items():
                ranker.save(folder / channel)
        np.save(folder / _AUTHORITY, self.authority)
        meta = {"ids": self.ids, "items": self.items.tolist()}
        (folder / _SEGMENT).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        self.name = folder.name

    @classmethod
    def load(cls, folder: Path) -> Segment:
        """Memory-mapped; raises OSError/ValueError/KeyError when missing or damaged."""
        meta = json.loads((folder / _SEGMENT).read_text(encoding="utf-8"))
        ids: list[str] = meta["ids"]
        rankers = {
            channel: bm25s.BM25.load(folder / channel, mmap=True, load_vocab=True) if ids else bm25s.BM25()
            for channel in CHANNELS
        }
        authority = np.load(folder / _AUTHORITY, mmap_mode="r")
        if len(authority) != len(ids):
            raise ValueError(f"{folder}: {len(authority)} priors for {len(ids)} passages")
        return cls(ids, rankers, authority, np.asarray(meta["items"], dtype=np.int64), folder.name)


def _lucene_idf(df: np.ndarray, n: int) -> np.ndarray:
    """bm25s's default ("lucene") inverse document frequency."""
    return np.log1p((n - df + 0.5) / (df + 0.5))
