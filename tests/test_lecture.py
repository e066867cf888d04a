"""党课提纲 logic over the bundled corpus: parts by document kind, extracted cited points, edits, LLM path."""

from __future__ import annotations

import re

import pytest

from app.drafting.lecture import LAW_KINDS, PART_NAMES, Outline, build_outline, edit_outline, expanded
from app.drafting.text import heading_only
from app.services import Services
from tests.test_ledger import FakeLLM, supported_and_invented

THEMES = ("为基层减负", "纠治形式主义官僚主义", "深入贯彻中央八项规定精神", "模范机关创建")


@pytest.fixture(scope="module")
def outline(corpus_services: Services) -> Outline:
    return build_outline("为基层减负", corpus_services.library())


def squash(text: str) -> str:
    return re.sub(r"[\s。；;，,：:]", "", text)


def test_the_outline_has_five_parts_each_point_cited(outline: Outline) -> None:
    parts = dict(outline.parts())
    assert list(parts) == list(PART_NAMES)
    assert all(parts[name] for name in PART_NAMES[:4]), {k: len(v) for k, v in parts.items()}
    assert outline.title == "“为基层减负”专题党课提纲"
    assert all(p.cites for p in outline.points)
    assert [s.n for s in outline.sources] == list(range(1, len(outline.sources) + 1))


def test_each_part_draws_on_its_kind_of_document(outline: Outline) -> None:
    parts = dict(outline.parts())

    def kinds(name: str) -> set[str]:
        return {outline.sources[n].hit.meta.kind for p in parts[name] for n in p.cites}

    assert kinds("一、学习依据") <= LAW_KINDS
    assert kinds("二、上级和本市部署") <= {"方案", "要点", "通知"}
    assert any(outline.sources[n].hit.passage.item for p in parts["三、对照查摆"] for n in p.cites)
    assert kinds("五、身边案例") <= {"刊物"}  # on the theme or left out
    deploy = " ".join(p.text for p in parts["二、上级和本市部署"])
    assert "为基层减负" in deploy  # the one sentence of the corpus that names the theme


def test_points_are_sentences_of_the_passages_they_cite(outline: Outline) -> None:
    for point in outline.points:
        source = squash(outline.sources[point.cites[0]].hit.passage.text)
        assert squash(point.text) in source, point


CITATION_FORM = re.compile(r"《[^》]+》(?:第[一二三四五六七八九十百零\d]+条|（[^）]+）)?")


@pytest.mark.parametrize("theme", THEMES)
def test_every_example_theme_gets_cited_points_in_most_parts(corpus_services: Services, theme: str) -> None:
    result = build_outline(theme, corpus_services.library())
    filled = [name for name, points in result.parts() if points]
    assert len(filled) >= 4, filled
    assert len({p.text for p in result.points}) == len(result.points)  # no point twice
    for p in result.points:
        assert p.cites and CITATION_FORM.fullmatch(p.lead), p.lead  # 《标题》第X条 or 《标题》（机关，日期）
        assert not re.search("XX|××", p.lead + p.text), p
        assert not heading_only(p.text, result.sources[p.cites[0]].hit.passage.section), p.text


def test_a_point_that_only_repeats_its_heading_is_recognised() -> None:
    assert heading_only("10.提高文件简报的质量和时效：提高文件简报的质量和时效。", ())
    assert heading_only("结合调研深入查摆问题。", ("三年行动计划", "4.结合调研深入查摆问题"))
    rule = "要精简文件简报，切实改进文风，没有实质内容、可发可不发的文件、简报一律不发"
    assert not heading_only(rule + "。", ("八项规定", "三、" + rule))  # a rule headed by its own text


def test_the_eight_rules_lecture_quotes_the_rules_themselves(corpus_services: Services) -> None:
    result = build_outline("深入贯彻中央八项规定精神", corpus_services.library())
    basis = dict(result.parts())["一、学习依据"]
    assert basis and all("八项规定" in result.sources[p.cites[0]].hit.meta.title for p in basis)
    assert all(p.text.startswith("要") for p in basis), [p.text for p in basis]  # 要改进调查研究…


def test_theme_words_widen_the_search_only_for_known_themes() -> None:
    assert "文山会海" in expanded("为基层减负")
    assert expanded("党员发展") == "党员发展"


def test_dropping_reordering_and_editing_renumbers_the_citations(outline: Outline) -> None:
    rows = outline.rows()
    assert rows[0]["出处"].startswith("［1］")
    rows[0]["保留"] = False
    rows[1]["要点"] = "改写后的要点。"
    rows[1]["序号"] = 99  # to the end of its part
    edited = edit_outline(outline, rows)
    assert len(edited.points) == len(outline.points) - 1
    first_part = [p for p in edited.points if p.part == PART_NAMES[0]]
    assert first_part[-1].text == "改写后的要点。"
    assert first_part[-1].cites and edited.sources[first_part[-1].cites[0]].hit == outline.sources[2].hit
    assert first_part[-1].rewritten and "（参见［" in first_part[-1].cited()  # no longer a quotation
    assert not any(p.rewritten for p in edited.points[:-1] if p.text != "改写后的要点。")
    in_text = [n for p in edited.points for n in p.cites]
    assert sorted(set(in_text)) == [s.n for s in edited.sources] == list(range(1, len(edited.sources) + 1))
    assert in_text == sorted(in_text)  # numbered in reading order


def test_a_point_the_user_adds_cites_nothing(outline: Outline) -> None:
    rows = [
        *outline.rows(),
        {"保留": True, "部分": PART_NAMES[-1], "序号": 1, "要点": "本局推行一表通。", "出处": None},
    ]
    added = [p for p in edit_outline(outline, rows).points if p.text == "本局推行一表通。"]
    assert len(added) == 1 and added[0].cites == () and added[0].cited() == "本局推行一表通。"


def test_llm_points_keep_citations_and_unsupported_text_is_dropped(corpus_services: Services) -> None:
    result = build_outline("为基层减负", corpus_services.library(), FakeLLM(supported_and_invented))
    assert result.points and not any("推进会" in p.text for p in result.points)
    for point in result.points:
        assert point.cites and squash(point.text) in squash(result.sources[point.cites[0]].hit.passage.text)


def test_an_llm_that_fails_the_check_leaves_the_extracted_outline(
    corpus_services: Services, outline: Outline
) -> None:
    result = build_outline("为基层减负", corpus_services.library(), FakeLLM(lambda _: "资料中没有相关内容。"))
    assert result.notice
    assert [p.text for p in result.points] == [p.text for p in outline.points]
