"""The one narrow API the app reads the index through: `Library`.

Drafting code (answers, lectures, ledgers) asks for passages with a document scope, the weight of a
question's words, the library's documents, its checklist items and which documents supersede which;
it never sees Chroma, tantivy or the search engine's insides. Document records are read once per
write generation (and kept on disk beside the lexical index, so a new process need not read them
either), not on every question.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from index.search import SearchEngine
from index.vector_store import PassageStore, StoredDocument, passage_from_record
from ingest.models import DocumentMeta, Hit

DOCUMENTS_FILE = "documents.json"  # beside the lexical index: the library's records for one write generation


class HasMeta(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def meta(self) -> DocumentMeta: ...


def superseded_by(documents: Iterable[HasMeta]) -> dict[str, str]:
    """doc id -> id of the newest document of the same series, for every older one.

    A series is named in a document's metadata (`series` in its sidecar), e.g. the yearly key
    points of the same organ: pages mark older ones as superseded, answers prefer the newer.
    """
    newest: dict[str, HasMeta] = {}
    members: list[HasMeta] = []
    for doc in documents:
        if not doc.meta.series:
            continue
        members.append(doc)
        best = newest.get(doc.meta.series)
        if best is None or (doc.meta.date, doc.id) > (best.meta.date, best.id):
            newest[doc.meta.series] = doc
    return {d.id: newest[d.meta.series].id for d in members if newest[d.meta.series].id != d.id}


def cached_documents(store: PassageStore, folder: Path, generation: str) -> list[StoredDocument]:
    """The store's document records, from `folder`'s copy when it was written at this generation.

    Reading every record takes a second at 3,500 documents; only the first process after a change pays it.
    """
    saved = folder / DOCUMENTS_FILE
    try:
        stored = json.loads(saved.read_text(encoding="utf-8"))
        if generation and stored["generation"] == generation:
            return [StoredDocument(d, DocumentMeta(**m), src, n) for d, m, src, n in stored["documents"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    documents = store.list_documents()
    rows = [[d.id, asdict(d.meta), d.source_path, d.passages] for d in documents]
    tmp = saved.with_name(f".{saved.name}.{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"generation": generation, "documents": rows}, ensure_ascii=False))
        os.replace(tmp, saved)
    except OSError:  # a read-only or full disk costs the next start a second, nothing more
        tmp.unlink(missing_ok=True)
    return documents


class Library:
    """Read-only over one data dir at one write generation; shared by every user of the web page."""

    def __init__(
        self, engine: SearchEngine, documents: Callable[[], list[StoredDocument]], generation: str = ""
    ) -> None:
        self._engine = engine
        self.generation = generation  # the store's write generation this view was built at
        self._load_documents = documents
        self._documents: list[StoredDocument] | None = None
        self._items: list[Hit] | None = None
        self.document_passages = lru_cache(maxsize=64)(self._document_passages)

    def search(
        self, query: str, k: int = 10, scope: Sequence[str] = (), items_first: bool = False
    ) -> list[Hit]:
        """The k best passages; `scope` puts these documents' passages first, `items_first` ranks the
        checklist items among themselves too. Both are the caller's: app/drafting/question.py's
        `search_as_asked` reads them from a question."""
        return self._engine.search(query, k, frozenset(scope), items_first)

    def similarity(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """How near each text (a clause, a sentence) is to the query in meaning (embedding cosine)."""
        return self._engine.text_similarity(query, texts)

    def text_meaning(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """How near each of a few short texts is to the query by the teacher model, each text encoded the
        first time it is met and then kept (0 where the library has no teacher)."""
        return self._engine.text_meaning(query, texts)

    def remember_meanings(self, texts: Sequence[str]) -> None:
        """Encode now the short texts questions will be compared with (`text_meaning`)."""
        self._engine.remember_meanings(texts)

    def meaning(self, query: str, hits: Sequence[Hit]) -> np.ndarray:
        """How near each passage is to the query by the teacher model (0 where it has no vector)."""
        return self._engine.passage_meaning(query, [h.passage.id for h in hits])

    @property
    def passages(self) -> int:
        return self._engine.lexical.passages

    def words(self, text: str) -> tuple[str, ...]:
        """The text's distinct words, from the tokenizer's per-question cache."""
        return tuple(dict.fromkeys(self._engine.lexical.tokenizer.query_tokens(text)[0]))

    def term_weights(self, text: str) -> dict[str, float]:
        """The text's words and their IDF in this library: rare words weigh more."""
        lexical = self._engine.lexical
        n = lexical.passages
        return {w: math.log((n + 1) / (lexical.document_frequency(w) + 0.5)) for w in self.words(text)}

    def unseen(self, words: Iterable[str]) -> set[str]:
        """Which of the words no passage of the library holds."""
        lexical = self._engine.lexical
        return {w for w in words if not lexical.holds(w)}

    def unknown_places(self, text: str) -> list[str]:
        """Place names in the text that no passage of the library mentions."""
        lexical = self._engine.lexical
        return [w for w in lexical.tokenizer.places(text) if lexical.document_frequency(w.lower()) == 0]

    def documents(self) -> list[StoredDocument]:
        """Every document's record, newest first; read once."""
        if self._documents is None:
            self._documents = sorted(self._load_documents(), key=lambda d: (d.meta.date, d.id), reverse=True)
        return self._documents

    def superseded_by(self) -> dict[str, str]:
        return superseded_by(self.documents())

    def checklist_items(self) -> list[Hit]:
        """Every checklist item, by checklist date and item order (for picking on a page); read once."""
        if self._items is None:
            store = self._engine.store
            found = store.get_passages(sorted(store.checklist_item_ids()))
            hits = [Hit(p, meta, 1.0) for p, meta in found.values() if p.item]
            self._items = sorted(hits, key=lambda h: (h.meta.date, h.passage.doc_id, h.passage.ordinal))
        return self._items

    def section_passages(self, hit: Hit) -> list[Hit]:
        """Every passage of the hit's document under the same heading chain, in order: a whole article."""
        parts = [
            h for h in self.document_passages(hit.passage.doc_id) if h.passage.section == hit.passage.section
        ]
        return parts or [hit]

    def sections(self, hits: Sequence[Hit]) -> list[tuple[int, list[Hit]]]:
        """Each section the hits fall in, once, in the order found: the rank of its first hit, and all its
        passages (`section_passages`)."""
        found: dict[tuple[str, tuple[str, ...]], tuple[int, list[Hit]]] = {}
        for rank, hit in enumerate(hits):
            key = (hit.passage.doc_id, hit.passage.section)
            if key not in found:
                found[key] = (rank, self.section_passages(hit))
        return list(found.values())

    def _document_passages(self, doc_id: str) -> tuple[Hit, ...]:
        """Every passage of one document in reading order: a whole article, a section's headings."""
        store = self._engine.store
        found = [passage_from_record(text, md) for _, text, md in store.passages_of([doc_id])]
        return tuple(Hit(p, meta, 0.0) for p, meta in sorted(found, key=lambda pm: pm[0].ordinal))
