"""split_into_passages: spans that match the text, never cross a heading, respect the size limit
and keep every dev gold quote whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunking import DEFAULT_MAX_CHARS, OVERFLOW, split_into_passages, split_span
from ingest.clean import clean_text
from ingest.models import Document, DocumentMeta
from ingest.structure import parse_sections

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PATHS = sorted((FIXTURES / "seeds").glob("*.txt")) + sorted((FIXTURES / "regulations").glob("*"))

# Gold quotes of evals dev_qa (kind != negative): document prefix, quote.
GOLD = [
    ("000", "政策频繁变动，政策解读不及时不充分，基层难以跟进落实"),
    ("000", "为民服务理念不强，思想不够解放，主动服务、创新解难意识不足"),
    ("000", "执行政策过于机械，方法单一，灵活性不足"),
    ("000", "多头开会、重复开会，报送材料多、时间急，重复填表报数，多头上报"),
    ("000", "督查检查考核过多过频，过度留痕"),
    ("000", "通过工作群线上布置任务和督导催报多，存在指尖上的形式主义"),
    ("000", "职责分工不清，任务多头重复布置，基层多头对接"),
    ("000", "跨部门数据共享不畅，相同数据重复填报，重复审批"),
    ("000", "上下联动不足，部署任务脱离基层实际"),
    ("000", "部门之间、科室之间推诿扯皮"),
    ("000", "面对改革攻坚存在避重就轻、畏难情绪问题"),
    ("000", "历史遗留问题久拖不决"),
    ("000", "以“强技能 优服务 塑标杆”为主题，开展政务服务技能大赛"),
    ("000", "开展“作风建设一把手有话说”在线访谈"),
    ("001", "开展“幸福缘动力”机关青年联谊活动"),
    ("003", "原汁原味品读《把信送给加西亚》一书"),
    ("004", "编制了含有近2000道题目的竞赛题库"),
    ("004", "将全市100多个直管党组织分为5组"),
    ("002", "集中在“东莞机关党建”网和“南方+”机关党建频道进行展示"),
    ("000", "以制度机制的形式固化，让制度成为刚性约束，防止作风问题反弹"),
    ("001", "严格执行不合格党员组织处置办法"),
    ("003", "把自己等同于普通群众"),
    ("004", "对履职情况不佳、群众评议不好的支部书记、副书记进行告诫谈话"),
    ("004", "确保成熟一个命名一个，每年一评，连抓三年"),
    ("002", "各级机关党组织推进活动的有关情况将作为年度党组织书记抓党建工作述职评议"),
    ("004", "集中在9月份进行换届"),
    ("002", "进一步做好“双报到”顶层设计"),
    ("001", "进一步完善“双报到”东莞模式"),
    ("004", "推动建立机关党员志愿服务大队、机关党员志愿服务队"),
    ("002", "结合先锋助企“百千万”志愿服务活动计划"),
    ("002", "组织开展“我的家教家风故事”征文活动"),
    ("001", "注重家庭家教家风教育，从严管好亲属子女"),
    ("000", "审批和服务事项流程设计繁琐"),
    ("004", "近两年全市行政审批事项压减幅度达55%"),
    ("中国共产党党和国家机关基层组织工作条例", "机关正式党员3人以上的，成立党支部"),
    ("中国共产党党和国家机关基层组织工作条例", "正式党员7人以上的党支部，设立支部委员会"),
    ("中国共产党章程", "预备党员的预备期为一年"),
    ("中国共产党章程", "党员的党龄，从预备期满转为正式党员之日算起"),
    ("中央八项规定实施细则", "各部门召开本系统全国性会议，每年不超过1次"),
    (
        "党委_党组_落实全面从严治党主体责任规定",
        "每半年应当至少召开1次常委会会议（党组会议）专题研究全面从严治党工作",
    ),
    ("中国共产党纪律处分条例", "违反接待管理规定，超标准、超范围接待或者借机大吃大喝"),
    ("关于新形势下党内政治生活的若干准则", "反对形式主义，重在解决作风飘浮、工作不实，文山会海、表面文章"),
    ("党委_党组_落实全面从严治党主体责任规定", "持续整治“四风”特别是形式主义、官僚主义"),
    ("004", "难在经常，贵在经常，成果也出在经常"),
    ("000", "通过以赛促学、以赛促干、以赛促作风转变"),
    ("004", "明确党组书记对党建工作负总责"),
    ("001", "党组（党委）书记切实履行第一责任人职责"),
]


def squeeze(s: str) -> str:
    return re.sub(r"\s", "", s)


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {
        p.name: Document(
            p.name, DocumentMeta(title=p.stem), clean_text(p.read_text(encoding="utf-8")), str(p), ""
        )
        for p in PATHS
    }


def doc_named(docs: dict[str, Document], prefix: str) -> Document:
    return next(d for name, d in docs.items() if name.startswith(prefix))


@pytest.mark.parametrize("max_chars", [DEFAULT_MAX_CHARS, 120])
def test_passages_are_exact_ordered_bounded_and_inside_one_section(
    docs: dict[str, Document], max_chars: int
) -> None:
    for doc in docs.values():
        passages = split_into_passages(doc, max_chars)
        sections = parse_sections(doc.text)
        assert [p.ordinal for p in passages] == list(range(len(passages)))
        for p, q in zip(passages, passages[1:], strict=False):
            assert p.end <= q.start
        for p in passages:
            assert p.doc_id == doc.id and p.text == doc.text[p.start : p.end] == p.text.strip()
            if p.item is None:
                assert len(squeeze(p.text)) <= max_chars * OVERFLOW, (doc.id, p.section)
                home = [s for s in sections if s.start <= p.start and p.end <= s.end]
                assert len(home) == 1 and (home[0].path or (doc.meta.title,)) == p.section, (
                    doc.id,
                    p.text[:30],
                )


@pytest.mark.parametrize(("prefix", "quote"), GOLD, ids=[q[:12] for _, q in GOLD])
def test_every_gold_quote_is_whole_in_one_passage(docs: dict[str, Document], prefix: str, quote: str) -> None:
    passages = split_into_passages(doc_named(docs, prefix))
    assert any(squeeze(quote) in squeeze(p.text) for p in passages)


def test_checklist_items_are_passages_of_their_own(docs: dict[str, Document]) -> None:
    passages = split_into_passages(doc_named(docs, "000"))
    items = [p for p in passages if p.item is not None]
    assert [p.item.number for p in items if p.item] == [str(n) for n in range(1, 21)]
    nine = items[8]
    assert nine.section == ("2025年市直机关作风建设重点问题清单", "形式主义官僚主义方面")
    assert nine.text == "9. 文山会海，多头开会、重复开会，报送材料多、时间急，重复填表报数，多头上报。"
    assert not any("文山会海" in p.text for p in passages if p.item is None)


def test_numbered_paragraph_is_one_passage_with_its_path(docs: dict[str, Document]) -> None:
    passages = split_into_passages(doc_named(docs, "000"))
    five = next(p for p in passages if p.text.startswith("5.开展问题集中整改"))
    assert five.section[-2:] == ("（三）全力推进作风问题整改整治", "5.开展问题集中整改")
    assert five.text.endswith("对跨年度整改事项要实施“接力攻坚”，确保实效。")


def test_headings_never_stand_alone(docs: dict[str, Document]) -> None:
    texts = {p.text for d in docs.values() for p in split_into_passages(d)}
    assert not texts & {
        "一、总体目标",
        "主要内容",
        "（一）精心开展作风建设专题学习",
        "第二章 组织设置",
        "总 纲",
    }


def test_text_before_any_heading_gets_the_document_title() -> None:
    doc = Document("x", DocumentMeta(title="某文件"), "开头的说明。\n一、正文\n内容。", "x", "")
    assert [p.section for p in split_into_passages(doc)] == [("某文件",), ("一、正文",)]


def test_long_sentence_is_cut_after_a_comma_and_small_leftovers_merge() -> None:
    clause = "各单位要结合实际认真贯彻落实有关要求"  # 18 characters
    text = "，".join([clause] * 12) + "。短句。"
    pieces = [text[a:b] for a, b in split_span(text, 0, len(text), 100)]
    assert all(len(p) <= 100 * OVERFLOW for p in pieces)
    assert all(p.endswith("，") for p in pieces[:-1])
    assert pieces[-1].endswith("。短句。")  # the 3-character leftover joined its neighbour
    assert "".join(pieces) == text


def test_unpunctuated_run_is_cut_at_the_limit_as_a_last_resort() -> None:
    text = "党" * 250
    assert [b - a for a, b in split_span(text, 0, len(text), 100)] == [100, 100, 50]


def test_passage_boundaries_fall_at_sentence_or_section_ends(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        ends = {s.end for s in parse_sections(doc.text)}
        for p in split_into_passages(doc):
            if p.item is None and p.end not in ends:
                assert re.search(r"[。！？；!?;…][”’」』）)*]*$", p.text), (doc.id, p.text[-15:])
