"""Bringing the index up to date with a set of files, one document at a time.

Each file is hashed first; an unchanged one costs no parsing, tokenising or
embedding. A broken file is refused with its reason and the rest go on; the
store is only written per whole document, so a failure never leaves half of one.
The lexical index is brought up to date from the store once, at the end, if anything changed.
"""

from __future__ import annotations

import errno
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.authority import authority_scores, citation_counts
from index.lexical import LexicalIndex, policy, storage
from index.tokenize import harvest_terms, read_term_file
from index.vector_store import PassageStore, fingerprint_of
from ingest.discovery import SourceFile, discover, settle_ids, shown
from ingest.errors import DangjianError, DiskFull
from ingest.limits import DEFAULT_LIMITS, Limits, check_limits
from ingest.models import Document, Passage
from ingest.pipeline import content_hash, document_passages, read_document

POLICY_TERMS = Path(__file__).with_name("policy_terms.txt")

EmbedFn = Callable[[list[str]], np.ndarray]
ProgressFn = Callable[[SourceFile], None]


# Passages embedded and written together: large enough for bulk encodes and Chroma writes,
# small enough that memory stays bounded and an interrupted run loses little.
BATCH_PASSAGES = 4000
# Where an ingest's time goes, reported per stage by evals/bench_ingest.py.
STAGES = ("hash", "read", "chunk", "embed", "write", "lexical")


@dataclass
class IngestReport:
    """What one ingest run did, for the CLI summary, the upload page and the benchmarks."""

    ingested: list[tuple[str, int]] = field(default_factory=list)  # doc id, passages
    # doc id -> checklist items found in it, so a checklist the parser missed shows as one not found
    checklist_items: dict[str, int] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # file, reason
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    characters: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.ingested or self.removed)

    @property
    def passages(self) -> int:
        return sum(n for _, n in self.ingested)


class _Stopwatch:
    """Adds the time spent inside `with watch("stage"):` to the report's stage total."""

    def __init__(self, report: IngestReport) -> None:
        self.report = report
        self.stage = ""
        self.began = 0.0

    def __call__(self, stage: str) -> _Stopwatch:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.began = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        self.report.stages[self.stage] += time.perf_counter() - self.began


def ingest_files(
    sources: list[SourceFile],
    store: PassageStore,
    embed: EmbedFn,
    chunk_chars: int,
    report: IngestReport,
    progress: ProgressFn | None = None,
    limits: Limits = DEFAULT_LIMITS,
    where: Path = Path("."),
) -> None:
    """Add or replace each changed document; refuse broken files one by one.

    Documents are parsed one at a time and written in batches of whole documents.
    An interrupted run keeps every batch already written: the next run sees those
    documents' hashes and skips them, so it resumes where it stopped.
    """
    known = store.document_hashes()
    watch = _Stopwatch(report)
    pending: list[tuple[Document, list[Passage]]] = []

    def flush() -> None:
        if not pending:
            return
        with watch("embed"):
            vectors = embed([p.text for _, passages in pending for p in passages])
        with watch("write"), disk_full_said(where):
            fresh = frozenset(doc.id for doc, _ in pending if doc.id not in known)
            store.put_documents(pending, vectors.tolist(), new=fresh)
        report.ingested.extend((doc.id, len(passages)) for doc, passages in pending)
        report.checklist_items.update(
            {doc.id: n for doc, passages in pending if (n := sum(1 for p in passages if p.item))}
        )
        report.characters += sum(len(doc.text) for doc, _ in pending)
        pending.clear()

    for source in sources:
        try:
            check_limits(source.path, limits)  # before the whole file is read to hash it
            with watch("hash"):
                digest = content_hash(source.path, chunk_chars)
            if known.get(source.doc_id) == digest:
                report.unchanged.append(source.doc_id)
                continue
            with watch("read"):
                doc = read_document(source, digest)
            with watch("chunk"):
                passages = document_passages(doc, chunk_chars)
            if not passages:
                raise DangjianError("没有可检索的正文")
            pending.append((doc, passages))
        except DangjianError as exc:
            report.rejected.append((str(source.path), str(exc)))
        except Exception as exc:  # a hostile file must not end the run; say what broke
            report.rejected.append((str(source.path), f"解析失败（{type(exc).__name__}: {exc}）"))
        finally:
            if progress:
                progress(source)
        if sum(len(p) for _, p in pending) >= BATCH_PASSAGES:
            flush()  # outside the file's try: a failed write is the library's, never retried per file
    flush()


