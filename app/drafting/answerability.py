"""Does the found text answer what is asked? A small learned model over general features.

The features say what the question asks for and what the found text holds, never which words a
particular question uses: the answer kind asked for; how much of the question's wording (IDF-weighted)
the drafted sentences and the best passages cover, and whether they hold its rarest words; how many
of the search's channels agree on the cited passages; the embedding cosine of the question to its
nearest drafted sentence; how near the teacher model's nearest passage is at all, how far it stands out
from the other hits (in their own spread) and whether it is among the cited; whether a document the
question names is the one answering; whether the answer has the form its kind asks for. Shares are
relative to the question's own weight, and the teacher's cosine is on the wheel model's range (an
adapted teacher's through its fitted map). A fact asked for (a date, a number, a
person…) that the drafted sentences do not state, and a document, year or place the library lacks, are
refused before this model by the composer's explicit checks, with a line saying why.

The weights are a logistic regression fitted by evals/fit_answerability.py on the tuning part of the dev
questions and on the train part of the written question → provision pairs, each asked as it is
(answerable when the search finds its evidence) and with its evidence withheld from the library (not
answerable), in the bundled library and in small libraries of a few bundled documents each (a unit's
library: a 30-passage library's nearest passages are far from a question it lacks, and all its channels
agree on the few there are, so it must be seen in training to be judged like a 700-passage one); the
dev negatives are not answerable. Its cross-validated figures are kept beside the
weights in answerability.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.drafting.extract import context
from app.drafting.question import Asked, Kind
from app.drafting.text import QueryTerms
from index.library import Library
from ingest.models import Hit

if TYPE_CHECKING:
    from app.drafting.citations import Draft

MODEL_FILE = Path(__file__).with_name("answerability.json")  # fitted by evals/fit_answerability.py
PASSAGE_DEPTH = 3  # best passages whose text the coverage feature reads
MEANING_DEPTH = 8  # passages whose teacher cosine is read
AGREEING_RANK = 3  # a channel agrees on a passage when it ranks it this high
RAREST = 2  # the question's rarest words: what it is about, as against how it is asked


@dataclass(frozen=True)
class Evidence:
    """What the decision reads about one question and its drafted answer."""

    asked: Asked
    terms: QueryTerms
    hits: list[Hit]
    drafts: list[Draft]
    shaped: bool


def agreement(cited: list[Hit], hits: list[Hit]) -> float:
    """How many of the search's channels (words, bigrams, embedding, teacher…) rank the cited passages
    among their first few, on average: evidence every channel finds is surer than one channel's pick.
    A passage's ranks name only the channels that found it; the most any hit names is all of them."""
    channels = max((len(h.channels) for h in hits), default=0)
    if not cited or not channels:
        return 0.0
    return sum(sum(r <= AGREEING_RANK for r in h.channels.values()) for h in cited) / (channels * len(cited))


def features(evidence: Evidence, library: Library, query: str) -> dict[str, float]:
    """The named features of one question and answer (see the module docstring). The teacher's two are
    absent when the library has no teacher vectors (a large library): the model then reads them as
    average rather than as "unlike the question"."""
    asked, terms, hits = evidence.asked, evidence.terms, evidence.hits
    sentences = [text for text, _ in evidence.drafts]
    said = "".join(sentences)
    passages = "\n".join(context(h) + h.passage.text.lower() for h in hits[:PASSAGE_DEPTH])
    cited = {h.passage.doc_id for _, sources in evidence.drafts for h in sources}
    near = library.similarity(query, sentences) if sentences else np.zeros(0)
    rarest = sorted(terms.idf, key=lambda w: -terms.idf[w])[:RAREST]
    cited_hits = [h for _, sources in evidence.drafts for h in sources]
    values = {
        "said_share": terms.share(said.lower()),
        "rarest_said": sum(w in said.lower() for w in rarest) / len(rarest) if rarest else 0.0,
        "channels_agree": agreement(cited_hits or hits[:1], hits),
        "passage_share": terms.share(passages),
        "said_similarity": float(near.max()) if len(near) else 0.0,
        "shaped": float(evidence.shaped),
        "named_document_answers": float(bool(cited & set(asked.documents))),
        "sentences": min(len(sentences), 6) / 6,
    }
    meaning = library.meaning(query, hits[:MEANING_DEPTH]) if hits else np.zeros(0)
    if len(meaning) > 1 and float(np.abs(meaning).max()) > 0:
        # relative to the other hits, so any teacher (its cosines sit in a range of its own) reads alike
        best = int(meaning.argmax())
        values["teacher_lead"] = float(
            (meaning[best] - np.delete(meaning, best).mean()) / (meaning.std() + 1e-6)
        )
        values["teacher_cited"] = float(hits[best] in cited_hits)
        values["teacher_best"] = float(meaning[best])  # how near at all: a small library's nearest may be far
    values.update({f"kind_{kind.value}": float(asked.kind is kind) for kind in Kind})
    return values
