"""The one wrapper around Chroma: the source of truth for documents and passages.

Two collections per embedding model (so switching models never mixes vectors):
`<ns>-passages` holds passage text, vectors and citation metadata; `<ns>-documents`
holds one record per document (cleaned full text, metadata, content hash). A
document record is written after its passages and removed before them, so a
reader that trusts only passages of recorded documents never sees a half-written one.
The rest of the code sees `PassageStore`, never a Chroma object.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.lease import LeaseRecord
from ingest.models import ChecklistItem, Document, DocumentMeta, Passage, passage_id

# Chroma stores scalars only; None becomes "" and back.
_META_FIELDS = ("title", "issuer", "date", "doc_number", "kind", "series")
_PAGE = 2000
NEAREST_MARGIN = 2  # `nearest` fetches this many times k (see there)
_GENERATION = "generation"
_LEASE = "lease"


@dataclass(frozen=True)
class StoredDocument:
    """A document as listed by the store: metadata and size, without the full text."""

    id: str
    meta: DocumentMeta
    source_path: str
    passages: int


def namespace_for(model_name: str) -> str:
    """A Chroma-legal collection prefix that is unique per embedding model."""
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", model_name.lower()).strip("-")[-40:] or "model"
    digest = hashlib.sha1(model_name.encode("utf-8")).hexdigest()[:8]
    return f"dj-{slug}-{digest}"


def _client(data_dir: Path, chroma_url: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=settings,
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


def _passage_metadata(passage: Passage, meta: DocumentMeta) -> dict[str, str | int]:
    item = passage.item
    return {
        "doc_id": passage.doc_id,
        "ordinal": passage.ordinal,
        "section": "\x1f".join(passage.section),
        "start": passage.start,
        "end": passage.end,
        "item": item.number if item else "",
        "category": item.category if item else "",
        "checklist": item.checklist if item else "",
        "item_plain": item.plain_words if item else "",
        "item_details": item.details if item else "",
        # a table row's problem cell, where the passage is the whole row ("4 文风会风方面 会议多… 办公室")
        "item_text": item.text if item and item.text != passage.text else "",
        **{name: getattr(meta, name) for name in _META_FIELDS},
    }


def passage_from_record(text: str, md: dict[str, Any]) -> tuple[Passage, DocumentMeta]:
    """Rebuild the domain objects from what Chroma returns."""
    item = (
        ChecklistItem(
            number=md["item"],
            category=md["category"],
            checklist=md["checklist"],
            text=str(md.get("item_text") or text),
            plain_words=str(md.get("item_plain", "")),
            details=str(md.get("item_details", "")),
        )
        if md.get("item")
        else None
    )
    section = tuple(s for s in str(md.get("section", "")).split("\x1f") if s)
    passage = Passage(
        doc_id=md["doc_id"],
        ordinal=int(md["ordinal"]),
        text=text,
        section=section,
        start=int(md["start"]),
        end=int(md["end"]),
        item=item,
    )
    return passage, DocumentMeta(**{name: str(md.get(name, "")) for name in _META_FIELDS})


def fingerprint_of(hashes: dict[str, str]) -> str:
    """One digest of every (doc id, content hash) pair."""
    return hashlib.sha256(repr(sorted(hashes.items())).encode("utf-8")).hexdigest()


def _passage_ids_of(records: Any) -> list[str]:
    """Passage ids of the documents in a `get` of records, from the passage count in each."""
    return [
        passage_id(doc_id, n)
        for doc_id, md in zip(records["ids"], records.get("metadatas") or [], strict=True)
        for n in range(int(md.get("passages", 0)))
    ]


class ChromaLeaseSlot:
    """The library's write-lease record (index/lease.py), alone in a collection of its own."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def read(self) -> LeaseRecord | None:
        got = self._collection.get(ids=[_LEASE], include=["metadatas"])
        if not got["ids"]:
            return None
        md = got["metadatas"][0]
        return LeaseRecord(str(md["holder"]), int(md["beat"]), float(md["ttl"]))

    def write(self, record: LeaseRecord) -> None:
        self._collection.upsert(ids=[_LEASE], embeddings=[[1.0]], metadatas=[record._asdict()])

    def clear(self, holder: str) -> None:
        """Delete the record if it names `holder`, in one call (the server checks the name)."""
        self._collection.delete(ids=[_LEASE], where={"holder": holder})