# Below this much free space an ingest does not start: Chroma and the lexical index need room to write.
MIN_FREE_MB = 50
_FULL = ("disk is full", "no space left", "database or disk is full")


FULL_BELOW_MB = 1.0  # a write failing with less free space than this failed for want of space


def out_of_space(exc: BaseException, where: Path) -> bool:
    """Whether `exc` is a full disk: said so (ENOSPC, SQLite's "disk is full"), or any failure with the
    disk at `where` (nearly) full: Chroma reports it as a failed compaction."""
    if getattr(exc, "errno", None) == errno.ENOSPC or any(s in str(exc).lower() for s in _FULL):
        return True
    try:
        return shutil.disk_usage(where).free < FULL_BELOW_MB * 1024 * 1024
    except OSError:
        return False


@contextmanager
def disk_full_said(where: Path) -> Iterator[None]:
    """A write that fails for want of space becomes one DiskFull line naming the place."""
    try:
        yield
    except DiskFull:
        raise
    except Exception as exc:
        if out_of_space(exc, where):
            raise DiskFull(
                f"磁盘空间不足（{where}），导入已停止；已写入的文件保留，腾出空间后重新导入会从中断处继续。"
            ) from exc
        raise


def check_free_space(where: Path, minimum_mb: float = MIN_FREE_MB) -> None:
    """Refuse to start writing with less than `minimum_mb` free where the library lives."""
    where.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(where).free / 1024 / 1024
    if free < minimum_mb:
        raise DiskFull(
            f"磁盘剩余空间不足（{where} 只剩 {free:.0f} MB，导入至少需要 {minimum_mb:g} MB），本次没有写入任何内容。"
        )


def prune_missing(store: PassageStore, report: IngestReport) -> None:
    """Remove documents whose source files no longer exist."""
    gone = [doc_id for doc_id, source in store.document_sources().items() if not Path(source).exists()]
    store.delete_documents(gone)
    report.removed.extend(gone)


def lexical_text(text: str, md: Mapping[str, Any]) -> str:
    """What the lexical index sees: the passage under its document title, heading chain and, for a
    checklist item, its everyday descriptions.

    Questions name the document ("2020年作风整顿方案里…") or the heading more often
    than the passage repeats them, so the context words must be matchable too.
    """
    section = str(md.get("section", "")).replace("\x1f", " ")
    return f"{md.get('title', '')} {section} {md.get('item_plain', '')}\n{text}"


