"""The lexical index: BM25 (bm25s) over jieba words and over character bigrams.

It is derived from the Chroma collection, never a second source of truth: it is
saved beside the collection with the collection's fingerprint, loaded
memory-mapped, and brought up to date when the fingerprint no longer matches,
by a small delta segment for a few changed documents of a large corpus, by a
full build otherwise (index/updater.py decides).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from index.tokenize import ChineseTokenizer
from ingest.models import document_of

# Channel names are what `Hit.channels` and the fusion weights use.
WORDS = "words"
BIGRAMS = "bigrams"
_META = "meta.json"
_AUTHORITY = "authority.npy"
_SEGMENT = "segment.json"
# A segment folder no metadata names, this old, is a crashed save's leftover (a save takes minutes at most).
LEFTOVER_SECONDS = 3600


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
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        tokenizer: ChineseTokenizer,
        authority: np.ndarray,
        items: Sequence[int],
    ) -> Segment:
        """Tokenise every passage both ways (in parallel for large corpora) and rank them with BM25."""
        rankers: dict[str, bm25s.BM25] = {}
        for channel, corpus in token_ids(texts, tokenizer).items():
            ranker = bm25s.BM25()
            if texts:
                ranker.index(corpus, show_progress=False)
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
            for channel in (WORDS, BIGRAMS)
        }
        authority = np.load(folder / _AUTHORITY, mmap_mode="r")
        if len(authority) != len(ids):
            raise ValueError(f"{folder}: {len(authority)} priors for {len(ids)} passages")
        return cls(ids, rankers, authority, np.asarray(meta["items"], dtype=np.int64), folder.name)


def _lucene_idf(df: np.ndarray, n: int) -> np.ndarray:
    """bm25s's default ("lucene") inverse document frequency."""
    return np.log1p((n - df + 0.5) / (df + 0.5))


