"""The lexical index in memory: a main segment, an optional delta segment, and main's dead passages.

Built whole from every passage, or updated by a delta over the documents changed since the
main build (index/lexical/policy.py says which); on disk through index/lexical/storage.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from index.lexical.segment import Segment, top_k
from index.lexical.tokens import BIGRAMS, WORDS, token_ids
from index.tokenize import ChineseTokenizer
from ingest.models import document_of


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
        self.ids: list[str] = [pid for seg in self.segments for pid in seg.ids]
        self.authority = np.concatenate([seg.authority for seg in self.segments]).astype(np.float32)
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
        """A full build: one main segment over every passage, tokenised in parallel for large corpora."""
        tokenizer = ChineseTokenizer(terms)
        prior = np.zeros(len(ids), dtype=np.float32) if authority is None else authority
        main = Segment.build(ids, token_ids(texts, tokenizer), prior, items)
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
        delta = Segment.build(ids, token_ids(texts, self.tokenizer), authority, items)
        delta.align_idf(self.main)
        dead = [i for i, pid in enumerate(self.main.ids) if document_of(pid) in stale]
        return LexicalIndex(
            self.tokenizer, self.main, fingerprint, generation, self.documents, self.citations, delta, dead
        )

    @property
    def segments(self) -> list[Segment]:
        """Main, then the delta if there is one: the order of `ids`."""
        return [self.main] + ([self.delta] if self.delta else [])

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
        results: dict[str, list[tuple[str, float]]] = {}
        words, bigrams = self.tokenizer.query_tokens(query)
        for channel, tokens in ((WORDS, list(words)), (BIGRAMS, list(bigrams))):
            scores = np.concatenate([seg.scores(channel, tokens) for seg in self.segments])
            scores[self.dead] = 0
            if among is not None:
                masked = np.zeros_like(scores)
                masked[among] = scores[among]
                scores = masked
            results[channel] = [(self.ids[i], s) for i, s in top_k(scores, k)]
        return results

    def document_frequency(self, word: str) -> int:
        """Passages whose jieba words include `word` (dead ones still count: a small overcount)."""
        return sum(seg.document_frequency(WORDS, word) for seg in self.segments)

    def authority_of(self, ids: Sequence[str]) -> dict[str, float]:
        """The citation prior of each given passage id (0 for ids this index does not know)."""
        if self._position is None:
            self._position = {pid: i for i, pid in enumerate(self.ids)}
        return {
            pid: float(self.authority[self._position[pid]]) if pid in self._position else 0.0 for pid in ids
        }
