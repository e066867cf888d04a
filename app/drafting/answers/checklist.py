"""Checklist answers: the item the question describes or numbers, its text, then measures about that very
item (none rather than generic); a listed problem of a named document."""

from __future__ import annotations

import re

import numpy as np

from app.drafting.answers.listing import own_words
from app.drafting.answers.request import Request
from app.drafting.answers.spread import said_once
from app.drafting.citations import Draft
from app.drafting.extract import (
    NEAREST,
)
from app.drafting.item_scope import lists_problem
from app.drafting.ledger import problem_terms
from app.drafting.measures import PROBLEM_LIST, candidates, listed_problems
from app.drafting.question import Asked, Kind, asks_item, search_as_asked
from app.drafting.text import (
    PLAN_KINDS,
    QUOTED_SHORT,
    QueryTerms,
    as_sentence,
    item_text,
    number_of,
    plain,
    sentences,
)
from index.library import Library
from ingest.models import Hit

CLEAR_PICK = 1.5  # a problem of a list is named alone when it holds this many times the next one's words


# A measure clause must hold this share of the item's words to be about the item, not about rectifying in
# general. Chosen by reading the best clause for each of the 20 bundled items: at 0.12 and above they
# answer their item (开展“我陪企业跑审批”活动 for 审批流程繁琐, 0.16); below, they do not (督促解决活动
# 开展中存在的问题 for 工作群督导催报, 0.10). Most items have none, and then the answer names none.
TOPICAL = 0.12


MEASURES_PER_ITEM = 2


NUMBERED_ITEM = re.compile(r"第([一二三四五六七八九十两\d]{1,3})[条项]")


SEVERAL_ITEMS = re.compile(r"哪几|哪些|几条|几项")


def matched_items(library: Library, question: str, hits: list[Hit], asked: Asked) -> list[Hit]:
    """Checklist item passages the question is about: the best, plus close runners-up in the top 3.
    Asked for an item, or asked in general or how to fix something and answered first by one ("工作群催报
    太多怎么解决": item 11, and the measures the plans set against it); none when no item is near what
    the question describes (item_scope.py: "办公室空调温度太低")."""
    first = next((h for h in hits if h.passage.item), None)
    if first is None or not (
        asked.kind is Kind.ITEM or (asked.kind in (Kind.GENERAL, Kind.MEASURES) and hits[0].passage.item)
    ):
        return []
    quoted = [
        q for q in QUOTED_SHORT.findall(question) if first.passage.item and q in first.passage.item.text
    ]
    if not quoted and not lists_problem(library, question):  # "清单里说的“指尖上的形式主义”" names it
        return []
    several = bool(SEVERAL_ITEMS.search(question))
    floor = first.score * (0.85 if several else 0.95)
    close = [h for h in hits[:3] if h.passage.item and h is not first and h.score >= floor]
    return [first, *close][: 3 if several else 2]


def numbered_items(question: str, library: Library, asked: Asked) -> list[Hit]:
    """ "清单第14条是什么", "清单第5条和第6条分别是什么": those items of the checklist the question names (else
    the newest), by number, in the order asked."""
    numbers = [number_of(n) for n in NUMBERED_ITEM.findall(question)]
    if not numbers or "清单" not in question:
        return []
    items = [h for h in library.checklist_items() if h.passage.item]
    named = [h for h in items if h.passage.doc_id in asked.documents] or items
    if not named:
        return []
    newest = max(named, key=lambda h: h.meta.date).passage.doc_id
    by_number = {
        number_of(h.passage.item.number): h for h in named if h.passage.doc_id == newest and h.passage.item
    }
    return [by_number[n] for n in dict.fromkeys(numbers) if n in by_number]


def item_line(lead: str, hit: Hit) -> Draft:
    item = hit.passage.item
    assert item is not None
    note = f"（{item.category}）" if item.category else ""
    return (as_sentence(f"{lead}{note}：{item_text(item)}"), (hit,))


# "清单里说审批流程太繁，2015年的杂志里说…压减了多少": the question refers to an item on its way to asking
ITEM_MENTION = re.compile(r"清单(?:里|中|上)?(?:说|提到|讲|列)[的了]?([^，。？]{2,30})")


def mentioned_item(library: Library, question: str) -> Hit | None:
    """The checklist item a question refers to in passing ("清单里说X，…"), or None."""
    found = ITEM_MENTION.search(question)
    if not found:
        return None
    lists = sorted({h.passage.doc_id for h in library.checklist_items()})
    return next(
        (
            h
            for h in library.search(found.group(1), NEAREST, lists, asks_item(found.group(1)))
            if h.passage.item
        ),
        None,
    )


