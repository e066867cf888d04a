"""Bringing the index up to date with a set of files, one document at a time.

Each file is hashed first; an unchanged one costs no parsing, tokenising or
embedding. A broken file is refused with its reason and the rest go on; the
store is only written per whole document, so a failure never leaves half of one.
The lexical index is rebuilt from the store once, at the end, if anything changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.lexical import LexicalIndex
from index.tokenize import harvest_terms, read_term_file
from index.vector_store import PassageStore
from ingest.errors import DangjianError
from ingest.pipeline import SourceFile, content_hash, discover, document_passages, read_document

POLICY_TERMS = Path(__file__).with_name("policy_terms.txt")

EmbedFn = Callable[[list[str]], np.ndarray]
ProgressFn = Callable[[SourceFile], None]


@dataclass
class IngestReport:
    """What one ingest run did, for the CLI summary and the upload page."""

    ingested: list[tuple[str, int]] = field(default_factory=list)  # doc id, passages
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # file, reason
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.ingested or self.removed)

    @property
    def passages(self) -> int:
        return sum(n for _, n in self.ingested)


def ingest_files(
    sources: list[SourceFile],
    store: PassageStore,
    embed: EmbedFn,
    chunk_chars: int,
    report: IngestReport,
    progress: ProgressFn | None = None,
) -> None:
    """Add or replace each changed document; refuse broken files one by one."""
    known = store.document_hashes()
    for source in sources:
        try:
            digest = content_hash(source.path, chunk_chars)
            if known.get(source.doc_id) == digest:
                report.unchanged.append(source.doc_id)
                continue
            doc = read_document(source, digest)
            passages = document_passages(doc, chunk_chars)
            if not passages:
                raise DangjianError("没有可检索的正文")
            vectors = embed([p.text for p in passages])
            store.put_document(doc, passages, vectors.tolist())
            report.ingested.append((doc.id, len(passages)))
        except DangjianError as exc:
            report.rejected.append((str(source.path), str(exc)))
        except Exception as exc:  # a hostile file must not end the run; say what broke
            report.rejected.append((str(source.path), f"解析失败（{type(exc).__name__}: {exc}）"))
        finally:
            if progress:
                progress(source)


def prune_missing(store: PassageStore, report: IngestReport) -> None:
    """Remove documents whose source files no longer exist."""
    for doc_id, source in store.document_sources().items():
        if not Path(source).exists():
            store.delete_document(doc_id)
            report.removed.append(doc_id)


def lexical_text(text: str, md: Mapping[str, Any]) -> str:
    """What the lexical index sees: the passage under its document title, heading chain and, for a
    checklist item, its everyday descriptions.

    Questions name the document ("2020年作风整顿方案里…") or the heading more often
    than the passage repeats them, so the context words must be matchable too.
    """
    section = str(md.get("section", "")).replace("\x1f", " ")
    return f"{md.get('title', '')} {section} {md.get('item_plain', '')}\n{text}"


def refresh_lexical(store: PassageStore, folder: Path) -> LexicalIndex:
    """The lexical index matching the store: loaded if current, otherwise rebuilt and saved."""
    fingerprint = store.fingerprint()
    if LexicalIndex.stored_fingerprint(folder) == fingerprint:
        loaded = LexicalIndex.load(folder)
        if loaded is not None:
            return loaded
    ids: list[str] = []
    texts: list[str] = []
    for pid, text, md in store.iter_passages():
        ids.append(pid)
        texts.append(lexical_text(text, md))
    terms = read_term_file(POLICY_TERMS) | harvest_terms(texts)
    index = LexicalIndex.build(ids, texts, sorted(terms), fingerprint)
    index.save(folder)
    return index


def run_ingest(
    paths: Iterable[Path],
    store: PassageStore,
    embed: EmbedFn,
    lexical_folder: Path,
    chunk_chars: int,
    prune: bool = False,
    progress: ProgressFn | None = None,
    on_discovered: Callable[[int], None] | None = None,
) -> IngestReport:
    """The whole ingest: discover, update changed documents, prune, refresh the lexical index."""
    started = time.perf_counter()
    report = IngestReport()
    sources, refused = discover(paths)
    report.rejected.extend((str(p), reason) for p, reason in refused)
    if on_discovered:
        on_discovered(len(sources))
    ingest_files(sources, store, embed, chunk_chars, report, progress)
    if prune:
        prune_missing(store, report)
    if report.changed or LexicalIndex.stored_fingerprint(lexical_folder) != store.fingerprint():
        refresh_lexical(store, lexical_folder)
    report.seconds = time.perf_counter() - started
    return report
