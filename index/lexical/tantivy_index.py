"""BM25 over pre-tokenised passages with tantivy: the only module that touches tantivy.

One index, a field per channel (term frequencies, no positions), indexed with the whitespace
tokenizer so the tokens of index/lexical/tokens.py are kept as given. Each passage carries its
document id, to delete a changed document's passages by one term, and its row: its position in
`LexicalIndex.ids`, which search filters on and maps back. tantivy ranks with BM25 (k1 1.2,
b 0.75, Lucene's IDF) and updates itself, so a change is a delete, an add and a commit.

A folder is written by one writer, once: an update hard-links the current folder's files (tantivy
never rewrites a segment file, and swaps its own metadata by rename) into a new folder and
commits there, so readers of the current folder are never disturbed and a killed update leaves
only an unnamed folder behind.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import cast

import numpy as np
import tantivy

from index.lexical.tokens import CHANNELS, Tokens

_DOC = "doc"
_ROW = "row"
# tantivy's lock files belong to the folder that took them, never to a copy.
_LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")
_WRITER_HEAP = 256_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(_DOC, tokenizer_name="raw")
    builder.add_integer_field(_ROW, indexed=True, fast=True)
    for channel in CHANNELS:
        builder.add_text_field(channel, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


class TantivyIndex:
    """One tantivy index over passages, in a folder of its own or (folder None) in memory."""

    def __init__(self, index: tantivy.Index) -> None:
        self._index = index
        self._schema = index.schema
        self._searcher = index.searcher()

    @classmethod
    def create(cls, folder: Path | None) -> TantivyIndex:
        """An empty index in the new, empty `folder`."""
        return cls(tantivy.Index(_schema(), path=str(folder) if folder else None, reuse=False))

    @classmethod
    def open(cls, folder: Path) -> TantivyIndex:
        """The index saved in `folder`; raises OSError/ValueError when missing or damaged."""
        if not (folder / "meta.json").is_file():
            raise FileNotFoundError(folder / "meta.json")
        return cls(tantivy.Index.open(str(folder)))

    @classmethod
    def linked(cls, source: Path, folder: Path) -> TantivyIndex:
        """The index in `source`, hard-linked into the new, empty `folder` (copied where links fail)."""
        for path in source.iterdir():
            if path.is_file() and path.name not in _LOCKS:
                try:
                    os.link(path, folder / path.name)
                except OSError:
                    if not path.exists():  # removed by another process's save: the caller builds whole
                        raise
                    shutil.copy2(path, folder / path.name)
        return cls.open(folder)

    def write(
        self, docs: Sequence[str], rows: Sequence[int], tokens: Tokens, stale: Iterable[str] = ()
    ) -> None:
        """Delete the `stale` documents' passages, add these (document id, row, tokens), commit."""
        writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        for doc in stale:
            writer.delete_documents_by_term(_DOC, doc)
        for i, (doc, row) in enumerate(zip(docs, rows, strict=True)):
            fields = {channel: tokens[channel][i] for channel in CHANNELS}
            writer.add_document(tantivy.Document(**{_DOC: doc, _ROW: int(row)}, **fields))
        writer.commit()
        writer.wait_merging_threads()  # the folder is whole before anyone names it
        self._index.reload()
        self._searcher = self._index.searcher()

    def search(
        self,
        channel: str,
        tokens: Sequence[str],
        k: int,
        among: np.ndarray | None = None,
        boosted: Mapping[str, float] | None = None,
    ) -> list[tuple[int, float]]:
        """Rows and BM25 scores of the best k passages for these tokens, best first (ties by row);
        `among` limits to those rows; `boosted` tokens count at their weight (a thesaurus' synonyms)."""
        if not tokens or k <= 0 or (among is not None and not len(among)):
            return []
        term = tantivy.Query.term_query
        clauses = [(tantivy.Occur.Should, term(self._schema, channel, t)) for t in tokens]
        clauses += [
            (tantivy.Occur.Should, tantivy.Query.boost_query(term(self._schema, channel, t), boost))
            for t, boost in (boosted or {}).items()
        ]
        query = tantivy.Query.boolean_query(clauses)
        if among is not None:
            rows = tantivy.Query.term_set_query(self._schema, _ROW, [int(r) for r in among])
            only = tantivy.Query.const_score_query(rows, 0.0)  # a filter: adds nothing to the score
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)])
        hits = self._searcher.search(query, k, count=False).hits
        values = self._searcher.fast_field_values(_ROW, [address for _, address in hits]) if hits else []
        found = [cast(int, row) for row in values]  # every passage has its row
        ranked = sorted(zip(found, (float(s) for s, _ in hits), strict=True), key=lambda h: (-h[1], h[0]))
        return [(row, score) for row, score in ranked if score > 0]

    def document_frequency(self, channel: str, token: str) -> int:
        """Passages whose `channel` tokens include `token` (deleted ones count until tantivy merges them)."""
        return int(self._searcher.doc_freq(channel, token))
