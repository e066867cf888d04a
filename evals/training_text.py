"""The text both bundled embedding models learn from (evals/train_embedding.py, evals/distil_student.py):
every passage of the corpus folders with its title and heading path, and the shared seed and width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.discovery import discover
from ingest.pipeline import content_hash, document_passages, read_document

SEED = 20251123
DIM = 256
LABEL = re.compile(r"^第[一二三四五六七八九十百千零〇]+条\s*")  # an article's number, not its meaning
CLAUSE = re.compile(r"[，。；：！？]")


def corpus_passages(folders: list[Path]) -> Iterator[tuple[str, str]]:
    """(context, passage text) for every passage of every readable document: title + heading path as context."""
    sources, _ = discover(folders)
    for source in sources:
        try:
            doc = read_document(source, content_hash(source.path, 0))
            passages = document_passages(doc, 0)
        except Exception:  # noqa: BLE001 - a file the ingest refuses simply gives no pairs
            continue
        for p in passages:
            heads = [h for h in p.section if not LABEL.match(h + " ")]
            yield " ".join([doc.meta.title, *heads[1:]] if heads else [doc.meta.title]), p.text
