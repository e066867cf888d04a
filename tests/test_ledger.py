"""整改台账 logic over the bundled corpus: item matching, cited measures, 无匹配, edits, the LLM path."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable

import pytest

from app.drafting import ledger as lg
from app.drafting.citations import mark
from app.drafting.llm import LLMClient
from app.drafting.measures import ROWS_PER_CLAUSE, clauses, is_measure, measure_clauses
from app.services import Services

TEN_PROBLEMS = [
    "报表重复报送、同一数据多次填报",
    "检查考核太多，要求过度留痕",
    "通过微信工作群催报数据，指尖上的形式主义",
    "办事流程繁琐，审批环节多",
    "对群众诉求推诿扯皮",
    "政策解读不及时，基层难以落实",
    "历史遗留问题长期没解决",
    "开会多、发文多，文山会海问题突出",
    "职责分工不清，任务多头布置",
    "食堂伙食不好",
]


class FakeLLM(LLMClient):
    """An LLMClient whose endpoint is a function of the messages: no network, real verification."""

    def __init__(self, reply: Callable[[list[dict[str, str]]], str]) -> None:
        self.model = "fake"
        self._reply = reply

    def chat(self, messages: list[dict[str, str]]) -> str:
        return self._reply(messages)


def first_passage(messages: list[dict[str, str]]) -> str:
    """The text of passage [1] in the data block the client sent."""
    found = re.search(r"\[1\] 出处：.*?\n原文：(\".*?\")\n", messages[-1]["content"], re.S)
    assert found, messages[-1]["content"][:300]
    return str(json.loads(found.group(1)))


def supported_and_invented(messages: list[dict[str, str]]) -> str:
    """One sentence copied from passage [1], one made up: only the first may survive."""
    clause = next(c for c in re.split(r"[，。；]", first_passage(messages)) if len(c) >= 8)
    return f"{clause}[1]。每周召开三次专题推进会并向全市通报排名[1]。"


@pytest.fixture(scope="module")
def ten(corpus_services: Services) -> lg.Ledger:
    return lg.build_ledger(TEN_PROBLEMS, corpus_services.library(), unit="办公室", deadline="2026-06-30")


def test_problems_are_read_one_per_line_without_their_numbering() -> None:
    text = "1. 报表重复报送\n\n（2）会议太多\n- 食堂伙食不好\n3、检查太多  \n"
    assert lg.read_problems(text) == ["报表重复报送", "会议太多", "食堂伙食不好", "检查太多"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def quoted(measure: lg.Measure, ledger: lg.Ledger) -> bool:
    """The measure stands, word for word, in every passage it cites."""
    return all(squash(measure.text) in squash(ledger.sources[n].hit.passage.text) for n in measure.cites)


def test_repeated_reporting_maps_to_items_9_and_14_with_specific_measures(corpus_services: Services) -> None:
    ledger = lg.build_ledger(["报表重复报送、同一数据多次填报"], corpus_services.library())
    row = ledger.rows[0]
    assert {i.number for i in row.items} == {"9", "14"}
    assert "第9条（形式主义官僚主义方面）" in row.item_label and "第14条（工作协同方面）" in row.item_label
    assert 2 <= len(row.measures) <= 4
    assert all(m.cites and quoted(m, ledger) for m in row.measures)
    # the plans' general way of rectifying heads the ledger once, cited, and is no row's measure
    assert ledger.requirement is not None and "台账式管理、销号制落实" in ledger.requirement.text
    assert "三年行动计划" in ledger.sources[ledger.requirement.cites[0]].hit.meta.title
    assert not any("销号制" in m.text for m in row.measures)
    assert any(re.search("报送|文件|简报", m.text) for m in row.measures), row.measures_text()


def test_clauses_are_whole_sentences_or_runs_of_comma_pieces_never_headings() -> None:
    short = "各地区各部门要本着务实高效的原则，严格清理、切实减少各类会议活动，能不开的坚决不开，可以合并的坚决合并。"
    long = (
        "集中整治工作作风拖拉、效率低下、大事小办、急事缓办等现象，对“慢作为”的坚决问责，"
        "集中整治推诿扯皮，做老好人、当太平官等现象，对“不作为”的坚决问责。"
    )
    found = clauses(f"（三）精简会议活动\n{short}{long}")
    assert "精简会议活动" not in found
    assert short.rstrip("。") in found  # up to 60 characters: the whole sentence
    assert "集中整治推诿扯皮，做老好人、当太平官等现象，对“不作为”的坚决问责" in found
    assert long.rstrip("。") not in found
    assert not is_measure("近两年全市行政审批事项压减幅度达55%") and not is_measure("惠民政策落实不到位")
    assert is_measure("对懒政怠政、不作为的干部坚决调整下来")
    # a clause that hands the work on to someone else's rules is no measure
    assert not is_measure(
        "各地区各部门要严格按照本细则，结合实际情况，制定涵盖各级领导干部的更加具体、更便于操作的贯彻落实办法"
    )
    assert not is_measure("可以建立党委，党委的产生办法、职权和工作任务，由中央另行规定")


def test_a_sentence_that_reports_or_describes_gives_no_measure_though_its_pieces_look_like_one() -> None:
    report = (
        "同时，积极创建各类交流平台，编印了机关党组织通讯录，建立Q群、微信群、工作简报等各种信息交流载体，"
        "初步形成了线上线下交流联动的党建模式。"
    )
    background = "社会主义制度的发展和完善是一个长期的历史过程。"
    requirement = "各地区各部门要严格按程序报文，不得多头报文。"
    assert "建立Q群、微信群、工作简报等各种信息交流载体" in clauses(
        report
    )  # read alone, a piece looks like one
    assert is_measure("建立Q群、微信群、工作简报等各种信息交流载体")
    assert measure_clauses(report + background + requirement) == [
        "各地区各部门要严格按程序报文，不得多头报文"
    ]
    assert measure_clauses("期间，我委还多次开展专题讲座，邀请专家详细解读条例。") == []
    assert not is_measure("党员领导干部政绩观错位，违背新发展理念、背离高质量发展要求")  # a problem


def test_a_problem_the_regulations_sanction_gets_the_article_as_a_warning(ten: lg.Ledger) -> None:
    row = ten.rows[1]  # 检查考核太多，要求过度留痕
    warnings = [m for m in row.measures if m.text.startswith("警示：")]
    assert len(warnings) == 1 and "《中国共产党纪律处分条例》第一百三十二条" in warnings[0].text
    assert "过度留痕" in warnings[0].text and row.measures[-1] == warnings[0]


def test_an_unrelated_problem_gets_no_item_and_no_forced_measures(corpus_services: Services) -> None:
    ledger = lg.build_ledger(["食堂伙食不好"], corpus_services.library())
    row = ledger.rows[0]
    assert row.item_label == lg.NO_MATCH and row.items == () and row.measures == ()
    assert row.measures_text() == lg.NO_BASIS
    assert ledger.basis(row) == ""
    assert ledger.requirement and [s.n for s in ledger.sources] == list(ledger.requirement.cites)  # only it
    # a word in common (第2条's "执行口径不清楚") is no match when no item describes the problem
    assert (
        lg.build_ledger(["会议室投影仪不清楚"], corpus_services.library()).rows[0].item_label == lg.NO_MATCH
    )


def test_a_problem_list_s_descriptions_are_never_offered_as_measures(corpus_services: Services) -> None:
    ledger = lg.build_ledger(["干部担当意识不强，遇到难题推诿扯皮"], corpus_services.library())
    text = ledger.rows[0].measures_text()
    assert "不谋其政" not in text and "推推动动" not in text  # the 2020 plan's problem ⑤, not a way to fix it
    assert "集中整治推诿扯皮" in text


def test_a_ten_problem_ledger_cites_every_source_it_lists(ten: lg.Ledger) -> None:
    assert len(ten.rows) == 10
    table = ten.table()
    assert [r[0] for r in table] == [str(n) for n in range(1, 11)]
    assert all(r[4] == "办公室" and r[6] == "2026-06-30" and r[8] == lg.STATUSES[0] for r in table)
    cited = {n for row in ten.rows for n in (*row.item_cites, *(n for m in row.measures for n in m.cites))}
    assert ten.requirement is not None
    cited |= set(ten.requirement.cites)
    assert cited == {s.n for s in ten.sources} == set(range(1, len(ten.sources) + 1))
    assert sum(r.item_label != lg.NO_MATCH for r in ten.rows) >= 7
    assert ten.rows[-1].item_label == lg.NO_MATCH


def test_measures_are_specific_to_each_row_not_one_sentence_everywhere(ten: lg.Ledger) -> None:
    rows_of = Counter(m.text for row in ten.rows for m in set(row.measures))
    assert max(rows_of.values()) <= ROWS_PER_CLAUSE
    for row in ten.rows:
        if row.items:  # a matched row has a measure of its own, besides any warning
            assert [m for m in row.measures if not m.text.startswith("警示：")], row.problem


def test_picked_checklist_items_become_rows_without_searching_for_them(corpus_services: Services) -> None:
    library = corpus_services.library()
    items = library.checklist_items()
    assert [h.passage.item.number for h in items[:3] if h.passage.item] == ["1", "2", "3"]
    ledger = lg.build_ledger([], library, picked=items[8:10])
    assert [r.items[0].number for r in ledger.rows] == ["9", "10"]
    assert all(r.measures for r in ledger.rows)


def test_edits_change_the_duty_fields_and_keep_the_status_list(ten: lg.Ledger) -> None:
    records = [
        dict(zip(("责任单位", "责任人", "整改时限", "完成情况"), r[4:7] + [r[8]], strict=True))
        for r in ten.table()
    ]
    records[0].update({"责任人": "张三", "完成情况": "推进中"})
    records[1].update({"完成情况": "差不多了"})  # not one of the four: the old value stays
    edited = lg.apply_edits(ten, records)
    assert (edited.rows[0].person, edited.rows[0].status) == ("张三", "推进中")
    assert edited.rows[1].status == lg.STATUSES[0]
    assert edited.progress() == {"未启动": 9, "推进中": 1, "已完成": 0, "长期坚持": 0}
    assert [r.measures for r in edited.rows] == [r.measures for r in ten.rows]  # the cells were not touched


def test_an_edited_measure_cites_as_see_and_an_added_one_cites_nothing(ten: lg.Ledger) -> None:
    row = ten.rows[0]
    first, second = row.measures[0], row.measures[1]
    lines = row.measures_text().splitlines()
    lines[0] = f"1. 本局统一报表口径，一数一源{mark(*first.cites)}"  # rewritten, its mark kept
    lines.append("3. 每月由办公室汇总一次")  # added by the user
    records = [dict(zip(lg.COLUMNS, r, strict=True)) for r in ten.table()]
    records[0]["整改措施"] = "\n".join(lines)
    measures = lg.apply_edits(ten, records).rows[0].measures
    assert measures[0] == lg.Measure("本局统一报表口径，一数一源", first.cites, rewritten=True)
    assert measures[0].cited() == f"本局统一报表口径，一数一源（参见{mark(*first.cites)}）"
    assert measures[1] == second and not measures[1].rewritten  # unchanged: still a quotation
    assert (
        measures[-1] == lg.Measure("每月由办公室汇总一次", ())
        and measures[-1].cited() == "每月由办公室汇总一次"
    )


def test_llm_measures_keep_their_citation_and_unsupported_ones_are_dropped(corpus_services: Services) -> None:
    llm = FakeLLM(supported_and_invented)
    ledger = lg.build_ledger(["报表重复报送、同一数据多次填报"], corpus_services.library(), llm)
    row = ledger.rows[0]
    assert len(row.measures) == 1 and "推进会" not in row.measures_text() and quoted(row.measures[0], ledger)
    assert all(n in {s.n for s in ledger.sources} for n in row.measures[0].cites)


def test_llm_that_invents_everything_falls_back_to_extracted_measures(corpus_services: Services) -> None:
    llm = FakeLLM(lambda _: "每周召开三次专题推进会[1]。向全市通报排名[2]。")
    ledger = lg.build_ledger(["报表重复报送、同一数据多次填报"], corpus_services.library(), llm)
    assert ledger.notice and ledger.rows[0].measures
    assert all(quoted(m, ledger) for m in ledger.rows[0].measures)
