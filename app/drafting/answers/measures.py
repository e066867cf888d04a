"""Measures answers: the clauses the ledger drafts for the problem, then ways to act from several rules and plans."""

from __future__ import annotations

from app.drafting.answers.request import Request
from app.drafting.answers.spread import longer_wording, said_once, spread
from app.drafting.citations import Draft
from app.drafting.ledger import problem_terms
from app.drafting.measures import specific_measures
from app.drafting.text import (
    QueryTerms,
    as_sentence,
)
from index.library import Library
from ingest.models import Hit

MAX_MEASURES = 6  # sentences a measures answer reads to its end (5 loses a right answer of 6, 8 adds none)


# Passages they are drawn from, and the weight of each passage's teacher cosine (centred) in a sentence's
# score. On the 13 dev lecture and measures questions (evals/score_answers.py): 8 passages and words
# only, 4 right; 12 passages, 5; with the teacher at 1 or 2, 6; at 10 it overrules the words, 5.
SPREAD_DEPTH = 12


def measures_answer(
    library: Library, question: str, terms: QueryTerms, hits: list[Hit], newer: dict[str, str]
) -> list[Draft]:
    """Ways to act: the clauses the ledger would draft for the problem described (chosen by meaning and
    sentence form), then the sentences of several rules and plans that state them; a measure said twice
    is said once, in its longer wording."""
    about = problem_terms(question, library)
    found = [(as_sentence(c.text), (c.hit,)) for c in specific_measures(question, about, library)]
    spread_out = spread(terms, hits, newer, measures=True, meaning=library.meaning(question, hits))
    return said_once(found + spread_out, lambda d: d[0], says_more=longer_wording)[:MAX_MEASURES]


def compose(r: Request) -> list[Draft] | None:
    """The measures answer to the request (None when the library lacks the shape it needs)."""
    return measures_answer(r.library, r.query, r.terms, r.deep, r.newer)
