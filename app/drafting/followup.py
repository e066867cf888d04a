"""Follow-up questions in a conversation: "那第14条的整改措施呢？", "上面第二条出处原文".

A follow-up leans on the previous answer: a checklist item it named by number, a citation it
listed by number, or simply its subject. It is turned into a question that stands on its own
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


def resolve(question: str, previous: Answer | None, library: Library) -> str:
    """The follow-up as a question that stands alone; any other question as it is."""
    if previous is None or not is_follow_up(question):
        return question
    body = _LEAD.sub("", question.strip())
    asked = ITEM.search(body)
    hit = _item_hit(number_of(asked.group(1)) or 0, previous, library) if asked else None
    if asked and hit and hit.passage.item:
        return body.replace(asked.group(), f"“{item_text(hit.passage.item).rstrip('。')}”", 1)
    return f"{previous.query.rstrip('？?。')}：{body}"


def answer_follow_up(
    question: str, previous: Answer | None, library: Library, llm: LLMClient | None = None
) -> Answer | None:
    """The whole text of a citation ("上面第二条出处原文"), or the measures for an item the previous
    answer named ("那第14条的整改措施呢？"); None when the question is neither (ask the engine)."""
    if previous is None or not is_follow_up(question):
        return None
    source = SOURCE.search(question)
    if source:
        n = number_of(source.group(1))
        shown = dict(previous.shown())
        if n in shown:
            quoted = shown[n]
            return assemble(question, [(as_sentence(plain(quoted.passage.text)), (quoted,))], (), [quoted])
    asked = ITEM.search(question)
    if not (asked and MEASURES.search(question)):
        return None
    hit = _item_hit(number_of(asked.group(1)) or 0, previous, library)
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
