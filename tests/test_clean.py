"""clean_text: layout and noise removed, content and full-width punctuation kept."""

from __future__ import annotations

from pathlib import Path

from ingest.clean import NOISE_LINE_PATTERNS, clean_text

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def seed(prefix: str) -> str:
    return clean_text(next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8"))


def test_advertising_header_of_seed_003_is_gone() -> None:
    text = seed("003")
    for noise in (
        "仅供学习",
        "禁止外传",
        "酷乐文行",
        "自建平台",
        "订阅立享",
        "打击倒卖",
        "举报倒卖",
        "会员群",
        "QQ群",
        "不断迭代",
    ):
        assert noise not in text, noise
    assert text.startswith("2020年深化机关作风整顿活动实施方案\n")


def test_html_attribute_leftover_is_gone_and_inner_title_marks_stay() -> None:
    text = seed("003")
    assert "style=" not in text and "box-sizing" not in text
    assert "印发<xx市重大决策部署贯彻落实情况约谈办法（试行）>的通知》" in text
    assert clean_text('见<span class="x">附件</span>。') == "见附件。"


def test_noise_patterns_are_data_and_spare_long_prose() -> None:
    assert "会员群" in NOISE_LINE_PATTERNS
    prose = "各单位要建立会员群众联系制度，定期走访服务对象，听取意见建议，及时回应群众关切，持续改进工作作风，切实提高服务质量和办事效率。"
    assert clean_text(prose) == prose


def test_layout_is_normalised_without_nfkc() -> None:
    raw = "\u3000\u3000一、总体目标  \r\n\r\n\r\n\r\n\xa0坚持问题导向（一）。\r正文\u3000"
    assert clean_text(raw) == "一、总体目标\n\n坚持问题导向（一）。\n正文"


def test_bare_heading_marker_joins_its_text() -> None:
    assert clean_text("\u3000二、\n要精简会议活动，切实改进会风。") == "二、要精简会议活动，切实改进会风。"


def test_sentence_cut_by_a_page_break_is_rejoined() -> None:
    text = seed("001")
    assert "引导机关基层党组织和党员干部以走在前列的担当" in text
    assert "现将《2025年市直机关党的建设要点》印发给你们，请结合实际认真贯彻落实。" in text
    assert "\n总 纲\n" in clean_text(
        "中国共产党第二十次全国代表大会部分修改，2022年10月22日通过\n总 纲\n正文。"
    )


def test_magazine_continuations_are_rejoined_and_markers_removed() -> None:
    text = seed("004")
    for marker in ("转第", "接第"):
        assert marker not in text
    # Article 1 ends on page 5 (（转第6页）) and continues inside article 2 (（接第5页）).
    assert "结合机关党组织组建、集中换届工作，同步跟进指导机关单位同步设置和完善群团组织架构" in text
    assert "培育和践行社会主义核心价值观、联系服务基层群众等工作" in text
    first_end = text.index("增强主业意识和主动精神。（东直综）")
    assert first_end < text.index("## 机关服务型党组织建设的一次务实探索")
    # Article 2 reads whole again around the moved paragraphs, and its own tail came back from page 11.
    assert (
        "对新的历史条件下基层党组织根本功能的新定位和核心任务的新认识，明确了基层党组织建设的方向和重点"
        in text
    )
    assert "29个机关党组织被命名为服务型党组织示范点，2015年有35个示范点在创建中" in text
    assert "有抓手，创建工作开展以来,各创建单位工作成效看得见也摸得着。" in text
    assert text.index("服务党员作出更大的贡献!(东直综)") < text.index(
        "## 2015年市直机关“学党章·遵条例·强党性”"
    )
    # Article 3 is whole where the continuation used to sit.
    assert "可以把枯燥的知识通过活泼的形式呈现出来，促进学习热情" in text


def test_unpaired_continuation_marker_is_removed() -> None:
    assert clean_text("这是文章的结尾部分。（转第9页）") == "这是文章的结尾部分。"


def test_blank_runs_collapse_to_one_blank_line() -> None:
    assert clean_text("甲。\n\n\n\n\n乙。\n \n\t\n丙。") == "甲。\n\n乙。\n\n丙。"
