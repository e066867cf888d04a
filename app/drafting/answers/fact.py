"""Fact answers: the sentence holding the asked fact first; facts from a document's record (number, date,
issuer, period, source of a phrase); the section headed by what is asked."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.drafting.answers.request import Request
from app.drafting.citations import Draft
from app.drafting.extract import (
    NEAREST,
    asked_thing,
    pick,
    prefer_newer,
    sentence_candidates,
)
from app.drafting.question import Asked
from app.drafting.text import (
    HEADING_NUMBER,
    QUOTED_SHORT,
    QueryTerms,
    as_sentence,
    cjk_length,
    plain,
    sentences,
)
from index.library import Library
from ingest.models import Hit

# characters: a heading this short names one thing ("总体目标", "基本原则"), not a whole point
HEADING_WORDS = 8


def fact_first(
    terms: QueryTerms, hits: list[Hit], newer: dict[str, str], fact: re.Pattern[str]
) -> list[Draft]:
    """The picked sentences with the one that holds the asked fact first."""
    cands = sentence_candidates(terms, hits[:NEAREST])
    prefer_newer(cands, newer)
    for c in cands:
        if fact.search(c.text):
            c.score *= 1.5
    chosen = pick(terms, cands)
    holding = [c for c in chosen if fact.search(c.text)]
    ordered = holding[:1] + [c for c in chosen if c not in holding[:1]]
    return [(as_sentence(c.text), (c.hit,)) for c in ordered]


ISSUED = re.compile(
    r"(?:哪天|哪一天|什么时候|何时|日期|时间).{0,3}(?:印发|发布|下发|出台)|(?:印发|发布|下发|出台).{0,4}(?:哪天|日期|时间)"
)


DOC_NUMBER = re.compile(r"文号|字号")


ISSUER = re.compile(
    r"(?:哪个|哪一?家|什么)(?:单位|部门|机关)(?:印发|发布|下发|出台|制定|发)|由(?:哪个|谁|什么)(?:单位|部门|机关)?(?:印发|发布|制定)"
    r"|发文(?:机关|单位)|谁(?:印发|发布|制定)"
)


# "三年行动计划什么时候开始": a plan's years, which its title states ("（2025-2027年）")
PERIOD_ASKED = re.compile(
    r"(?:什么时候|何时|哪一?年)(?:开始|启动|结束|截止|到期)|起止|实施期|时间跨度|持续(?:多久|几年|到)"
)


PERIOD = re.compile(r"[（(](\d{4})\s*[-—–~至]\s*(\d{4})年?[)）]")


# "“三级六岗”责任清单是哪个文件提出的": the document a quoted phrase comes from
SOURCE = re.compile(r"(?:哪个|哪份|哪一份|什么)文件|出自(?:哪|什么)")


def headed_section(library: Library, asked: Asked, question: str) -> list[Draft] | None:
    """ "三年行动计划的工作目标是什么": the named document's section whose heading is the thing asked
    ("一、总体目标"), its opening passage whole; None when no short heading ends in the asked word."""
    asked_for = asked_thing(question, library) if asked.documents else None
    if asked_for is None:
        return None
    for doc_id in asked.documents:
        for hit in library.document_passages(doc_id):
            heading = HEADING_NUMBER.sub("", hit.passage.section[-1]).strip() if hit.passage.section else ""
            if heading.endswith(asked_for) and cjk_length(heading) <= HEADING_WORDS:
                return [(as_sentence(plain(hit.passage.text)), (hit,))]
    return None


def document_fact(
    library: Library, question: str, hits: list[Hit], named: Sequence[str]
) -> list[Draft] | None:
    """A document's issue date, number or issuer, from the record of the document the question names
    (none named: no guess from whatever ranked first), citing the passage that prints it; or the
    document a quoted phrase comes from, with the sentence that says it."""
    if SOURCE.search(question):
        return phrase_source(question, hits)
    hits = [h for h in hits if h.passage.doc_id in named]
    if not hits:
        return None
    meta = hits[0].meta
    if DOC_NUMBER.search(question) and meta.doc_number:
        fact, said = meta.doc_number, f"《{meta.title}》的发文字号是{meta.doc_number}。"
    elif ISSUED.search(question) and len(meta.date) == 10:
        fact = _day(meta.date)
        said = f"《{meta.title}》于{fact}印发" + (f"（{meta.issuer}）。" if meta.issuer else "。")
    elif PERIOD_ASKED.search(question) and (period := PERIOD.search(meta.title)):
        fact = period.group()
        said = f"《{meta.title}》的实施期为{period.group(1)}年至{period.group(2)}年" + (
            f"，{_day(meta.date)}印发。" if len(meta.date) == 10 else "。"
        )
    elif ISSUER.search(question) and meta.issuer:
        fact, said = (
            meta.issuer,
            f"《{meta.title}》由{meta.issuer}印发" + (f"（{meta.date}）。" if meta.date else "。"),
        )
    else:
        return None
    printed = [
        h
        for h in library.document_passages(hits[0].passage.doc_id)
        if fact in re.sub(r"\s", "", h.passage.text)
    ]
    return [(said, (printed[0] if printed else hits[0],))]


def _day(date: str) -> str:
    """ "2025-05-31" as "2025年5月31日"."""
    year, month, day = (int(x) for x in date.split("-"))
    return f"{year}年{month}月{day}日"


def phrase_source(question: str, hits: list[Hit]) -> list[Draft] | None:
    """ "出自《标题》（发文机关，日期）：" and the first sentence found that holds the quoted phrase."""
    for phrase in QUOTED_SHORT.findall(question):
        for hit in hits:
            said = next((s for s in sentences(plain(hit.passage.text), clauses=False) if phrase in s), "")
            if said:
                source = "，".join(x for x in (hit.meta.issuer, hit.meta.date) if x)
                lead = f"“{phrase}”出自《{hit.meta.title}》" + (f"（{source}）" if source else "")
                return [(f"{lead}：{as_sentence(said)}", (hit,))]
    return None


def compose(r: Request) -> list[Draft] | None:
    """The fact answer to the request (None when the library lacks the shape it needs)."""
    return document_fact(r.library, r.query, r.hits, r.asked.documents)


def section_named(r: Request) -> list[Draft] | None:
    """The section headed by what is asked ("三年行动计划的工作目标" → 一、总体目标)."""
    return headed_section(r.library, r.asked, r.query)