class PassageStore:
    """Documents and passages of one embedding model, in embedded Chroma or a Chroma server."""

    def __init__(self, data_dir: Path, model_name: str, chroma_url: str = "", library: str = "") -> None:
        self._client = _client(data_dir, chroma_url)
        # A shared Chroma server holds every library: each gets collections of its own (the name hashed,
        # as collection names are ASCII); the shared library keeps the plain names it always had.
        suffix = f"-lib-{hashlib.sha1(library.encode('utf-8')).hexdigest()[:10]}" if library else ""
        ns = namespace_for(model_name) + suffix
        self.namespace = ns
        cosine = {"hnsw": {"space": "cosine"}}
        self._passages = self._client.get_or_create_collection(
            f"{ns}-passages", embedding_function=None, configuration=cosine, metadata={"model": model_name}
        )
        self._documents = self._client.get_or_create_collection(
            f"{ns}-documents", embedding_function=None, metadata={"model": model_name}
        )
        # one record whose value changes with every write: a cheap "has anything changed?" for readers
        self._state = self._client.get_or_create_collection(f"{ns}-state", embedding_function=None)

    def lease_slot(self) -> ChromaLeaseSlot:
        """Where this library's write lease lives; made on first use, as only writers need it."""
        return ChromaLeaseSlot(
            self._client.get_or_create_collection(f"{self.namespace}-lease", embedding_function=None)
        )

    # --- documents -------------------------------------------------------
    def document_hashes(self) -> dict[str, str]:
        """doc id -> content hash of every recorded document."""
        got = self._documents.get(include=["metadatas"])
        return {i: str(md["content_hash"]) for i, md in zip(got["ids"], got["metadatas"] or [], strict=True)}

    def document_sources(self) -> dict[str, str]:
        """doc id -> source path, for pruning documents whose files are gone."""
        got = self._documents.get(include=["metadatas"])
        return {i: str(md["source_path"]) for i, md in zip(got["ids"], got["metadatas"] or [], strict=True)}

    def list_documents(self) -> list[StoredDocument]:
        """Every document's metadata (not its text), for the library page."""
        got = self._documents.get(include=["metadatas"])
        return [
            StoredDocument(
                id=i,
                meta=DocumentMeta(**{name: str(md.get(name, "")) for name in _META_FIELDS}),
                source_path=str(md["source_path"]),
                passages=int(md.get("passages", 0)),
            )
            for i, md in zip(got["ids"], got["metadatas"] or [], strict=True)
        ]

    def get_document(self, doc_id: str) -> Document | None:
        got = self._documents.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        md = got["metadatas"][0]
        return Document(
            id=doc_id,
            meta=DocumentMeta(**{name: str(md.get(name, "")) for name in _META_FIELDS}),
            text=got["documents"][0],
            source_path=str(md["source_path"]),
            content_hash=str(md["content_hash"]),
        )

    def recorded(self, doc_ids: Iterable[str]) -> set[str]:
        """Which of `doc_ids` have a document record now.

        Only their passages are whole: another process writes a record after all of a
        document's passages and removes it before them, so search trusts nothing else.
        """
        wanted = sorted(set(doc_ids))
        if not wanted:
            return set()
        return set(self._documents.get(ids=wanted, include=[])["ids"])

    def fingerprint(self) -> str:
        """Changes whenever any document is added, replaced or removed."""
        return fingerprint_of(self.document_hashes())

    # --- writes ----------------------------------------------------------
    def put_document(
        self, doc: Document, passages: Sequence[Passage], vectors: Sequence[Sequence[float]]
    ) -> None:
        """Replace one document and its passages."""
        self.put_documents([(doc, passages)], vectors)

    def put_documents(
        self,
        docs: Sequence[tuple[Document, Sequence[Passage]]],
        vectors: Sequence[Sequence[float]],
        new: frozenset[str] = frozenset(),
    ) -> None:
        """Write several documents in bulk: passages in large pages, then all their records.

        `vectors` are the passages' in order. Records go in after every passage, so a reader
        that trusts only recorded documents never sees half of one. Ids in `new` are known to be
        absent, which spares a delete per document on a first ingest.
        """
        self.delete_documents([doc.id for doc, _ in docs if doc.id not in new], bump=False)
        rows = [(p, doc.meta) for doc, passages in docs for p in passages]
        batch = max(1, min(_PAGE, self._client.get_max_batch_size()))
        for lo in range(0, len(rows), batch):
            chunk = rows[lo : lo + batch]
            self._passages.add(
                ids=[p.id for p, _ in chunk],
                embeddings=[list(v) for v in vectors[lo : lo + batch]],
                documents=[p.text for p, _ in chunk],
                metadatas=[_passage_metadata(p, meta) for p, meta in chunk],  # type: ignore[misc]
            )
        self._documents.upsert(
            ids=[doc.id for doc, _ in docs],
            embeddings=[[1.0]] * len(docs),
            documents=[doc.text for doc, _ in docs],
            metadatas=[
                {
                    "content_hash": doc.content_hash,
                    "source_path": doc.source_path,
                    "passages": len(passages),
                    **{name: getattr(doc.meta, name) for name in _META_FIELDS},
                }
                for doc, passages in docs
            ],
        )
        self._bump_generation()

    def delete_document(self, doc_id: str) -> None:
        self.delete_documents([doc_id])

    def delete_documents(self, doc_ids: Sequence[str], bump: bool = True) -> None:
        """Remove the documents' records first, then their passages, each in one call.

        Chroma spends a fixed fraction of a second on every delete, so many documents go
        together. A record says how many passages it has and their ids are `doc#0..n-1`, so
        they go by id, not by a metadata scan of the whole collection; for a document without
        a record (an ingest stopped between passages and record) the scan finds any strays.
        """
        if not doc_ids:
            return
        recorded = self._documents.get(ids=list(doc_ids), include=["metadatas"])
        self._documents.delete(ids=list(doc_ids))
        ids = _passage_ids_of(recorded)
        if ids:
            self._passages.delete(ids=ids)
        strays = sorted(set(doc_ids) - set(recorded["ids"]))
        if strays:
            self._passages.delete(where={"doc_id": {"$in": strays}})
        if bump:
            self._bump_generation()

    def _passage_ids(self, doc_ids: Sequence[str]) -> list[str]:
        """Ids of the recorded documents' passages."""
        return (
            _passage_ids_of(self._documents.get(ids=list(doc_ids), include=["metadatas"])) if doc_ids else []
        )

    def generation(self) -> str:
        """Changes after every write; reading it costs one small get, unlike `fingerprint`."""
        got = self._state.get(ids=[_GENERATION], include=["documents"])
        return str(got["documents"][0]) if got["ids"] else ""

    def _bump_generation(self) -> None:
        self._state.upsert(ids=[_GENERATION], embeddings=[[1.0]], documents=[uuid.uuid4().hex])

    # --- reads -----------------------------------------------------------
    def count(self) -> int:
        return int(self._passages.count())

    def iter_passages(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every passage as (id, text, metadata), paged so memory stays bounded."""
        offset = 0
        while True:
            got = self._passages.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            offset += len(got["ids"])

    def passage_health(self) -> Iterator[tuple[str, str, bool]]:
        """Every passage as (id, doc id, whether its vector is usable: of the collection's size, not all
        zeros), paged; for `dangjian check`."""
        offset, size = 0, 0
        while True:
            got = self._passages.get(include=["metadatas", "embeddings"], limit=_PAGE, offset=offset)
            if not len(got["ids"]):
                return
            for pid, md, vector in zip(got["ids"], got["metadatas"], got["embeddings"], strict=True):
                size = size or len(vector)
                yield (
                    pid,
                    str(md["doc_id"]),
                    vector is not None and len(vector) == size and bool(np.any(vector)),
                )
            offset += len(got["ids"])

    def passages_of(self, doc_ids: Sequence[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every passage of these recorded documents as (id, text, metadata), read by id in pages."""
        ids = self._passage_ids(doc_ids)
        for lo in range(0, len(ids), _PAGE):
            got = self._passages.get(ids=ids[lo : lo + _PAGE], include=["documents", "metadatas"])
            yield from zip(got["ids"], got["documents"], got["metadatas"], strict=True)

    def get_passages(self, ids: Sequence[str]) -> dict[str, tuple[Passage, DocumentMeta]]:
        if not ids:
            return {}
        got = self._passages.get(ids=list(ids), include=["documents", "metadatas"])
        return {
            i: passage_from_record(text, md)
            for i, text, md in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def checklist_item_ids(self) -> set[str]:
        """Ids of the passages that are checklist items."""
        return set(self._passages.get(where={"item": {"$ne": ""}}, include=[])["ids"])

    def nearest(
        self, vector: Sequence[float], k: int, items_only: bool = False, doc_ids: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        """Passage ids by cosine similarity to `vector`, best first; `items_only`: checklist items only;
        `doc_ids`: only these documents' passages.

        HNSW is approximate and its misses near the cut vary from one process to the next, which
        made the same question rank differently in two runs; asking for twice as many and keeping
        the best k (ties by id) gives the same list every time. Chroma returns fewer when it holds
        fewer, so the collection is not counted first (a count costs 17 ms at 155,000 passages).
        """
        if k <= 0:
            return []
        n = NEAREST_MARGIN * k
        conditions: list[dict[str, Any]] = [{"item": {"$ne": ""}}] if items_only else []
        if doc_ids:
            conditions.append({"doc_id": {"$in": sorted(doc_ids)}})
        got = self._passages.query(
            query_embeddings=[list(vector)],
            n_results=n,
            include=["distances"],
            where=conditions[0] if len(conditions) == 1 else ({"$and": conditions} if conditions else None),
        )
        pairs = [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:k]

    @property
    def collection_metadata(self) -> dict[str, Any]:
        return dict(self._passages.metadata or {})

    def set_collection_metadata(self, **values: Any) -> None:
        """Record facts about the model (e.g. whether it reads Chinese) for query-time decisions."""
        merged = {**self.collection_metadata, **values}
        self._passages.modify(metadata=merged)
