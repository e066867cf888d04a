"""Sentences drawn from several documents (measures, lecture material), each measure said once in its
fuller wording."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from app.drafting.citations import Draft
from app.drafting.extract import (
    NEAR_REPEAT,
    RELATIVE,
    Candidate,
    pick,
    prefer_newer,
    sentence_candidates,
)
from app.drafting.text import (
    HEADING_NUMBER,
    MEASURE,
    QueryTerms,
    as_sentence,
    cjk_bigrams,
    jaccard,
)
from ingest.models import Hit

T = TypeVar("T")


MIN_PIECE = 6  # characters: a comma piece two measures share makes them one


PER_DOCUMENT = 2  # sentences lecture material and measures take from one document (1 right answer more of 13)


SPREAD = 4  # documents lecture material and measures are drawn from


SPREAD_MEANING = 1.0


QUOTABLE = 0.002  # per character: of two sentences on the theme, a lecture quotes the shorter


def spread(
    terms: QueryTerms,
    hits: list[Hit],
    newer: dict[str, str],
    measures: bool,
    meaning: np.ndarray | None = None,
    most: int = SPREAD,
) -> list[Draft]:
    """The best sentences (PER_DOCUMENT, close to its best) of each of the first `most` documents: material
    from several sources (a lecture: short, quotable sentences first), or ways to act from several rules
    and plans. `meaning`: each hit's teacher cosine to the question, when the library has one."""
    cands = sentence_candidates(terms, [h for h in hits if h.passage.item is None])  # a problem is no measure
    for c in cands:
        if measures:
            c.score += 0.1 * len(MEASURE.findall(c.text))
        else:  # shorter is more quotable, but a sentence on the theme stays one however long
            c.score /= 1 + QUOTABLE * len(c.text)
    if meaning is not None and len(meaning):
        # the passage's meaning, centred on the median: the words pick the sentence, the meaning tips it
        nearness = dict(zip((h.passage.id for h in hits), meaning, strict=True))
        middle = float(np.median(meaning))
        for c in cands:
            c.score += SPREAD_MEANING * (nearness[c.hit.passage.id] - middle)
    prefer_newer(cands, newer)
    by_doc: dict[str, list[Candidate]] = {}
    for c in sorted(cands, key=lambda c: -c.score):
        taken = by_doc.setdefault(c.hit.passage.doc_id, [])
        if (
            c.score > 0
            and len(taken) < PER_DOCUMENT
            and (not taken or c.score >= RELATIVE * taken[0].score)
            and all(jaccard(cjk_bigrams(c.text), cjk_bigrams(t.text)) < NEAR_REPEAT for t in taken)
        ):
            taken.append(c)
    firsts = sorted((t[0] for t in by_doc.values() if t), key=lambda c: -c.score)[:most]
    chosen = [c for f in firsts for c in by_doc[f.hit.passage.doc_id]]
    if len(chosen) < 2:
        chosen = pick(terms, cands)
    return [(as_sentence(c.text), (c.hit,)) for c in chosen]


def _bare(measure: str) -> str:
    """ "二、要精简会议活动。" as "要精简会议活动": how two wordings of a measure are compared."""
    return HEADING_NUMBER.sub("", measure).strip().rstrip("。；;")


def _same_measure(a: str, b: str) -> bool:
    """One clause inside the other ("开展“我陪基层解难题”活动" and its run-on), two runs of one sentence
    sharing a comma piece, or nearly the same words."""
    a, b = _bare(a), _bare(b)
    pieces = {p for p in re.split(r"[，,]", a) if len(p) >= MIN_PIECE}
    return (
        a in b
        or b in a
        or bool(pieces & set(re.split(r"[，,]", b)))
        or jaccard(cjk_bigrams(a), cjk_bigrams(b)) >= NEAR_REPEAT
    )


def _holds(new: str, old: str) -> bool:
    return _bare(old) in _bare(new)


def longer_wording(new: str, old: str) -> bool:
    """A rule's whole sentence says more than the clause the ledger cut from it."""
    return len(new) > len(old)


def said_once(
    measures: list[T],
    text: Callable[[T], str],
    most: int | None = None,
    says_more: Callable[[str, str], bool] = _holds,
) -> list[T]:
    """Each measure once (`_same_measure`), in order of first mention, in the wording that `says_more`
    (by default the one that holds the other: the clause run on). With `most`, the first that many."""
    kept: list[T] = []
    for measure in measures:
        if len(kept) == most:
            break
        same = next((i for i, k in enumerate(kept) if _same_measure(text(measure), text(k))), None)
        if same is None:
            kept.append(measure)
        elif says_more(text(measure), text(kept[same])):
            kept[same] = measure
    return kept
