"""The lexical index on disk: one folder per saved version, and one metadata file naming it, swapped in whole.

Several processes share a data dir (the web page, an ingest, a Chroma server's other clients):
readers only follow the metadata file, so they see the old index or the new one, never a mix;
each save writes a folder of its own (index/lexical/tantivy_index.py: an update hard-links the
current one's files), and removes only what no metadata can name any more.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from index.lexical.lexical_index import LexicalIndex
from index.lexical.tantivy_index import TantivyIndex
from index.tokenize import ChineseTokenizer

_META = "meta.json"
# Beside tantivy's files in an index folder: the passage id per row, and the priors.
_ROWS = "rows.json"
_AUTHORITY = "authority.npy"
# A folder no metadata names, this old, is a crashed save's leftover (a save takes minutes at most).
LEFTOVER_SECONDS = 3600


@contextmanager
def new_folder(parent: Path) -> Iterator[Path]:
    """A new, empty folder for an index to be saved; removed again if what fills it fails."""
    folder = parent / f"index-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def save(index: LexicalIndex, parent: Path) -> None:
    """Complete the index's folder with its rows and priors, then swap the metadata naming it in at once.

    Afterwards the folder the previous metadata named is removed (a reader caught between the
    two retries once), and so are leftovers of a crashed save; a folder another process is still
    writing is named by no metadata yet and is left alone. An index held in memory is not saved.
    """
    if index.folder is None:
        return
    previous = stored(parent, "index")
    rows = {"ids": index.ids, "items": index.items.tolist(), "built": index.built}
    # Written beside, then renamed: a hard-linked file of the folder this was updated from stays as it was.
    _replace(index.folder / _ROWS, json.dumps(rows, ensure_ascii=False).encode())
    priors = io.BytesIO()
    np.save(priors, index.authority)
    _replace(index.folder / _AUTHORITY, priors.getvalue())
    _write_meta(index, parent)
    for child in parent.iterdir():
        if not child.is_dir() or child == index.folder:
            continue
        try:
            leftover = time.time() - child.stat().st_mtime > LEFTOVER_SECONDS
        except OSError:  # removed meanwhile by another process's save
            continue
        if child.name == previous or leftover:
            shutil.rmtree(child, ignore_errors=True)


def record_generation(index: LexicalIndex, parent: Path, generation: str) -> None:
    """Note that the saved index is still current at this write generation (one small rewrite)."""
    index.generation = generation
    _write_meta(index, parent)


def _replace(path: Path, data: bytes) -> None:
    """Write `path` through a file of its own name, renamed over it: two processes may write at once."""
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_meta(index: LexicalIndex, parent: Path) -> None:
    meta = {
        "fingerprint": index.fingerprint,
        "generation": index.generation,
        "terms": index.tokenizer.terms,
        "documents": index.documents,
        "citations": index.citations,
        "index": index.folder.name if index.folder else "",
    }
    _replace(parent / _META, json.dumps(meta, ensure_ascii=False).encode())


def load(parent: Path) -> LexicalIndex | None:
    """The saved index, memory-mapped; None when there is none or it is unreadable.

    Tried twice: another process may swap in a new index and remove the old folder
    between this one reading the metadata and opening it.
    """
    return _read(parent) or _read(parent)


def _read(parent: Path) -> LexicalIndex | None:
    try:
        meta = json.loads((parent / _META).read_text(encoding="utf-8"))
        folder = parent / meta["index"]
        engine = TantivyIndex.open(folder)
        rows = json.loads((folder / _ROWS).read_text(encoding="utf-8"))
        authority = np.load(folder / _AUTHORITY)
        if len(authority) != len(rows["ids"]):
            raise ValueError(f"{folder}: {len(authority)} priors for {len(rows['ids'])} passages")
        return LexicalIndex(
            ChineseTokenizer(meta["terms"]),
            engine,
            rows["ids"],
            authority,
            np.asarray(rows["items"], dtype=np.int64),
            meta["fingerprint"],
            meta["generation"],
            meta["documents"],
            meta["citations"],
            rows["built"],
            folder,
        )
    except (OSError, ValueError, KeyError, TypeError):  # missing, damaged, or saved by an older version
        return None


def stored(parent: Path, key: str) -> str | None:
    """One string saved in the index's metadata (fingerprint, generation, index), without loading it."""
    try:
        return str(json.loads((parent / _META).read_text(encoding="utf-8"))[key])
    except (OSError, ValueError, KeyError):
        return None
