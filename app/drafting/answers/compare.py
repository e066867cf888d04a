"""Compare answers: one block per named document, each from the words both documents share."""

from __future__ import annotations

import re

from app.drafting.answers.listing import outline
from app.drafting.answers.request import Request
from app.drafting.answers.spread import SPREAD
from app.drafting.citations import Draft
from app.drafting.extract import (
    NEAREST,
    pick,
    sentence_candidates,
)
from app.drafting.question import YEAR, Asked, asks_item, document_names
from app.drafting.text import (
    QueryTerms,
    as_sentence,
)
from index.library import Library

COMPARE_DEPTH = 30  # passages looked through for the other document of a comparison of a year


COMPARING = re.compile(r"对比|比较|相比|异同|区别|变化|分别|各自|不同|什么|怎么")


def compare(library: Library, asked: Asked, terms: QueryTerms, question: str) -> list[Draft]:
    """One block per named document: its title, then its best one or two sentences. One named document
    is compared with the best other one the question finds ("2015年海事局的做法和主体责任规定")."""
    documents = list(asked.documents[:SPREAD])
    if len(documents) == 1:
        names = document_names(library)
        years = set(YEAR.findall(question)) - names.years_of(documents[0])  # "2015年海事局的做法"
        others = [
            h.passage.doc_id
            for h in library.search(question, COMPARE_DEPTH, (), asks_item(question))
            if h.passage.doc_id not in documents
        ]
        of_year = [d for d in others if names.years_of(d) & years]
        other = next(iter(of_year or others[:NEAREST]), None)
        documents += [other] if other else []
    titles = " ".join(d.meta.title for d in library.documents() if d.id in documents).lower()
    topic = QueryTerms(
        {
            w: v
            for w, v in terms.idf.items()
            if w not in titles and not w.isdigit() and not COMPARING.search(w)
        }
    )
    found = {
        doc: [
            h
            for h in library.search(question, NEAREST, (doc,), asks_item(question))
            if h.passage.doc_id == doc
        ]
        for doc in documents
    }
    # a word only one document's passages hold ("海事局") says where to look in it, not what to compare
    held = [set(topic.found(" ".join(h.passage.text.lower() for h in own))) for own in found.values()]
    shared = QueryTerms({w: v for w, v in topic.idf.items() if all(w in h for h in held)})
    topic = shared if shared.idf else topic
    drafts: list[Draft] = []
    for doc, own in found.items():
        if not topic.idf:
            drafts += outline(library, doc) or []
            continue
        chosen = pick(topic, sentence_candidates(topic, own), most=2)
        if not chosen:
            drafts += outline(library, doc) or []
        for i, c in enumerate(chosen):
            lead = f"《{c.hit.meta.title}》：" if i == 0 else ""
            drafts.append((lead + as_sentence(c.text), (c.hit,)))
    return drafts


def compose(r: Request) -> list[Draft] | None:
    """The compare answer to the request (None when the library lacks the shape it needs)."""
    return compare(r.library, r.asked, r.terms, r.query) or None
