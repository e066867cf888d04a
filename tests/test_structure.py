"""parse_sections: real heading chains on real documents, body spans that never include a heading line."""

from __future__ import annotations

from pathlib import Path

from ingest.clean import clean_text
from ingest.structure import Section, parse_sections

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAN = "市直机关强作风提效率塑形象深化模范机关创建三年行动计划（2025-2027年）"
BASIC_RULES = "中国共产党党和国家机关基层组织工作条例"


def cleaned(folder: str, prefix: str) -> str:
    path = next((FIXTURES / folder).glob(f"{prefix}*"))
    return clean_text(path.read_text(encoding="utf-8"))


def section_with(text: str, needle: str) -> Section:
    at = text.index(needle)
    return next(s for s in parse_sections(text) if s.start <= at < s.end)


def test_numbered_paragraph_of_the_plan_keeps_its_whole_chain() -> None:
    text = cleaned("seeds", "000")
    section = section_with(text, "开展问题集中整改。坚持从实际出发")
    assert section.path == (PLAN, "主要内容", "（三）全力推进作风问题整改整治", "5.开展问题集中整改")
    body = text[section.start : section.end]
    assert body.startswith("5.开展问题集中整改。坚持从实际出发") and body.endswith("确保实效。")


def test_heading_line_is_in_the_path_not_in_the_body() -> None:
    text = cleaned("seeds", "000")
    section = section_with(text, "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大")
    assert section.path == (PLAN, "一、总体目标")
    assert "总体目标" not in text[section.start : section.end]


def test_notice_is_its_own_part_and_keeps_its_signature() -> None:
    text = cleaned("seeds", "000")
    first = parse_sections(text)[0]
    assert first.path == (
        "关于印发《市直机关强作风提效率塑形象深化模范机关创建三年行动计划（2025-2027年）》的通知",
    )
    assert text[first.start : first.end].endswith("中共东莞市委党的建设工作领导小组\n\n2025年5月31日")
    assert section_with(text, "现制定行动计划如下").path == (PLAN,)


def test_checklist_title_starts_a_new_root() -> None:
    text = cleaned("seeds", "000")
    assert section_with(text, "文山会海").path[:2] == (
        "2025年市直机关作风建设重点问题清单",
        "三、形式主义官僚主义方面",
    )


def test_regulation_article_is_the_leaf_under_its_chapter() -> None:
    text = cleaned("regulations", BASIC_RULES)
    section = section_with(text, "机关正式党员3人以上的，成立党支部")
    assert section.path == (BASIC_RULES, "第二章 组织设置", "第七条")
    assert text[section.start : section.end].startswith("第七条 机关正式党员3人以上的，成立党支部。")


def test_enumerations_inside_an_article_stay_in_its_body() -> None:
    text = cleaned("regulations", BASIC_RULES)
    section = section_with(text, "第十条 机关党的基层委员会")
    assert section.path[-1] == "第十条"
    assert "（一）深入学习和贯彻习近平新时代中国特色社会主义思想" in text[section.start : section.end]


def test_unnumbered_headings_around_articles_and_chapters() -> None:
    text = cleaned("regulations", "中国共产党廉洁自律准则")
    assert section_with(text, "廉洁齐家").path == (
        "中国共产党廉洁自律准则",
        "党员领导干部廉洁自律规范",
        "第八条",
    )
    charter = cleaned("regulations", "中国共产党章程")
    assert section_with(charter, "中国共产党是中国工人阶级的先锋队").path == ("中国共产党章程", "总 纲")
    assert section_with(charter, "预备党员的预备期为一年").path == (
        "中国共产党章程",
        "第一章 党 员",
        "第七条",
    )


def test_magazine_article_titles_are_roots() -> None:
    text = cleaned("seeds", "004")
    article = "机关服务型党组织建设的一次务实探索——东莞开展机关服务型党组织示范点创建工作初探"
    assert section_with(text, "每年一评，连抓三年").path == (
        article,
        "服务探索：重务实抓结合",
        "三、软硬结合：既创优机制又创新载体",
    )
    assert section_with(text, "组织开展示范点参观交流").path[0] == article
    first = "严责任强担当，向 务实要成效——2015年机关党建工作 半年记"
    assert section_with(text, "集中在9月份进行换届").path == (
        first,
        "（三）以严肃党内生活为重点，推进机关党建规范化建设",
    )
    assert section_with(text, "难在经常，贵在经常").path[0].startswith("2015年市直机关“学党章·遵条例·强党性”")


def test_marker_kinds_nest_by_first_appearance_and_pop_back() -> None:
    text = "一、甲\n（一）乙\n1.丙。正文一。\n（1）丁。正文二。\n2.戊。正文三。\n（二）己\n正文四。\n二、庚\n正文五。"
    paths = [s.path for s in parse_sections(text)]
    assert paths == [
        ("一、甲", "（一）乙", "1.丙"),
        ("一、甲", "（一）乙", "1.丙", "（1）丁"),
        ("一、甲", "（一）乙", "2.戊"),
        ("一、甲", "（二）己"),
        ("二、庚",),
    ]


def test_sections_are_ordered_disjoint_and_trimmed() -> None:
    for folder, prefix in [("seeds", "00"), ("regulations", "")]:
        for path in sorted((FIXTURES / folder).glob(f"{prefix}*")):
            text = clean_text(path.read_text(encoding="utf-8"))
            sections = parse_sections(text)
            assert sections, path.name
            for a, b in zip(sections, sections[1:], strict=False):
                assert a.end <= b.start
            for s in sections:
                body = text[s.start : s.end]
                assert body == body.strip() and body


def test_text_of_rules_and_labels_only_has_one_section() -> None:
    """Lines that look like markdown but hold no heading (`---` rules) must not break the parser."""
    text = "---\nbookCollapseSection: true\n---"
    assert parse_sections(text) == [Section(path=(), start=0, end=len(text))]