class LexicalIndex:
    """Two BM25 rankings over the same passage ids, in a main and an optional delta segment.

    `documents` (doc id -> content hash) are those the main segment was built from; passages of
    main whose document has since changed or gone are `dead` (never returned), and the documents
    added or changed since are the delta. `citations` are the main's citation counts, for the
    delta's prior; `tokenizer` keeps the main's harvested terms until the next full build.
    """

    def __init__(
        self,
        tokenizer: ChineseTokenizer,
        main: Segment,
        fingerprint: str,
        generation: str = "",
        documents: Mapping[str, str] | None = None,
        citations: Mapping[str, int] | None = None,
        delta: Segment | None = None,
        dead: Sequence[int] = (),
    ) -> None:
        self.tokenizer = tokenizer
        self.main = main
        self.delta = delta
        self.fingerprint = fingerprint
        # the store's write generation it was built at: equal means current, without a fingerprint
        self.generation = generation
        self.documents = dict(documents or {})
        self.citations = dict(citations or {})
        self.dead = np.asarray(dead, dtype=np.int64)
        segments = [main] + ([delta] if delta else [])
        self.ids: list[str] = [pid for seg in segments for pid in seg.ids]
        self.authority = np.concatenate([seg.authority for seg in segments]).astype(np.float32)
        # positions of the checklist items' passages, for `search(among=...)`
        self.items = np.concatenate([main.items] + ([delta.items + len(main.ids)] if delta else []))
        if len(self.dead):
            self.items = np.setdiff1d(self.items, self.dead)
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
        documents: Mapping[str, str] | None = None,
        citations: Mapping[str, int] | None = None,
    ) -> LexicalIndex:
        """A full build: one main segment over every passage."""
        tokenizer = ChineseTokenizer(terms)
        prior = np.zeros(len(ids), dtype=np.float32) if authority is None else authority
        main = Segment.build(ids, texts, tokenizer, prior, items)
        return cls(tokenizer, main, fingerprint, generation, documents, citations)

    def updated(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        authority: np.ndarray,
        items: Sequence[int],
        stale: set[str],
        fingerprint: str,
        generation: str,
    ) -> LexicalIndex:
        """This index's main segment with a new delta: `ids`/`texts` are every passage of the documents
        added or changed since the main build, `stale` the documents of main that changed or went."""
        delta = Segment.build(ids, texts, self.tokenizer, authority, items)
        delta.align_idf(self.main)
        dead = [i for i, pid in enumerate(self.main.ids) if document_of(pid) in stale]
        return LexicalIndex(
            self.tokenizer, self.main, fingerprint, generation, self.documents, self.citations, delta, dead
        )

    @property
    def passages(self) -> int:
        """How many passages the index answers from (hidden ones not counted)."""
        return len(self.ids) - len(self.dead)

    @property
    def delta_size(self) -> int:
        """Passages the delta adds plus passages of main it hides: the work a full build would fold in."""
        return (len(self.delta.ids) if self.delta else 0) + len(self.dead)

    def search(
        self, query: str, k: int, among: np.ndarray | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """Best k passage ids per channel, with their BM25 scores; `among` limits to those positions."""
        segments = [self.main] + ([self.delta] if self.delta else [])
        results: dict[str, list[tuple[str, float]]] = {}
        words, bigrams = self.tokenizer.query_tokens(query)
        for channel, tokens in ((WORDS, list(words)), (BIGRAMS, list(bigrams))):
            scores = np.concatenate([seg.scores(channel, tokens) for seg in segments])
            scores[self.dead] = 0
            if among is not None:
                masked = np.zeros_like(scores)
                masked[among] = scores[among]
                scores = masked
            results[channel] = [(self.ids[i], s) for i, s in top_k(scores, k)]
        return results

    def document_frequency(self, word: str) -> int:
        """Passages whose jieba words include `word` (dead ones still count: a small overcount)."""
        segments = [self.main] + ([self.delta] if self.delta else [])
        return sum(seg.document_frequency(WORDS, word) for seg in segments)

    def authority_of(self, ids: Sequence[str]) -> dict[str, float]:
        """The citation prior of each given passage id (0 for ids this index does not know)."""
        if self._position is None:
            self._position = {pid: i for i, pid in enumerate(self.ids)}
        return {
            pid: float(self.authority[self._position[pid]]) if pid in self._position else 0.0 for pid in ids
        }

    def save(self, folder: Path) -> None:
        """Write new segments into their own folders, then swap the metadata naming them in at once.

        Readers only follow the metadata file, so they see the old index or the new one, never a
        mix. Afterwards the segments the previous metadata named are removed (a reader caught
        between the two retries once), and so are leftovers of a crashed save; a segment that
        another process is still writing is named by no metadata yet and is left alone.
        An unchanged main is not rewritten.
        """
        folder.mkdir(parents=True, exist_ok=True)
        previous = {LexicalIndex.stored(folder, "main"), LexicalIndex.stored(folder, "delta")}
        for kind, seg in (("main", self.main), ("delta", self.delta)):
            if seg is not None and not seg.name:
                seg.save(folder / f"{kind}-{uuid.uuid4().hex[:12]}")
        self._write_meta(folder)
        keep = {self.main.name, self.delta.name if self.delta else ""}
        for child in folder.iterdir():
            if not child.is_dir() or child.name in keep:
                continue
            try:
                leftover = time.time() - child.stat().st_mtime > LEFTOVER_SECONDS
            except OSError:  # removed meanwhile by another process's save
                continue
            if child.name in previous or leftover:
                shutil.rmtree(child, ignore_errors=True)

    def record_generation(self, folder: Path, generation: str) -> None:
        """Note that the saved index is still current at this write generation (one small rewrite)."""
        self.generation = generation
        self._write_meta(folder)

    def _write_meta(self, folder: Path) -> None:
        meta = {
            "fingerprint": self.fingerprint,
            "generation": self.generation,
            "terms": self.tokenizer.terms,
            "documents": self.documents,
            "citations": self.citations,
            "main": self.main.name,
            "delta": self.delta.name if self.delta else "",
            "dead": self.dead.tolist(),
        }
        # a name of its own: two processes may record at once, and each swap must be whole
        tmp = folder / f"{_META}.{uuid.uuid4().hex[:12]}.tmp"
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / _META)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, memory-mapped; None when there is none or it is unreadable.

        Tried twice: another process may swap in a new index and remove the old segments
        between this one reading the metadata and opening them.
        """
        return cls._read(folder) or cls._read(folder)

    @classmethod
    def _read(cls, folder: Path) -> LexicalIndex | None:
        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
            main = Segment.load(folder / meta["main"])
            delta = Segment.load(folder / meta["delta"]) if meta["delta"] else None
            return cls(
                ChineseTokenizer(meta["terms"]),
                main,
                meta["fingerprint"],
                meta["generation"],
                meta["documents"],
                meta["citations"],
                delta,
                meta["dead"],
            )
        except (OSError, ValueError, KeyError, TypeError):  # missing, damaged, or saved by an older version
            return None

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
