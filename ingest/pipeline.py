"""Files → Documents → Passages: hashing and the one call per file (discovery: ingest/discovery.py).

Pure functions: nothing here touches the index. A document's id is its path
relative to the folder it was found in, prefixed by that folder's name, so the
same file always gets the same id and re-ingesting replaces it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from ingest.chunking import split_into_passages
from ingest.clean import clean_text
from ingest.discovery import SourceFile
from ingest.errors import UnreadableFile, UnsupportedFile
from ingest.loaders import SUPPORTED_SUFFIXES, load_text
from ingest.metadata import checklist_plain_words, document_meta, sidecar_of
from ingest.models import Document, Passage

# Bump when loaders, cleaning, structure or chunking change, so every document is re-read.
PIPELINE_VERSION = "5"


def content_hash(path: Path, chunk_chars: int) -> str:
    """Hash of the file, its sidecar and the pipeline settings that shape its passages."""
    digest = hashlib.sha256(f"{PIPELINE_VERSION}:{chunk_chars}:".encode())
    try:
        digest.update(path.read_bytes())
        side = sidecar_of(path)
        if side is not None:
            digest.update(side.read_bytes())
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件：{exc.strerror or exc}") from exc
    return digest.hexdigest()


def read_document(source: SourceFile, digest: str) -> Document:
    """Load, clean and describe one file; raises UnsupportedFile/UnreadableFile."""
    if source.path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(f"不支持的文件类型“{source.path.suffix}”")
    text = clean_text(load_text(source.path))
    if not text.strip():
        raise UnreadableFile("清理后没有正文")
    return Document(
        id=source.doc_id,
        meta=document_meta(source.path, text),
        text=text,
        source_path=str(source.path),
        content_hash=digest,
    )


def document_passages(doc: Document, chunk_chars: int) -> list[Passage]:
    """The passages of a document, checklist items carrying their everyday descriptions from the sidecar."""
    passages = split_into_passages(doc, chunk_chars) if chunk_chars else split_into_passages(doc)
    plain = checklist_plain_words(Path(doc.source_path))
    if not plain:
        return passages
    return [
        replace(p, item=replace(p.item, plain_words=plain[p.item.number]))
        if p.item and p.item.number in plain
        else p
        for p in passages
    ]
