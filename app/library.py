"""Which documents supersede which: the newest document of a series wins.

A series is named in a document's metadata (`series` in its sidecar), e.g. the
yearly key points of the same organ. Pages mark older ones as superseded and
answers prefer the newer when both are cited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ingest.models import DocumentMeta


class HasMeta(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def meta(self) -> DocumentMeta: ...


def superseded_by(documents: Iterable[HasMeta]) -> dict[str, str]:
    """doc id -> id of the newest document of the same series, for every older one."""
    newest: dict[str, HasMeta] = {}
    members: list[HasMeta] = []
    for doc in documents:
        if not doc.meta.series:
            continue
        members.append(doc)
        best = newest.get(doc.meta.series)
        if best is None or (doc.meta.date, doc.id) > (best.meta.date, best.id):
            newest[doc.meta.series] = doc
    return {d.id: newest[d.meta.series].id for d in members if newest[d.meta.series].id != d.id}
