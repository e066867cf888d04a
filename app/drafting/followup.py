"""Follow-up questions in a conversation: "那第14条的整改措施呢？", "上面第二条出处原文".

A follow-up leans on the previous answer: a checklist item it named by number ("第9条"), by its place
in the answer ("上面第二个") or as "这一条", a citation it listed by number or "原文" (the first), or
simply its subject (a bare "那处分呢？" is asked of the item the answer named first). It is turned into a question that stands on its own
(the item's wording in place of "第14条", or the previous question in front), so the same
engine answers it. Two requests are answered here directly: the measures for an item the
previous answer named (drafted as the ledger drafts them), and the whole text of one of its
citations.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.drafting.citations import Draft
from app.drafting.composer import Answer, assemble, finish
from app.drafting.ledger import problem_terms
from app.drafting.measures import specific_measures, warning
from app.drafting.text import as_sentence, item_text, number_of, plain
from index.library import Library
from ingest.models import Hit

if TYPE_CHECKING:
    from app.drafting.llm import LLMClient

# Leans on what was said before: opens with 那/还有/上面…, or is a bare "…呢？".
FOLLOW_UP = re.compile(r"^(?:那么?|还有|另外|再说说|接着|上面|上述|刚才|前面|这条|该条|它)|呢\s*[？?]?\s*$")
_LEAD = re.compile(r"^(?:那么?|还有|另外|接着)[，,\s]*")
ITEM = re.compile(r"第([一二三四五六七八九十两\d]{1,3})(?:条|项)")
SOURCE = re.compile(r"第([一二三四五六七八九十两\d]{1,3})(?:条|个|处)?(?:的)?(?:出处|引文|来源|原文)")
FIRST_SOURCE = re.compile(r"^(?:看看?|给我)?(?:出处)?原文(?:呢|是什么|是怎么写的|怎么写的)?\s*[？?]?$")
PLACE = re.compile(r"(?:上面|前面|刚才)?的?第([一二三四五六七八九十两\d])个")  # its place in the answer
THIS = re.compile(r"这一?条|该条|此条|这一?项|这个问题")
SHORT = 8  # characters: a follow-up this short ("处分呢？") has no subject of its own
MEASURES = re.compile(r"整改措施|怎么(?:整)?改|如何整改|措施")


def is_follow_up(question: str) -> bool:
    return bool(FOLLOW_UP.search(question.strip()))


def _item_hit(number: int, previous: Answer, library: Library) -> Hit | None:
    """The checklist item the previous answer named with this number (its citation, else the list)."""
    cited = [s.hit for s in previous.citations if s.hit.passage.item]
    for hit in cited:
        if hit.passage.item and number_of(hit.passage.item.number) == number:
            return hit
    named = {i.checklist for i in previous.items} | {
        h.passage.item.checklist for h in cited if h.passage.item
    }
    return next(
        (
            h
            for h in library.checklist_items()
            if h.passage.item
            and h.passage.item.checklist in named
            and number_of(h.passage.item.number) == number
        ),
        None,
    )


def referred(question: str, previous: Answer, library: Library) -> tuple[Hit | None, str]:
    """The checklist item a follow-up points at, and the words that point: "第9条" (its number),
    "上面第二个" (its place among the items the answer named), "这一条" (the first it named)."""
    if asked := ITEM.search(question):
        return _item_hit(number_of(asked.group(1)) or 0, previous, library), asked.group()
    place = PLACE.search(question)
    pointer = place or THIS.search(question)
    at = (number_of(place.group(1)) or 0) if place else 1
    if pointer is None or not at or at > len(previous.items):
        return None, ""
    return _item_hit(number_of(previous.items[at - 1].number) or 0, previous, library), pointer.group()


def resolve(question: str, previous: Answer | None, library: Library) -> str:
    """The follow-up as a question that stands alone; any other question as it is."""
    if previous is None or not is_follow_up(question):
        return question
    body = _LEAD.sub("", question.strip())
    hit, words = referred(body, previous, library)
    if hit is not None and hit.passage.item:
        return body.replace(words, f"“{item_text(hit.passage.item).rstrip('。')}”", 1)
    if previous.items and len(body) <= SHORT:  # "处分呢？": of the item the answer named first
        return f"“{item_text(previous.items[0]).rstrip('。')}”{body}"
    return f"{previous.query.rstrip('？?。')}：{body}"


def answer_follow_up(
    question: str, previous: Answer | None, library: Library, llm: LLMClient | None = None
) -> Answer | None:
    """The whole text of a citation ("上面第二条出处原文"), or the measures for an item the previous
    answer named ("那第14条的整改措施呢？"); None when the question is neither (ask the engine)."""
    if previous is None or not is_follow_up(question):
        return None
    source = SOURCE.search(question)
    if source or FIRST_SOURCE.search(_LEAD.sub("", question.strip())):
        n = number_of(source.group(1)) if source else 1
        shown = dict(previous.shown())
        if n in shown:
            quoted = shown[n]
            return assemble(question, [(as_sentence(plain(quoted.passage.text)), (quoted,))], (), [quoted])
    if not MEASURES.search(question):
        return None
    hit, _ = referred(question, previous, library)
    if hit is None or hit.passage.item is None:
        return None
    item = hit.passage.item
    about = item_text(item)
    terms = problem_terms(about, library)
    found = specific_measures(about, terms, library)
    caution = warning(about, terms, library)
    if not found and caution is None:
        return None
    lead = f"针对《{item.checklist}》第{item.number}条（{about.rstrip('。')}），文件中可用的整改措施："
    drafts: list[Draft] = [(lead, (hit,)), *((as_sentence(c.text), (c.hit,)) for c in found)]
    if caution is not None:
        drafts.append((as_sentence(caution.text), (caution.hit,)))
    return finish(question, drafts, (item,), [hit, *(c.hit for c in found)], llm)
