"""Penalty answers: the article that sanctions the behaviour, whole, every grade, never cut at "；"."""

from __future__ import annotations

import re

from app.drafting.answers.request import Request
from app.drafting.citations import Draft
from app.drafting.sanctions import GRADES, is_article, meant_article
from app.drafting.text import (
    as_sentence,
    plain,
)
from index.library import Library
from ingest.models import Hit

# An article that lists the behaviours another article sanctions (问责条例 第六条 "有下列情形之一的，应当予以
# 问责"); a general provision (第七条 "…都必须受到追究") is not one, and never precedes the sanction.
BEHAVIOURS = re.compile(r"下列(?:情形|行为)")


LISTING_RANK = 5  # articles: a rule's list of circumstances ranked this high is part of the answer


PENALTY_DEPTH = 20  # articles looked at: the behaviour's article often ranks below general provisions


def penalty(library: Library, hits: list[Hit], query: str) -> list[Draft] | None:
    """The article that sanctions the behaviour, whole: the best-ranked one that grades it (情节较轻的…),
    preceded by the article of the same rules that lists the behaviours (BEHAVIOURS) without grading them
    when it ranks among the first LISTING_RANK articles (问责条例: 第六条 the circumstances, 第七条 the
    sanctions). Where the teacher reads the described behaviour as another article's (`meant_article`),
    that article comes first when it clearly does, else second as a possibility.
    `hits` go PENALTY_DEPTH deep."""
    articles = [h for h in hits if is_article(h)]
    graded = [h for h in articles if GRADES.search(h.passage.text)]
    if not graded:
        return None
    chosen: list[tuple[Hit, str]] = [(graded[0], "")]
    meant = meant_article(library, query, graded[0])
    if meant is not None:
        article, behaviour_clause, clearly = meant
        chosen = [(article, "")] if clearly else [*chosen, (article, behaviour_clause)]
    lead = chosen[0][0]
    listing = next(
        (
            h
            for h in articles[:LISTING_RANK]
            if h.passage.doc_id == lead.passage.doc_id
            and h.passage.section != lead.passage.section
            and BEHAVIOURS.search(text := " ".join(p.passage.text for p in library.section_passages(h)))
            and not GRADES.search(text)
        ),
        None,
    )
    if listing is not None:
        chosen.insert(0, (listing, ""))
    drafts: list[Draft] = []
    for article, because in chosen:
        parts = library.section_passages(article)
        number = article.passage.section[-1]
        body = plain(" ".join(p.passage.text for p in parts)).removeprefix(number).strip()
        cited = f"《{article.meta.title}》{number}"
        says = f"所述行为也可能属于{cited}“{because}”的情形" if because else f"依据{cited}"
        drafts.append((as_sentence(f"{says}：{body}"), tuple(parts)))
    return drafts


def compose(r: Request) -> list[Draft] | None:
    """The penalty answer to the request (None when the library lacks the shape it needs)."""
    return penalty(r.library, r.deep, r.query)
