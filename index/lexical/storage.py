"""The lexical index on disk: segment folders, and one metadata file naming them, swapped in whole.

Several processes share a data dir (the web page, an ingest, a Chroma server's other clients):
readers only follow the metadata file, so they see the old index or the new one, never a mix,
and a save removes only what no metadata can name any more.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

from index.lexical.lexical_index import LexicalIndex
from index.lexical.segment import Segment
from index.tokenize import ChineseTokenizer

_META = "meta.json"
# A segment folder no metadata names, this old, is a crashed save's leftover (a save takes minutes at most).
LEFTOVER_SECONDS = 3600


def save(index: LexicalIndex, folder: Path) -> None:
    """Write new segments into their own folders, then swap the metadata naming them in at once.

    Afterwards the segments the previous metadata named are removed (a reader caught between
    the two retries once), and so are leftovers of a crashed save; a segment that another
    process is still writing is named by no metadata yet and is left alone.
    An unchanged main is not rewritten.
    """
    folder.mkdir(parents=True, exist_ok=True)
    previous = {stored(folder, "main"), stored(folder, "delta")}
    for kind, seg in (("main", index.main), ("delta", index.delta)):
        if seg is not None and not seg.name:
            seg.save(folder / f"{kind}-{uuid.uuid4().hex[:12]}")
    _write_meta(index, folder)
    keep = {seg.name for seg in index.segments}
    for child in folder.iterdir():
        if not child.is_dir() or child.name in keep:
            continue
        try:
            leftover = time.time() - child.stat().st_mtime > LEFTOVER_SECONDS
        except OSError:  # removed meanwhile by another process's save
            continue
        if child.name in previous or leftover:
            shutil.rmtree(child, ignore_errors=True)


def record_generation(index: LexicalIndex, folder: Path, generation: str) -> None:
    """Note that the saved index is still current at this write generation (one small rewrite)."""
    index.generation = generation
    _write_meta(index, folder)


def _write_meta(index: LexicalIndex, folder: Path) -> None:
    meta = {
        "fingerprint": index.fingerprint,
        "generation": index.generation,
        "terms": index.tokenizer.terms,
        "documents": index.documents,
        "citations": index.citations,
        "main": index.main.name,
        "delta": index.delta.name if index.delta else "",
        "dead": index.dead.tolist(),
    }
    # a name of its own: two processes may record at once, and each swap must be whole
    tmp = folder / f"{_META}.{uuid.uuid4().hex[:12]}.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / _META)


def load(folder: Path) -> LexicalIndex | None:
    """The saved index, memory-mapped; None when there is none or it is unreadable.

    Tried twice: another process may swap in a new index and remove the old segments
    between this one reading the metadata and opening them.
    """
    return _read(folder) or _read(folder)


def _read(folder: Path) -> LexicalIndex | None:
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        main = Segment.load(folder / meta["main"])
        delta = Segment.load(folder / meta["delta"]) if meta["delta"] else None
        return LexicalIndex(
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


def stored(folder: Path, key: str) -> str | None:
    """One string saved in the index's metadata (fingerprint, generation, main), without loading it."""
    try:
        return str(json.loads((folder / _META).read_text(encoding="utf-8"))[key])
    except (OSError, ValueError, KeyError):
        return None