@dataclass
class _Passages:
    """Passages read back from the store, in the shape the lexical index is built from."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    items: list[int] = field(default_factory=list)

    @classmethod
    def of(
        cls, rows: Iterable[tuple[str, str, Mapping[str, Any]]], documents: Mapping[str, str]
    ) -> _Passages:
        """Only passages of `documents`: one written after they were listed joins at the next refresh."""
        out = cls()
        for pid, text, md in rows:
            if md.get("doc_id") not in documents:
                continue
            if md.get("item"):
                out.items.append(len(out.ids))
            out.ids.append(pid)
            out.texts.append(lexical_text(text, md))
            out.titles.append(str(md.get("title", "")))
        return out


def refresh_lexical(store: PassageStore, folder: Path) -> LexicalIndex:
    """The lexical index matching the store: loaded if current, otherwise updated and saved.

    Current means built at the store's present write generation (one small read) or,
    failing that, over the same documents (the fingerprint reads every document record).
    Otherwise updated in place or built whole, as index/lexical/policy.py decides; on a full
    disk it is built in memory, and the next start saves what could not be saved.
    """
    generation = store.generation()  # read before the passages: a write meanwhile shows next time
    saved = storage.load(folder)
    if saved is not None and generation and saved.generation == generation:
        return saved
    documents = store.document_hashes()
    fingerprint = fingerprint_of(documents)
    if saved is not None and saved.fingerprint == fingerprint:
        if generation:  # the next start takes the cheap path
            storage.record_generation(saved, folder, generation)
        return saved
    try:
        with disk_full_said(folder), storage.new_folder(folder) as fresh:
            index = _updated(saved, store, documents, fingerprint, generation, fresh) if saved else None
            index = index or _built(store, documents, fingerprint, generation, fresh)
            storage.save(index, folder)
    except DiskFull:  # searching goes on from memory
        index = _built(store, documents, fingerprint, generation, None)
    return index


def rebuild_lexical(store: PassageStore, folder: Path) -> LexicalIndex:
    """The lexical index built anew from the store, whatever a saved one claims (`dangjian check`)."""
    documents = store.document_hashes()
    with disk_full_said(folder), storage.new_folder(folder) as fresh:
        index = _built(store, documents, fingerprint_of(documents), store.generation(), fresh)
        storage.save(index, folder)
    return index


def _built(
    store: PassageStore, documents: dict[str, str], fingerprint: str, generation: str, folder: Path | None
) -> LexicalIndex:
    """A full build over every passage of `documents`, into `folder` (None: in memory)."""
    rows = _Passages.of(store.iter_passages(), documents)
    counts = citation_counts(rows.texts)
    terms = read_term_file(POLICY_TERMS) | harvest_terms(rows.texts)
    authority = authority_scores(rows.titles, counts)
    return LexicalIndex.build(
        rows.ids,
        rows.texts,
        sorted(terms),
        fingerprint,
        authority,
        rows.items,
        generation,
        documents,
        counts,
        folder,
    )


def _updated(
    saved: LexicalIndex,
    store: PassageStore,
    documents: dict[str, str],
    fingerprint: str,
    generation: str,
    folder: Path,
) -> LexicalIndex | None:
    """`saved` in `folder` with the documents changed since replaced; None when the policy wants a
    full build, or when another process's save removed `saved`'s files before they were linked."""
    fresh = policy.changed(saved, documents)
    if fresh is None:
        return None
    rows = _Passages.of(store.passages_of(fresh), documents)
    if not policy.update_fits(saved, len(rows.ids)):
        return None
    authority = authority_scores(rows.titles, Counter(saved.citations) + citation_counts(rows.texts))
    try:
        return saved.updated(
            rows.ids, rows.texts, authority, rows.items, documents, fingerprint, generation, folder
        )
    except FileNotFoundError:
        for leftover in folder.iterdir():  # the links made so far: the full build starts empty
            leftover.unlink()
        return None


def run_ingest(
    paths: Iterable[Path],
    store: PassageStore,
    embed: EmbedFn,
    lexical_folder: Path,
    chunk_chars: int,
    prune: bool = False,
    progress: ProgressFn | None = None,
    on_discovered: Callable[[int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    min_free_mb: float = MIN_FREE_MB,
) -> IngestReport:
    """The whole ingest: discover, update changed documents, prune, refresh the lexical index.

    It does not start with too little free space (DiskFull), and stops at the first write that
    finds the disk full, keeping every batch written before.
    """
    check_free_space(lexical_folder, min_free_mb)
    started = time.perf_counter()
    report = IngestReport()
    sources, refused = discover(paths)
    report.rejected.extend((shown(p), reason) for p, reason in refused)
    sources, duplicates = settle_ids(sources, store.document_sources())
    if duplicates:  # one file stored twice by an older version: keep one
        store.delete_documents(duplicates)
        report.removed.extend(duplicates)
    if on_discovered:
        on_discovered(len(sources))
    ingest_files(sources, store, embed, chunk_chars, report, progress, limits, lexical_folder)
    if prune:
        prune_missing(store, report)
    if report.changed or storage.stored(lexical_folder, "fingerprint") != store.fingerprint():
        with _Stopwatch(report)("lexical"):
            refresh_lexical(store, lexical_folder)
    report.seconds = time.perf_counter() - started
    return report
