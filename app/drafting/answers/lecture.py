"""Lecture-material answers: quotable sentences on the theme from the rules, then from the local documents."""

from __future__ import annotations

from app.drafting.answers.request import Request
from app.drafting.answers.spread import SPREAD, spread
from app.drafting.citations import Draft
from app.drafting.extract import (
    query_terms,
)
from app.drafting.lecture import expanded
from app.drafting.question import Asked, asks_item, lecture_theme
from app.drafting.text import (
    LAW_KINDS,
)
from index.library import Library

LECTURE_DEPTH = 6  # passages from the rules, and as many from the local documents


def lecture(library: Library, asked: Asked, question: str) -> list[Draft]:
    """Material for a lecture on the question's theme from the rules (or the documents it names), then
    from the local plans and problem lists, each searched and spread apart: either kind alone would
    crowd the other out."""
    # "为基层减负" is searched with 文山会海, 督查检查考核 … (the outline's words for a rare theme)
    theme = expanded(lecture_theme(question))
    terms = query_terms(theme, library)
    newer = library.superseded_by()
    documents = library.documents()
    rules = asked.documents or tuple(d.id for d in documents if d.meta.kind in LAW_KINDS)
    local = tuple(d.id for d in documents if d.meta.kind not in LAW_KINDS and d.id not in rules)
    drafts: list[Draft] = []
    for scope in (rules, local):
        hits = [
            h
            for h in library.search(theme, LECTURE_DEPTH, scope, asks_item(theme))
            if h.passage.doc_id in scope
        ]
        drafts += spread(terms, hits, newer, False, library.meaning(theme, hits), SPREAD // 2)
    return drafts


def compose(r: Request) -> list[Draft] | None:
    """The lecture answer to the request (None when the library lacks the shape it needs)."""
    return lecture(r.library, r.asked, r.query)
