"""The 问题清单 page's data: every checklist item, grouped, and the passages related to each.

Items are passages whose `item` is set (the checklist extractor marks them at
ingest). For each item, the related passages are found by searching with the
item's own text, leaving out the items themselves: a secretary wants the
measures, earlier problem lists and regulation articles that speak to the item,
not the neighbouring items. One search per item is too slow to repeat on every
page view, so the results are cached per process, keyed by the index fingerprint
(any ingest or delete changes it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st

from app.drafting.question import search_as_asked
from app.services import Services
from index.library import Library
from ingest.models import ChecklistItem, DocumentMeta, Hit, Passage

RELATED_K = 5  # related passages shown per item
PER_DOCUMENT = 2  # at most this many from one document, so the list spans documents
SEARCH_DEPTH = 40  # hits looked at per item before the items and the per-document cap are applied


@dataclass(frozen=True)
class Entry:
    """One checklist item: its passage (for the text and the link) and its document."""

    passage: Passage
    meta: DocumentMeta

    @property
    def item(self) -> ChecklistItem:
        assert self.passage.item is not None, "an Entry is always an item passage"
        return self.passage.item


@dataclass(frozen=True)
class Checklist:
    """A checklist as the page shows it: its title, source document and items by category."""

    title: str
    meta: DocumentMeta
    categories: tuple[tuple[str, tuple[Entry, ...]], ...]

    @property
    def size(self) -> int:
        return sum(len(entries) for _, entries in self.categories)


def _number(entry: Entry) -> tuple[int, str]:
    """Items sort by their number as an integer ("10" after "9"); odd numbers go last."""
    number = entry.item.number
    return (int(number), number) if number.isdigit() else (10**9, number)


def load_entries(library: Library) -> list[Entry]:
    """Every checklist item in the index, by checklist and number."""
    entries = [Entry(hit.passage, hit.meta) for hit in library.checklist_items()]
    return sorted(entries, key=lambda e: (e.item.checklist, e.passage.doc_id, _number(e)))


def group(entries: Iterable[Entry]) -> list[Checklist]:
    """Checklists in order, each with its categories in the order their first item appears."""
    lists: dict[tuple[str, str], dict[str, list[Entry]]] = {}
    metas: dict[tuple[str, str], DocumentMeta] = {}
    for entry in entries:
        key = (entry.item.checklist, entry.passage.doc_id)
        metas.setdefault(key, entry.meta)
        lists.setdefault(key, {}).setdefault(entry.item.category or "未分类", []).append(entry)
    return [
        Checklist(
            title=key[0] or metas[key].title,
            meta=metas[key],
            categories=tuple((name, tuple(items)) for name, items in categories.items()),
        )
        for key, categories in lists.items()
    ]


def related_for(library: Library, entry: Entry, k: int = RELATED_K) -> list[Hit]:
    """The k passages most related to an item, none of them a checklist item, few per document."""
    taken: list[Hit] = []
    per_doc: dict[str, int] = {}
    for hit in search_as_asked(library, entry.passage.text, SEARCH_DEPTH):
        p = hit.passage
        if p.item is not None or p.id == entry.passage.id or per_doc.get(p.doc_id, 0) >= PER_DOCUMENT:
            continue
        per_doc[p.doc_id] = per_doc.get(p.doc_id, 0) + 1
        taken.append(hit)
        if len(taken) == k:
            break
    return taken


def index_key(services: Services) -> str:
    """Which index this is and what it holds: the cache key of the related passages."""
    s = services.settings
    where = s.chroma_url or str(s.data_dir.resolve())
    return f"{where}|{services.store.namespace}|{services.library().generation}"


@st.cache_data(show_spinner="正在为每一条查找相关段落（只在文件库变化后的第一次较慢）…", max_entries=8)
def _related_cached(key: str, k: int, _services: Services) -> dict[str, list[Hit]]:
    library = _services.library()
    return {e.passage.id: related_for(library, e, k) for e in load_entries(library)}


def related_passages(services: Services, k: int = RELATED_K) -> dict[str, list[Hit]]:
    """item passage id -> related hits, computed once per index state and process."""
    return _related_cached(index_key(services), k, services)