def checklist(
    library: Library, items: list[Hit], newer: dict[str, str], asked_by_number: bool = False
) -> list[Draft]:
    """The item(s) as "属于《清单》第N条（方面）：…", then measures the plans set against that very item."""
    drafts: list[Draft] = []
    for i, hit in enumerate(items):
        item = hit.passage.item
        assert item is not None
        said = f"《{item.checklist}》第{item.number}条"  # "第14条是什么" is answered by the item, not "属于"
        if asked_by_number:  # each item asked for, by its number
            lead = said if i == 0 else f"第{item.number}条"
        else:
            lead = f"属于{said}" if i == 0 else f"也可能涉及第{item.number}条"
        drafts.append(item_line(lead, hit))
        if i == 0 and item.details:  # a ledger-shaped row: what is to be done, by whom, by when
            drafts.append((as_sentence(f"该条同时写明：{item.details}"), (hit,)))
    first = items[0].passage.item
    assert first is not None
    about = item_text(first)
    terms = problem_terms(about, library)
    plans = [
        h for h in search_as_asked(library, about, 10) if h.passage.item is None and h.meta.kind in PLAN_KINDS
    ]
    clauses = [c for c in candidates(about, plans, terms, library) if terms.share(c.text.lower()) >= TOPICAL]
    offered = {c.hit.passage.doc_id for c in clauses}
    clauses = [
        c for c in clauses if newer.get(c.hit.passage.doc_id) not in offered
    ]  # the newer plan's measures
    picked = said_once(clauses, lambda c: c.text, MEASURES_PER_ITEM)
    drafts += [(f"《{c.hit.meta.title}》针对此类问题提出：{c.text}。", (c.hit,)) for c in picked]
    return drafts


def listed_problem(library: Library, terms: QueryTerms, question: str, hits: list[Hit]) -> list[Draft] | None:
    """The problem of an older plan's or article's problem list ("着重解决以下7个问题：①精神缺钙。…②…")
    that the question describes, with its marker and description. The teacher model picks it where the
    library has one (it put the described problem first for each of three tried; the static model and
    the words for one); else the question's own words (not the list's title, not "问题") when they pick
    one clearly (CLEAR_PICK); else the list whole, to choose from."""
    offered = [(hit, text) for hit in hits[:NEAREST] for text in listed_problems(hit.passage.text)]
    if not offered:
        return None
    meaning = library.text_meaning(question, [text for _, text in offered])
    if meaning.any():
        hit, text = offered[int(np.argmax(meaning))]
        return _one_of_the_list(hit, text)
    described = QueryTerms({w: v for w, v in terms.idf.items() if not PROBLEM_LIST.search(w)})
    scored = sorted(
        ((own_words(described, hit.meta.title).share(text.lower()), hit, text) for hit, text in offered),
        key=lambda s: -s[0],
    )
    (best, hit, text), runner_up = scored[0], (scored[1][0] if len(scored) > 1 else 0.0)
    if best > 0 and best >= CLEAR_PICK * runner_up:
        return _one_of_the_list(hit, text)
    return problem_list(hit)


def _one_of_the_list(hit: Hit, problem: str) -> list[Draft]:
    return [(as_sentence(f"《{hit.meta.title}》所列问题中，{problem}"), (hit,))]


NAME_ASKED = re.compile(r"叫(?:做|作)?什么|称(?:为|作)什么|什么说法")


_NAMED_PROBLEM = re.compile(r"“[^”]{2,10}”(?:问题|现象)")  # "…不知做得好不好的“三不知”问题"


def named_problem(library: Library, asked: Asked, question: str, hits: list[Hit]) -> list[Draft] | None:
    """ "2015年杂志把这种情况叫做什么问题": the sentence that gives a problem its quoted name, in the
    documents the question names (else the passages found); of several, the one the teacher finds
    nearest the description (the first where the library has no teacher)."""
    if not NAME_ASKED.search(question):
        return None
    pool = [h for doc in asked.documents for h in library.document_passages(doc)] or hits[:NEAREST]
    offered = [(h, s) for h in pool for s in sentences(plain(h.passage.text)) if _NAMED_PROBLEM.search(s)]
    if not offered:
        return None
    meaning = library.text_meaning(question, [s for _, s in offered])
    hit, sentence = offered[int(np.argmax(meaning))]
    return [(as_sentence(sentence), (hit,))]


def problem_list(hit: Hit, limit: int = 400) -> list[Draft] | None:
    """A short passage listing problems ("着重解决以下7个问题：①…②…"), quoted whole: the problem a user
    describes is one of them. None for any other passage: its other sentences would answer nothing."""
    text = plain(hit.passage.text)
    return [(as_sentence(text), (hit,))] if listed_problems(hit.passage.text) and len(text) <= limit else None


def problem_named(r: Request) -> list[Draft] | None:
    """What a named document calls the described problem (“三不知”问题)."""
    return named_problem(r.library, r.asked, r.query, r.hits)


def problem_listed(r: Request) -> list[Draft] | None:
    """The problem of a named document's list that the question describes."""
    return listed_problem(r.library, r.terms, r.query, r.hits) if r.asked.documents else None
