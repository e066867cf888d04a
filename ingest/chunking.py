"""Passages: the units of retrieval and citation.

A passage is small enough for a precise citation and never crosses a heading,
so its section path tells the reader where it stands. Sizes count characters
that are not whitespace (Chinese has no words to count), and cuts fall at
sentence ends so that a quoted sentence is never split between two passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate

from ingest.checklist import find_checklists
from ingest.headings import SENTENCE_END
from ingest.models import ChecklistItem, Document, Passage
from ingest.structure import parse_sections

# Measured on the five seeds and the regulations at 150-750: every dev gold quote stays whole at
# every size; 300 keeps 86% of sections (mostly one numbered paragraph each) in a single passage
# while passages stay short enough to cite precisely (median 160 characters).
DEFAULT_MAX_CHARS = 300
OVERFLOW = 1.25  # a small leftover may stretch its neighbour up to this factor
_CLAUSE_END = re.compile(r"[，、,：:]")
# A closing **bold** mark stays with its sentence.
_SENTENCE_CUT = re.compile(SENTENCE_END.pattern + r"(?:\*\*)?")

_Span = tuple[int, int]
_Size = Callable[[int, int], int]


def split_into_passages(doc: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Passage]:
    """All passages of `doc` in text order: one per checklist item, then pieces of each section body."""
    text = doc.text
    found: list[tuple[int, int, tuple[str, ...], ChecklistItem | None]] = []
    checklists = find_checklists(text)
    for checklist in checklists:
        for item, start, end in checklist.items:
            found.append((start, end, tuple(x for x in (checklist.title, item.category) if x), item))
    holes = sorted(span for c in checklists for span in c.taken())
    fallback = (doc.meta.title or "正文",)  # text before any heading
    for section in parse_sections(text):
        for start, end in _outside(section.start, section.end, holes):
            for piece in split_span(text, start, end, max_chars):
                found.append((*piece, section.path or fallback, None))
    found.sort(key=lambda x: x[0])
    return [
        Passage(doc.id, n, text[start:end], path, start, end, item)
        for n, (start, end, path, item) in enumerate(found)
    ]


def split_span(text: str, start: int, end: int, max_chars: int) -> list[_Span]:
    """Cut text[start:end] into trimmed pieces of at most `max_chars` counted characters.

    Cuts fall at sentence ends or line ends; a sentence longer than the limit
    is cut after its last comma that fits, and only as a last resort mid-clause.
    """
    weight = [0, *accumulate(0 if c.isspace() else 1 for c in text[start:end])]

    def size(a: int, b: int) -> int:
        return weight[b - start] - weight[a - start]

    units = [u for s, e in _sentences(text, start, end) for u in _fit(text, s, e, max_chars, size)]
    pieces: list[_Span] = []
    for s, e in units:
        if pieces and size(pieces[-1][0], e) <= max_chars:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    return _absorb_small(pieces, max_chars, size)


def _sentences(text: str, start: int, end: int) -> list[_Span]:
    """Trimmed sentence spans: cut after each sentence end and at each line break."""
    cuts = {start, end}
    for m in _SENTENCE_CUT.finditer(text, start, end):
        cuts.add(m.end())
    cuts.update(i + 1 for i in range(start, end) if text[i] == "\n")
    bounds = sorted(cuts)
    spans = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        a, b = _trim(text, a, b)
        if a < b:
            spans.append((a, b))
    return spans


def _fit(text: str, start: int, end: int, max_chars: int, size: _Size) -> list[_Span]:
    """Split one over-long sentence after the last comma that fits, else at the limit."""
    out: list[_Span] = []
    while size(start, end) > max_chars:
        limit = next(i for i in range(start, end + 1) if size(start, i) > max_chars) - 1
        commas = [m.end() for m in _CLAUSE_END.finditer(text, start, limit)]
        cut = commas[-1] if commas and commas[-1] > start else limit
        out.append((start, cut))
        start, _ = _trim(text, cut, end)
    return [*out, (start, end)]


def _absorb_small(pieces: list[_Span], max_chars: int, size: _Size) -> list[_Span]:
    """Merge a piece under a quarter of the limit into a neighbour while that stays ≤ OVERFLOW×limit."""
    out: list[_Span] = []
    for piece in pieces:
        if (
            out
            and min(size(*piece), size(*out[-1])) < max_chars / 4
            and (size(out[-1][0], piece[1]) <= max_chars * OVERFLOW)
        ):
            out[-1] = (out[-1][0], piece[1])
        else:
            out.append(piece)
    return out


def _outside(start: int, end: int, holes: list[_Span]) -> list[_Span]:
    """Parts of [start, end) not covered by any hole (checklist regions are passages of their own)."""
    parts = [(start, end)]
    for h_start, h_end in holes:
        parts = [p for a, b in parts for p in ((a, min(b, h_start)), (max(a, h_end), b)) if p[0] < p[1]]
    return parts


def _trim(text: str, start: int, end: int) -> _Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
