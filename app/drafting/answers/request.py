"""What every answer kind's composer reads: the question understood, the library and the passages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.drafting.citations import Draft
from app.drafting.question import Asked
from app.drafting.text import QueryTerms
from index.library import Library
from ingest.models import Hit


@dataclass(frozen=True)
class Request:
    """One question on its way to an answer; `deep` is the same search gone as deep as the kind asks
    (a penalty's article often ranks below general provisions), `newer` maps superseded documents."""

    asked: Asked
    query: str
    library: Library
    terms: QueryTerms
    hits: list[Hit]
    deep: list[Hit]
    newer: dict[str, str]


Compose = Callable[[Request], "list[Draft] | None"]
