"""When the lexical index takes changes in place, and when it is rebuilt whole.

tantivy updates itself (a delete and an add per changed document) and ranks the result as a
full build would; what an update leaves behind is the full build's harvested terms and citation
counts, and blank rows for replaced passages. So updates are kept small against the full build,
and a small corpus, which builds in seconds, is always built whole.
"""

from __future__ import annotations

from collections.abc import Mapping

from index.lexical.lexical_index import LexicalIndex

# Below this many passages a full build takes seconds: no update in place.
INCREMENTAL_FROM = 20_000
# Documents changed in one update, and rows added since the full build, stay under this share of it.
UPDATE_SHARE = 0.1


def changed(saved: LexicalIndex, documents: Mapping[str, str]) -> list[str] | None:
    """The documents added or changed since `saved` (its documents against `documents`, doc id ->
    content hash); None when a full build is due: a small corpus, or too many changed documents."""
    if saved.folder is None or saved.built < INCREMENTAL_FROM:
        return None
    stale = [d for d, h in saved.documents.items() if documents.get(d) != h]
    fresh = [d for d, h in documents.items() if saved.documents.get(d) != h]
    if len(fresh) + len(stale) > UPDATE_SHARE * len(saved.documents):
        return None
    return fresh


def update_fits(saved: LexicalIndex, passages: int) -> bool:
    """Whether adding this many passages keeps the rows added since the full build within their share."""
    return len(saved.ids) - saved.built + passages <= UPDATE_SHARE * saved.built
