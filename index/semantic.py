"""The teacher channel: a real pretrained encoder's vectors for every passage of a small library.

multilingual-e5-small (index/e5_model.py) understands colloquial Chinese far better than
the static models, but encodes only tens of passages a second on two cores: fine for a
library of a few thousand passages, far too slow for 155,000 law articles. So its vectors
are kept for libraries up to `limit` passages and the channel is simply absent above that.

The vectors are derived from the store like the lexical index, but dear to derive, so they
are cached by the passage text's hash: re-ingesting, renaming or moving a document re-encodes
nothing, an edited one only its changed passages. The cache is saved every few batches (an
interrupted ingest resumes where it stopped) and replaced atomically (another process reading
it never sees half a file).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.vector_store import PassageStore
from ingest.models import document_of

SEMANTIC = "semantic"
VECTORS = "vectors.npy"
KEYS = "keys.json"
STATE = "state.json"  # the store generation the cache last matched, and each passage's key
# What the teacher is given for a passage (teacher_text); a cache state written under another recipe is
# re-derived: only passages whose text to encode changed are encoded again.
RECIPE = 2
SAVE_EVERY = 256  # passages encoded between two saves of the cache

EncodeFn = Callable[[list[str]], np.ndarray]
ProgressFn = Callable[[int, int], None]  # (done, total)


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class VectorCache:
    """Unit vectors by text hash, in one .npy file and its key list."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows: dict[str, int] = {}
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        try:
            keys = json.loads((folder / KEYS).read_text(encoding="utf-8"))
            matrix = np.load(folder / VECTORS)
        except (OSError, ValueError):
            return
        if len(keys) == len(matrix):  # written by two processes at once: start over rather than misalign
            self.rows = {k: i for i, k in enumerate(keys)}
            self.matrix = matrix.astype(np.float32)

    def missing(self, keys: Sequence[str]) -> list[str]:
        return [k for k in dict.fromkeys(keys) if k not in self.rows]

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        start = len(self.rows)
        self.matrix = vectors.astype(np.float32) if not start else np.vstack([self.matrix, vectors])
        self.rows.update({k: start + i for i, k in enumerate(keys)})

    def keep_only(self, keys: set[str]) -> None:
        """Drop vectors of texts no longer in the library, so the cache does not grow forever."""
        kept = [k for k in self.rows if k in keys]
        if len(kept) < len(self.rows):
            self.matrix = self.matrix[[self.rows[k] for k in kept]] if kept else np.zeros((0, 0), np.float32)
            self.rows = {k: i for i, k in enumerate(kept)}

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.folder / VECTORS, lambda f: np.save(f, self.matrix.astype(np.float16)))
        _atomic_write(self.folder / KEYS, lambda f: f.write(json.dumps(list(self.rows)).encode("utf-8")))


class TextMeanings:
    """Teacher vectors of short texts met at question time (the behaviours an article sanctions, the
    problems of a list), kept by text hash in one file: each is encoded once per library and model, not
    on every question. One file replaced atomically, so a reader never pairs one process's keys with
    another's vectors; two writers at once only lose each other's additions."""

    FILE = "texts.npz"
    LIMIT = 20_000  # texts kept; past it the memo starts over rather than grow without end

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.FILE
        self._lock = threading.Lock()
        self._rows: dict[str, int] | None = None
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def vectors(self, texts: Sequence[str], encode: EncodeFn) -> np.ndarray:
        """The texts' unit vectors, in order, encoding (and saving) only those not met before."""
        keys = [text_key(t) for t in texts]
        with self._lock:
            if self._rows is None:
                self._load()
            assert self._rows is not None
            todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._rows}
            if todo:
                if len(self._rows) + len(todo) > self.LIMIT:
                    self._rows, self._matrix = {}, np.zeros((0, 0), dtype=np.float32)
                fresh = np.asarray(encode(list(todo.values())), dtype=np.float32)
                start = len(self._rows)
                self._matrix = fresh if not start else np.vstack([self._matrix, fresh])
                self._rows.update({k: start + i for i, k in enumerate(todo)})
                self._save()
            return self._matrix[[self._rows[k] for k in keys]]

    def _load(self) -> None:
        self._rows = {}
        try:
            with np.load(self.path) as saved:
                keys, matrix = [str(k) for k in saved["keys"]], saved["matrix"].astype(np.float32)
        except (OSError, ValueError, KeyError):
            return
        if len(keys) == len(matrix):
            self._rows, self._matrix = {k: i for i, k in enumerate(keys)}, matrix

    def _save(self) -> None:
        assert self._rows is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(
                self.path,
                lambda f: np.savez(f, keys=np.asarray(list(self._rows or {})), matrix=self._matrix),
            )
        except OSError:
            pass  # a read-only data dir: the vectors still serve this process


def _atomic_write(path: Path, write: Callable) -> None:  # type: ignore[type-arg]
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}-", delete=False) as tmp:
        write(tmp)
    os.replace(tmp.name, path)


