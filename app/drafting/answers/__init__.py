"""One module per answer kind, behind one registry.

Each kind's module owns how its answer is drafted and the figures that tune it (penalty.py: the
article with every grade; listing.py: the enumerating section; compare.py: a block per document;
measures.py and lecture.py: sentences spread over several documents, spread.py; checklist.py: the
item and the measures against it; fact.py: the sentence holding the asked fact, a document's record,
a section by its heading). `ANSWERERS[kind]` says how deep the kind's search goes and which composers
are tried, in order; the composer (app/drafting/composer.py) loops over them and falls back to plain
extractive sentences when none drafts an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.drafting.answers import checklist, compare, fact, lecture, listing, measures, penalty
from app.drafting.answers.request import Compose, Request
from app.drafting.question import Kind

__all__ = ["ANSWERERS", "Answerer", "Request", "answerer_for"]


@dataclass(frozen=True)
class Answerer:
    """How one kind is answered: the composers tried in order (the first that drafts answers), how
    deep its search goes (None: the composer's default), and whether its drafts have the form the kind
    asks for, so that they answer the question by themselves (an article with its grades, a list)."""

    composers: tuple[Compose, ...]
    depth: int | None = None
    shapes: bool = True


ANSWERERS: dict[Kind, Answerer] = {
    Kind.PENALTY: Answerer((penalty.compose,), penalty.PENALTY_DEPTH),
    Kind.LIST: Answerer((listing.compose,)),
    Kind.COMPARE: Answerer((compare.compose,)),
    Kind.MEASURES: Answerer((measures.compose,), measures.SPREAD_DEPTH, shapes=False),
    Kind.LECTURE: Answerer((lecture.compose,), shapes=False),
    Kind.FACT: Answerer((fact.compose, listing.named_set, fact.section_named)),
    Kind.GENERAL: Answerer((listing.named_set, fact.section_named)),
    Kind.ITEM: Answerer((listing.named_set, checklist.problem_named, checklist.problem_listed)),
}


def answerer_for(kind: Kind) -> Answerer:
    return ANSWERERS[kind]
