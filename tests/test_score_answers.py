"""evals/score_answers.py's judge: how many gold quotes each kind must carry, items, refusals."""

from __future__ import annotations

from typing import Any

from evals.score_answers import figures, judge, normal, quotes_carried, recall

Q = dict[str, Any]


def _q(kind: str, *quotes: tuple[str, str], item: list[str] | None = None) -> Q:
    return {"kind": kind, "gold": [{"doc": d, "quote": t} for d, t in quotes], "item": item}


def _reply(answer: str, supported: bool = True, items: list[str] | None = None) -> dict[str, Any]:
    return {"answer": answer, "supported": supported, "items": items or []}


def test_marks_and_white_space_do_not_count() -> None:
    assert normal("明确 责任[1]和时限［2］。") == "明确责任和时限。"
    assert recall("明确责任和整改时限", "要明确责任[3]和 整改时限") == 1.0
    assert recall("明确责任和整改时限", "另一件事") == 0.0


def test_most_kinds_need_every_quote() -> None:
    q = _q("penalty", ("a", "收受礼品礼金消费卡"), ("a", "情节较轻的给予警告处分"))
    assert quotes_carried(q, "收受礼品礼金消费卡，情节较轻的给予警告处分")
    assert not quotes_carried(q, "收受礼品礼金消费卡")  # the grades cut off


def test_compare_needs_one_quote_per_document_and_measures_half() -> None:
    compare = _q("compare", ("a", "举办先锋讲堂"), ("a", "组织读书班"), ("b", "系列讲座划片举办"))
    assert quotes_carried(compare, "举办先锋讲堂；系列讲座划片举办")
    assert not quotes_carried(compare, "举办先锋讲堂；组织读书班")
    measures = _q("measures", ("a", "能不开的坚决不开"), ("b", "轻车简从"), ("c", "直接开到基层"))
    assert quotes_carried(measures, "能不开的坚决不开，轻车简从")
    assert not quotes_carried(measures, "能不开的坚决不开")


def test_checklist_needs_the_gold_item_first_and_a_negative_needs_a_refusal() -> None:
    q = _q("checklist", ("a", "相同数据重复填报"), item=["14", "9"])
    assert judge(q, _reply("属于第14条：相同数据重复填报", items=["14"]))["right"]
    assert judge(q, _reply("属于第1条：相同数据重复填报", items=["1", "14"]))["why"].startswith("item")
    assert judge(q, _reply("文档中没有", supported=False))["why"] == "refused"
    negative = _q("negative")
    assert judge(negative, _reply("没有", supported=False))["right"]
    assert not judge(negative, _reply("答了"))["right"]


def test_figures_count_false_refusals_and_refused_negatives() -> None:
    rows = [
        (_q("lookup"), {"right": False, "why": "refused"}),
        (_q("lookup"), {"right": True, "why": ""}),
        (_q("negative"), {"right": True, "why": ""}),
    ]
    f = figures(rows)
    assert (f["false_refusals"], f["answerable"], f["negatives_refused"], f["negatives"]) == (1, 2, 1, 1)
    assert f["by_kind"]["lookup"] == "1/2 = 0.50"
