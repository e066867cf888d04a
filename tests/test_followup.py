"""Follow-ups resolved against the previous answer (app/drafting/followup.py), turn by turn, on the
bundled corpus: "这一条", "上面第二个", "那处分呢", "原文呢"."""

from __future__ import annotations

from app.drafting.composer import Answer, compose_answer
from app.drafting.followup import answer_follow_up, resolve
from app.services import Services

FORMS = "同一张人员表好几个部门都让填，属于清单哪一条？"  # → 第9条, also 第14条


def _turn(question: str, previous: Answer | None, services: Services) -> Answer:
    library = services.library()
    return answer_follow_up(question, previous, library) or compose_answer(
        resolve(question, previous, library), library
    )


def test_this_item_its_penalty_and_its_text(corpus_services: Services) -> None:
    first = _turn(FORMS, None, corpus_services)
    assert [i.number for i in first.items][:1] == ["9"]
    measures = _turn("那这一条怎么整改？", first, corpus_services)
    assert measures.text.startswith("针对《2025年市直机关作风建设重点问题清单》第9条")
    penalty = _turn("那处分呢？", first, corpus_services)  # of 第9条's problem, not a new search
    assert "第一百三十二条" in penalty.text
    whole = _turn("原文呢？", penalty, corpus_services)
    assert whole.text.startswith("第一百三十二条 有下列行为之一") and "（三）脱离实际" in whole.text


def test_an_item_by_its_place_in_the_answer(corpus_services: Services) -> None:
    first = _turn(FORMS, None, corpus_services)
    second = first.items[1].number
    follow = _turn("上面第二个怎么整改？", first, corpus_services)
    assert follow.items and follow.items[0].number == second
    assert resolve("上面第二个怎么整改？", first, corpus_services.library()).startswith("“")
