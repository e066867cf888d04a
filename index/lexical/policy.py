"""When the lexical index takes changes as a delta segment, and when it is rebuilt whole.

A full build of 150,000 passages takes about two minutes, a delta over a few changed documents
seconds; but a delta ranks a little off a full build (its length normalisation is its own, and
main's dead passages still count in document frequencies), so it is kept small against main.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from index.lexical.lexical_index import LexicalIndex

# Below this many passages in main a full build takes seconds: no delta.
INCREMENTAL_FROM = 20_000
# A delta's documents stay under this share of main's, its passages (added plus hidden) of main's.
DELTA_SHARE = 0.1


@dataclass(frozen=True)
class Changes:
    """The documents since the main build: `fresh` added or changed, `stale` of main changed or gone."""

    fresh: list[str]
    stale: set[str]


def delta_changes(saved: LexicalIndex, documents: Mapping[str, str]) -> Changes | None:
    """What a delta over `saved`'s main must hold to match `documents` (doc id -> content hash);
    None when a full build is due: a small corpus, or too many changed documents."""
    if len(saved.main.ids) < INCREMENTAL_FROM:
        return None
    stale = {d for d, h in saved.documents.items() if documents.get(d) != h}
    fresh = [d for d, h in documents.items() if saved.documents.get(d) != h]
    if len(fresh) + len(stale) > DELTA_SHARE * len(saved.documents):
        return None
    return Changes(fresh, stale)


def delta_fits(saved: LexicalIndex, passages: int) -> bool:
    """Whether a delta touching this many passages (added, or hidden in main) is still worth keeping."""
    return passages <= DELTA_SHARE * len(saved.main.ids)
