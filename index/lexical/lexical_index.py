"""The lexical index in memory: a tantivy index, the passage id of each of its rows, and their priors.

Built whole from every passage, or updated in place for the documents changed since (tantivy
deletes and adds; index/lexical/policy.py says when a full build is due instead); on disk through
index/lexical/storage.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from index.lexical.tantivy_index import TantivyIndex
from index.lexical.thesaurus import Thesaurus
from index.lexical.tokens import BIGRAMS, WORDS, tokenized
from index.tokenize import ChineseTokenizer
from ingest.models import document_of


class LexicalIndex:
    """Two BM25 rankings (words, bigrams) over passages, whose rows are positions in `ids`.

    An update appends the changed documents' passages as new rows and blanks their old rows'
    ids (""), so positions held elsewhere (checklist items, a document's passages) stay valid.
    `built` is how many rows the last full build wrote; `documents` (doc id -> content hash) are
    those the index holds; `citations` are the full build's citation counts, for a new passage's
    prior; `tokenizer` keeps the full build's harvested terms until the next one. `folder` is
    where the tantivy index lives (None: in memory only, when the disk is full).
    """

    def __init__(
        self,
        tokenizer: ChineseTokenizer,
        engine: TantivyIndex,
        ids: Sequence[str],
        authority: np.ndarray,
        items: np.ndarray,
        fingerprint: str,
        generation: str = "",
        documents: Mapping[str, str] | None = None,
        citations: Mapping[str, int] | None = None,
        built: int | None = None,
        folder: Path | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.engine = engine
        self.ids = list(ids)
        self.authority = np.asarray(authority, dtype=np.float32)  # per row (index/authority.py)
        # positions of the checklist items' passages, for `search(among=...)`
        self.items = np.asarray(items, dtype=np.int64)
        self.fingerprint = fingerprint
        # the store's write generation it was built at: equal means current, without a fingerprint
        self.generation = generation
        self.documents = dict(documents or {})
        self.citations = dict(citations or {})
        self.built = len(self.ids) if built is None else built
        self.folder = folder
        self.passages = sum(1 for pid in self.ids if pid)  # rows blanked by an update not counted
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
        folder: Path | None = None,
    ) -> LexicalIndex:
        """A full build into the new, empty `folder` (None: in memory), tokenised in parallel for large corpora."""
        tokenizer = ChineseTokenizer(terms)
        engine = TantivyIndex.create(folder)
        engine.write([document_of(pid) for pid in ids], range(len(ids)), tokenized(texts, tokenizer))
        prior = np.zeros(len(ids), dtype=np.float32) if authority is None else authority
        return cls(
            tokenizer,
            engine,
            ids,
            prior,
            np.asarray(items),
            fingerprint,
            generation,
            documents,
            citations,
            folder=folder,
        )

    def updated(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        authority: np.ndarray,
        items: Sequence[int],
        documents: Mapping[str, str],
        fingerprint: str,
        generation: str,
        folder: Path,
    ) -> LexicalIndex:
        """This index in the new, empty `folder` with the changes to `documents` (doc id -> content hash)
        applied: `ids`/`texts` are every passage of the documents added or changed since."""
        assert self.folder is not None, "an index kept in memory is rebuilt, not updated"
        stale = {d for d, h in self.documents.items() if documents.get(d) != h}
        engine = TantivyIndex.linked(self.folder, folder)
        first = len(self.ids)
        engine.write(
            [document_of(pid) for pid in ids],
            range(first, first + len(ids)),
            tokenized(texts, self.tokenizer),
            stale,
        )
        kept = np.asarray([document_of(pid) not in stale for pid in self.ids], dtype=bool)
        return LexicalIndex(
            self.tokenizer,
            engine,
            [pid if keep else "" for pid, keep in zip(self.ids, kept, strict=True)] + list(ids),
            np.concatenate([np.where(kept, self.authority, 0), np.asarray(authority, dtype=np.float32)]),
            np.concatenate([self.items[kept[self.items]], np.asarray(items, dtype=np.int64) + first]),
            fingerprint,
            generation,
            documents,
            self.citations,
            self.built,
            folder,
        )

    def search(
        self, query: str, k: int, among: np.ndarray | None = None, thesaurus: Thesaurus | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """Best k passage ids per channel, with their BM25 scores; `among` limits to those positions;
        `thesaurus` adds the question words' synonyms the library holds to the words channel."""
        words, bigrams = self.tokenizer.query_tokens(query)
        synonyms = (
            thesaurus.expand(words, lambda w: self.engine.document_frequency(WORDS, w) > 0)
            if thesaurus
            else {}
        )
        return {
            channel: [
                (self.ids[row], score)
                for row, score in self.engine.search(
                    channel, tokens, k, among, synonyms if channel == WORDS else None
                )
            ]
            for channel, tokens in ((WORDS, words), (BIGRAMS, bigrams))
        }

    def document_frequency(self, word: str) -> int:
        """Passages whose jieba words include `word` (replaced ones count until tantivy merges them away)."""
        return self.engine.document_frequency(WORDS, word)

    def holds(self, word: str) -> bool:
        """Whether some passage holds the word: as a jieba word, or as every one of its characters and
        character bigrams (a word jieba cut otherwise: "课" inside "课程")."""
        if self.document_frequency(word):
            return True
        return all(self.engine.document_frequency(BIGRAMS, t) for t in ChineseTokenizer.bigrams(word))

    def authority_of(self, ids: Sequence[str]) -> dict[str, float]:
        """The citation prior of each given passage id (0 for ids this index does not know)."""
        if self._position is None:
            self._position = {pid: i for i, pid in enumerate(self.ids) if pid}
        return {
            pid: float(self.authority[self._position[pid]]) if pid in self._position else 0.0 for pid in ids
        }
