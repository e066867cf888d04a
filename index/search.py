"""Hybrid search: lexical channels, the embedding channel (when it can read Chinese) and, for a small
library, the teacher channel (index/semantic.py), fused by RRF.

`SearchEngine.search(query, k) -> list[Hit]` is the whole API the app sees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np

from index.embeddings import Embedder, Encoder
from index.fusion import Fused, reciprocal_rank_fusion
from index.lexical import LexicalIndex
from index.lexical.thesaurus import Thesaurus
from index.semantic import SEMANTIC, SemanticIndex, TextMeanings
from index.vector_store import PassageStore
from ingest.models import Hit, document_of

DENSE = "dense"
CHECKLIST = "checklist"
# Not a channel: the teacher channel's weight among checklist items only, where it compares a behaviour
# described in the user's words with each item's wording and plain words (index/semantic.py).
ITEM_SEMANTIC = "item_semantic"
# Not a channel: the weight of the citation prior (index/authority.py), in units of one
# channel's rank-1 score, so 1.0 lets the most cited document gain as much as a first place.
AUTHORITY = "authority"
# How deep each channel looks before fusion; RRF needs more than k to reorder well.
CHANNEL_DEPTH = 100
# A passage first in every lexical channel with at least this many times the runner-up's BM25
# score is a quoted sentence: the citation prior reorders close calls, it never overrules that.
DECISIVE = 2.0

LexicalHits = dict[str, list[tuple[str, float]]]


def decisive_match(hits: LexicalHits) -> str | None:
    """The passage every (weighted) lexical channel puts first by a wide margin, if there is one."""
    firsts = set()
    for ranked in hits.values():
        if not ranked or (len(ranked) > 1 and ranked[0][1] < DECISIVE * ranked[1][1]):
            return None
        firsts.add(ranked[0][0])
    return firsts.pop() if len(firsts) == 1 else None


def take_turns(fused: list[Fused]) -> list[Fused]:
    """Each document's best passage, then each one's second best, and so on: one document's many
    near matches never crowd another named document out of the first places."""
    by_document: dict[str, list[Fused]] = {}
    for f in fused:
        by_document.setdefault(document_of(f.id), []).append(f)
    queues = list(by_document.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def items_among_themselves(fused: list[Fused]) -> list[Fused]:
    """The checklist items in the places the fusion gave them, but in the checklist channel's order.

    Which item a described behaviour is, is decided among the items (where the teacher compares it with
    each item's plain words); where items stand against other passages, by the whole library.
    """
    slots = [i for i, f in enumerate(fused) if CHECKLIST in f.ranks]
    if len(slots) < 2:
        return fused
    ordered = sorted((fused[i] for i in slots), key=lambda f: f.ranks[CHECKLIST])
    result = list(fused)
    for slot, f in zip(slots, ordered, strict=True):
        result[slot] = replace(f, score=fused[slot].score)
    return result


class SearchEngine:
    """Read-only over one data dir: safe to share between users of the web page."""

    def __init__(
        self,
        store: PassageStore,
        lexical: LexicalIndex,
        weights: Mapping[str, float],
        embedder: Callable[[], Embedder] | None = None,
        rrf_k: int = 60,
        semantic: tuple[SemanticIndex, Callable[[], Encoder]] | None = None,
        thesaurus: Thesaurus | None = None,
        texts: TextMeanings | None = None,
        judge: Callable[[], Encoder] | None = None,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.weights = dict(weights)
        self._embedder = embedder
        self.rrf_k = rrf_k
        self._item_positions = lexical.items
        self._semantic = semantic if self.weights.get(SEMANTIC, 0.0) > 0 else None
        self._texts = texts  # teacher vectors of short texts already met (index/semantic.py)
        # What reads short texts (behaviours, checklist items) against a question, when it is not the
        # teacher itself: the thresholds on those cosines were calibrated with that model.
        self._judge = judge
        self.thesaurus = thesaurus  # synonyms of the question's words (index/lexical/thesaurus.py)
        self._doc_positions: dict[str, list[int]] | None = None
        # A question is searched several times (its named documents, the library, an article's context):
        # it is encoded once.
        self.query_vectors = lru_cache(maxsize=64)(self._query_vectors)
        self._short_text_query = lru_cache(maxsize=64)(self._reader_query)

    def _positions(self, doc_ids: frozenset[str]) -> np.ndarray:
        """Lexical-index positions of these documents' passages (built once per engine)."""
        if self._doc_positions is None:
            self._doc_positions = defaultdict(list)
            for position, pid in enumerate(self.lexical.ids):
                self._doc_positions[document_of(pid)].append(position)
        return np.asarray(sorted(p for d in doc_ids for p in self._doc_positions.get(d, [])), dtype=np.int64)

    def _query_vectors(self, query: str) -> tuple[list[float] | None, list[float] | None]:
        """The question in the embedding channel's and the teacher's space (None where a channel is off):
        encoded once per question, however many scopes it is ranked in."""
        dense = self.weights.get(DENSE, 0.0) > 0 and self._embedder is not None
        vector = self._embedder().embed_query(query) if dense and self._embedder else None
        semantic, teacher = self._semantic or (None, None)
        meaning = teacher().embed_query(query) if semantic and teacher else None
        return vector, meaning

    def _reader_query(self, query: str) -> list[float] | None:
        """The question as the reader of short texts encodes it (the teacher's vector when no judge)."""
        return self._judge().embed_query(query) if self._judge else self.query_vectors(query)[1]

    def _reader(self) -> Callable[[], Encoder] | None:
        """The model that reads short texts: the judge when there is one, else the teacher."""
        if self._semantic is None:
            return None
        return self._judge or self._semantic[1]

    def text_meaning(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """The cosine of each text to the query by the model that reads short texts: each encoded once
        (tens of ms each on 2 cores) and then remembered; zeros where the library has no teacher."""
        reader = self._reader()
        if reader is None or not texts:
            return np.zeros(len(texts), dtype=np.float32)
        meaning = self._short_text_query(query)
        if meaning is None:
            return np.zeros(len(texts), dtype=np.float32)
        encode = reader().embed_passages
        vectors = self._texts.vectors(texts, encode) if self._texts else np.asarray(encode(list(texts)))
        return np.asarray(vectors, dtype=np.float32) @ np.asarray(meaning, dtype=np.float32)

    def remember_meanings(self, texts: Sequence[str]) -> None:
        """Encode and keep short texts a later question will be compared with, so none waits for them."""
        reader = self._reader()
        if reader is not None and self._texts is not None and texts:
            self._texts.vectors(texts, reader().embed_passages)

    def text_similarity(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """Cosine of each text to the query in the embedding channel's space: cheap enough to score
        every clause of a few dozen passages (a static model); zeros where that channel is off."""
        vector, _ = self.query_vectors(query)
        if vector is None or self._embedder is None or not texts:
            return np.zeros(len(texts), dtype=np.float32)
        return self._embedder().embed_passages(list(texts)) @ np.asarray(vector, dtype=np.float32)

    def passage_meaning(self, query: str, ids: Sequence[str]) -> np.ndarray:
        """The teacher's cosine of each passage to the query (zeros where the library has no teacher
        vectors), on the range the teacher declares (`cosine_scale`, the adapted e5's): what a passage
        means, without encoding anything but the query."""
        _, meaning = self.query_vectors(query)
        if meaning is None or self._semantic is None:
            return np.zeros(len(ids), dtype=np.float32)
        a, b = getattr(self._semantic[1](), "cosine_scale", (1.0, 0.0))
        cosines = self._semantic[0].similarity(meaning, ids)
        return np.where(cosines != 0, a * cosines + b, 0.0).astype(np.float32)

    def rankings(
        self,
        query: str,
        depth: int,
        lexical: LexicalHits | None = None,
        scope: frozenset[str] = frozenset(),
        vectors: tuple[list[float] | None, list[float] | None] | None = None,
        items_first: bool = False,
    ) -> dict[str, list[str]]:
        """Each channel's ranked passage ids; channels with no weight are not computed.

        A search for which checklist item something is (`items_first`) gets one more
        channel: the ranking among checklist items only, so the items compete with
        each other rather than with every paragraph that shares a word.
        `lexical` and `vectors` are the lexical channels' result and the question's
        vectors when the caller already has them; `scope` limits every channel to these
        documents' passages.
        """
        among = self._positions(scope) if scope else None
        lexical = lexical if lexical is not None else self.lexical.search(query, depth, among, self.thesaurus)
        vector, meaning = vectors if vectors is not None else self.query_vectors(query)
        semantic = self._semantic[0] if self._semantic else None
        rankings = {channel: [pid for pid, _ in hits] for channel, hits in lexical.items()}
        if vector is not None:
            rankings[DENSE] = [pid for pid, _ in self.store.nearest(vector, depth, doc_ids=scope)]
        if semantic and meaning is not None:
            rankings[SEMANTIC] = [pid for pid, _ in semantic.rank(meaning, depth, doc_ids=scope)]
        if len(self._item_positions) and items_first:
            items = self._item_positions if among is None else np.intersect1d(self._item_positions, among)
            by_channel = {
                c: [pid for pid, _ in hits]
                for c, hits in self.lexical.search(query, depth, items, self.thesaurus).items()
            }
            if vector is not None:
                by_channel[DENSE] = [
                    pid for pid, _ in self.store.nearest(vector, depth, items_only=True, doc_ids=scope)
                ]
            if semantic and meaning is not None:
                by_channel[SEMANTIC] = [
                    pid for pid, _ in semantic.rank(meaning, depth, items_only=True, doc_ids=scope)
                ]
            among_items = {
                **self.weights,
                SEMANTIC: self.weights.get(ITEM_SEMANTIC, self.weights.get(SEMANTIC, 0.0)),
            }
            rankings[CHECKLIST] = [f.id for f in reciprocal_rank_fusion(by_channel, among_items, self.rrf_k)]
        return rankings

    def search(
        self, query: str, k: int = 10, scope: frozenset[str] = frozenset(), items_first: bool = False
    ) -> list[Hit]:
        """The k best passages for `query`, best first, with what a citation needs.

        The passages of the `scope` documents come first, ranked among themselves; several take
        turns, so a comparison quotes each. The rest of the library follows. `items_first`: the
        checklist items are also ranked among themselves (a question of which item). The caller
        decides both from the question (app/drafting/question.py); the index never parses it.
        """
        if not query.strip() or k <= 0:
            return []
        depth = max(k, CHANNEL_DEPTH)
        vectors = self.query_vectors(query)
        fused = self._fused(query, depth, vectors, items_first=items_first)
        if scope:
            first = take_turns(self._fused(query, depth, vectors, scope, items_first))
            seen = {f.id for f in first}
            fused = first + [f for f in fused if f.id not in seen]
        hits: list[Hit] = []
        taken = 0
        # Usually one round; more only when candidates were dropped and the list goes deeper.
        while len(hits) < k and taken < len(fused):
            hits += self._whole_hits(fused[taken : taken + k])
            taken += k
        return hits[:k]

    def _fused(
        self,
        query: str,
        depth: int,
        vectors: tuple[list[float] | None, list[float] | None],
        scope: frozenset[str] = frozenset(),
        items_first: bool = False,
    ) -> list[Fused]:
        """The channels fused, an exact quote first."""
        lexical = self.lexical.search(query, depth, self._positions(scope) if scope else None, self.thesaurus)
        fused = reciprocal_rank_fusion(
            self.rankings(query, depth, lexical, scope, vectors, items_first),
            self.weights,
            self.rrf_k,
            prior=self.lexical.authority_of,
            prior_weight=self.weights.get(AUTHORITY, 0.0) / (self.rrf_k + 1),
        )
        fused = items_among_themselves(fused)
        quoted = decisive_match({c: hits for c, hits in lexical.items() if self.weights.get(c, 0.0) > 0})
        if quoted and fused and fused[0].id != quoted:
            best = fused[0].score
            fused = [replace(f, score=best) for f in fused if f.id == quoted] + [
                f for f in fused if f.id != quoted
            ]
        return fused

    def _whole_hits(self, fused: list[Fused]) -> list[Hit]:
        """The candidates whose passage and document record both exist, in the given order.

        Another process may be writing or removing a document in a shared store, and the
        lexical index may be older than the store: a passage gone since is skipped, and so
        is one whose document has no record (not yet written, or being removed), so no
        half-written document is ever returned. The passages are read before the records:
        a record present after its passages were read means they were all there.
        """
        found = self.store.get_passages([f.id for f in fused])
        whole = self.store.recorded({passage.doc_id for passage, _ in found.values()})
        hits = []
        for f in fused:
            if f.id in found and found[f.id][0].doc_id in whole:
                passage, meta = found[f.id]
                hits.append(Hit(passage=passage, meta=meta, score=round(f.score, 4), channels=f.ranks))
        return hits