@dataclass
class SemanticIndex:
    """Passage ids and their teacher vectors (rows aligned), ready to rank a query vector."""

    ids: list[str]
    matrix: np.ndarray
    items: np.ndarray  # positions of checklist items
    _rows: dict[str, int] | None = field(default=None, repr=False, compare=False)  # id -> row, built once

    def similarity(self, query_vector: Sequence[float], ids: Sequence[str]) -> np.ndarray:
        """Cosine of these passages to the query vector; 0 for a passage without a vector."""
        if self._rows is None:
            self._rows = {pid: row for row, pid in enumerate(self.ids)}
        rows = [self._rows.get(pid, -1) for pid in ids]
        known = np.asarray([r for r in rows if r >= 0], dtype=np.int64)
        scores = np.zeros(len(ids), dtype=np.float32)
        if len(known):
            mask = np.asarray([r >= 0 for r in rows])
            scores[mask] = self.matrix[known] @ np.asarray(query_vector, dtype=np.float32)
        return scores

    def rank(
        self,
        query_vector: Sequence[float],
        depth: int,
        items_only: bool = False,
        doc_ids: frozenset[str] = frozenset(),
    ) -> list[tuple[str, float]]:
        """Passage ids by cosine similarity, best first; ties by id so every process agrees.
        `items_only`: checklist items only; `doc_ids`: only these documents' passages."""
        positions = self.items if items_only else np.arange(len(self.ids))
        if doc_ids:
            positions = np.asarray(
                [p for p in positions if document_of(self.ids[p]) in doc_ids], dtype=np.int64
            )
        if not len(positions) or depth <= 0:
            return []
        scores = self.matrix[positions] @ np.asarray(query_vector, dtype=np.float32)
        order = np.lexsort((positions, -scores))[:depth]  # ids are sorted, so position order is id order
        return [(self.ids[positions[i]], float(scores[i])) for i in order]


def teacher_text(text: str, meta: dict) -> str:  # type: ignore[type-arg]
    """What the teacher encodes for a passage: its text, and for a checklist item its plain words too
    (how people describe the behaviour: 19/26 dev item questions put the gold item first by the teacher
    with them, 11/26 without)."""
    plain = str(meta.get("item_plain") or "") if meta.get("item") else ""
    return f"{text} {plain}" if plain else text


def refresh_semantic(
    store: PassageStore,
    folder: Path,
    encode: EncodeFn,
    limit: int,
    batch: int = 32,
    progress: ProgressFn | None = None,
    save_every: int = SAVE_EVERY,
) -> SemanticIndex | None:
    """The teacher vectors of every passage in the store, encoding only texts not seen before.

    None when the library has more than `limit` passages (the channel is then off).
    """
    generation = store.generation()  # read before the passages: a write meanwhile shows next time
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    current = (
        bool(generation)
        and state.get("generation") == generation
        and state.get("limit") == limit
        and state.get("recipe") == RECIPE
    )
    if current and state.get("passages") is None:  # a large library, as it was last time: no vectors to load
        return None
    cache = VectorCache(folder)
    if current and all(k in cache.rows for k in state["passages"].values()):
        return _index(state["passages"], state.get("items", []), cache)
    if store.count() > limit:
        _write_state(folder, {"generation": generation, "limit": limit, "recipe": RECIPE, "passages": None})
        return None
    passages, texts, items = {}, {}, []
    for pid, text, meta in store.iter_passages():
        meaning = teacher_text(text, meta)
        passages[pid] = key = text_key(meaning)
        texts[key] = meaning
        if meta.get("item"):
            items.append(pid)
    todo = cache.missing(list(passages.values()))
    for start in range(0, len(todo), batch):
        keys = todo[start : start + batch]
        cache.add(keys, encode([texts[k] for k in keys]))
        if progress:
            progress(min(start + batch, len(todo)), len(todo))
        if (start // batch + 1) % max(1, save_every // batch) == 0:
            cache.save()
    cache.keep_only(set(passages.values()))
    cache.save()
    _write_state(
        folder,
        {"generation": generation, "limit": limit, "recipe": RECIPE, "passages": passages, "items": items},
    )
    return _index(passages, items, cache)


def _write_state(folder: Path, state: dict) -> None:  # type: ignore[type-arg]
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / STATE, lambda f: f.write(json.dumps(state, ensure_ascii=False).encode("utf-8")))


def _index(passages: dict[str, str], items: list[str], cache: VectorCache) -> SemanticIndex:
    ids = sorted(passages)
    if not ids:
        return SemanticIndex([], np.zeros((0, 0), np.float32), np.zeros(0, np.int64))
    matrix = cache.matrix[[cache.rows[passages[pid]] for pid in ids]]
    item_set = set(items)
    positions = np.asarray([i for i, pid in enumerate(ids) if pid in item_set], dtype=np.int64)
    return SemanticIndex(ids, matrix, positions)
