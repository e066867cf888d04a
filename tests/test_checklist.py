"""Checklist items from numbered lines and from the .docx loader's table rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.services import Services
from ingest.checklist import extract_checklist_items
from ingest.clean import clean_text
from ingest.discovery import SourceFile
from ingest.models import ChecklistItem, Passage
from ingest.pipeline import content_hash, document_passages, read_document

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
TITLE = "2025年市直机关作风建设重点问题清单"
CATEGORIES = ["政策制定执行方面", "服务意识能力方面", "形式主义官僚主义方面", "工作协同方面", "责任担当方面"]


def seed(prefix: str) -> str:
    return clean_text(next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8"))


def as_table(text_form: str, repeat_category: bool) -> str:
    """The 2025 checklist as the .docx loader writes a Word table: a title, a header row, tab-joined rows."""
    rows = [TITLE, "类别\t序号\t问题表现"]
    previous = ""
    for item, _, _ in extract_checklist_items(text_form):
        category = item.category if repeat_category or item.category != previous else ""
        rows.append(f"{category}\t{item.number}\t{item.text}")
        previous = item.category
    return "\n".join(rows)


def check_2025(items: list[tuple[ChecklistItem, int, int]], text: str) -> None:
    assert [i.number for i, _, _ in items] == [str(n) for n in range(1, 21)]
    assert {i.checklist for i, _, _ in items} == {TITLE}
    by_number = {i.number: (i, s, e) for i, s, e in items}
    nine, start, end = by_number["9"]
    assert nine.category == "形式主义官僚主义方面"
    assert nine.text == "文山会海，多头开会、重复开会，报送材料多、时间急，重复填表报数，多头上报。"
    assert nine.text in text[start:end]
    fourteen = by_number["14"][0]
    assert (fourteen.category, fourteen.text) == (
        "工作协同方面",
        "跨部门数据共享不畅，相同数据重复填报，重复审批。",
    )
    assert [by_number[n][0].category for n in ("1", "5", "9", "13", "17")] == CATEGORIES


def _unit_library(tmp_path: Path, files: dict[str, str]) -> Services:
    """A fresh library of unit fixtures, each copied under the name given (fixture name -> file name)."""
    from app.services import build_services
    from tests.conftest import make_settings

    folder = tmp_path / "docs"
    folder.mkdir()
    for fixture, name in files.items():
        shutil.copy(UNIT / fixture, folder / name)
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([folder])
    return services


def test_numbered_lines_under_category_headings() -> None:
    text = seed("000")
    items = extract_checklist_items(text)
    check_2025(items, text)
    assert text[items[8][1] : items[8][2]].startswith("9. 文山会海")


@pytest.mark.parametrize("repeat_category", [True, False], ids=["repeated", "merged-cells"])
def test_word_table_rows(repeat_category: bool) -> None:
    table = as_table(seed("000"), repeat_category)
    text = "附件\n\n" + table + "\n\n抄送：市纪委监委。"
    items = extract_checklist_items(text)
    check_2025(items, text)
    assert (
        text[items[8][1] : items[8][2]]
        == "形式主义官僚主义方面\t9\t文山会海，多头开会、重复开会，报送材料多、时间急，重复填表报数，多头上报。"
    )


def test_table_header_names_are_matched_flexibly() -> None:
    text = "问题清单\n序号\t具体表现\t备注\n1\t会议太多。\t\n2\t材料太多。\t无\n"
    items = extract_checklist_items(text)
    assert [(i.number, i.category, i.text) for i, _, _ in items] == [
        ("1", "", "会议太多。"),
        ("2", "", "材料太多。"),
    ]


def test_plan_paragraphs_and_body_mentions_are_not_checklists() -> None:
    text = seed("000")
    plan = text[: text.index(TITLE)]
    assert "聚焦年度作风建设重点问题清单，" in plan
    assert extract_checklist_items(plan) == []
    for prefix in ("001", "002", "003", "004"):
        assert extract_checklist_items(seed(prefix)) == [], prefix


def test_a_title_without_items_is_not_a_checklist() -> None:
    assert extract_checklist_items("落实责任清单\n\n各单位要按照清单抓好落实。\n1.加强领导。") == []


UNIT = Path(__file__).resolve().parent / "fixtures" / "unit"


def _passages(name: str) -> list[Passage]:
    path = UNIT / name
    return document_passages(read_document(SourceFile(path, name), content_hash(path, 0)), 0)


def _items(name: str) -> list[ChecklistItem]:
    return [p.item for p in _passages(name) if p.item]


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("作风问题清单_表格在说明之后.docx", ["梳理形成以下问题清单", "各科室要逐项对照检查", "2026年3月5日"]),
        ("编号清单_说明在前.txt", ["梳理出以下问题", "各科室要对号入座", "各科室整改情况于2026年5月底前报局办公室"]),
    ],
)
def test_a_checklists_introduction_and_closing_lines_are_kept_in_passages_of_their_own(
    name: str, kept: list[str]
) -> None:
    """Only the items (and a table's header row) are taken out as item passages: nothing else is lost."""
    plain = [p.text for p in _passages(name) if p.item is None]
    assert all(any(words in text for text in plain) for words in kept)
    assert not any("序号" in text for text in plain)


def test_a_table_checklist_after_an_introduction_with_merged_category_cells() -> None:
    """The title, two lines of introduction, then the table (序号, 类别 merged down, 问题表现, and columns
    a checklist does not need): all 15 items, each with its category and the title as its checklist."""
    items = _items("作风问题清单_表格在说明之后.docx")
    assert [i.number for i in items] == [str(n) for n in range(1, 16)]
    assert len({i.category for i in items}) == 5 and items[3].category == "文风会风方面"
    assert {i.checklist for i in items} == {"临湖区卫生健康局2026年作风问题清单"}
    assert items[3].text == "会议多、会议长，陪会现象突出"  # the problem, not the row's other cells


def test_a_ledger_shaped_table_lists_problems_too() -> None:
    """序号 / 存在问题 / 整改措施 / 责任单位 / 完成时限 with no 清单 title: titled by the line above it."""
    items = _items("整改台账_表格.docx")
    assert [i.text for i in items][:1] == ["党员学习积分排名靠后，学习流于形式"]
    assert len(items) == 3 and items[0].checklist == "机关党委2026年第一季度整改台账"


def test_ingest_says_how_many_checklist_items_each_document_has(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(UNIT / "作风问题清单_表格在说明之后.docx", folder / "清单.docx")
    shutil.copy(UNIT / "机关党委_工作要点.txt", folder / "要点.txt")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert "docs/清单.docx：识别出问题清单 15 条" in result.output
    assert "要点.txt：识别出" not in result.output


def test_a_table_items_answer_names_it_and_its_rows_other_cells_by_their_headers(tmp_path: Path) -> None:
    """"第4条（类别）：问题表现", then the row's other cells named by their headers — never the row with
    its number, category, unit and deadline pasted in."""
    from app.drafting.composer import compose_answer

    services = _unit_library(tmp_path, {"作风问题清单_表格在说明之后.docx": "清单.docx"})
    answer = compose_answer("会议太多太长，还要陪会，属于清单哪一条？", services.library())
    assert answer.items and answer.items[0].number == "4"
    assert "第4条（文风会风方面）：会议多、会议长，陪会现象突出。" in answer.text
    assert "该条同时写明：责任科室：办公室；整改时限：2026年6月30日。" in answer.text
    assert "4 文风会风方面" not in answer.text and "\t" not in answer.text


def test_a_ledger_rows_measures_unit_and_deadline_answer_how_it_is_fixed(tmp_path: Path) -> None:
    """A ledger-shaped table without categories: "第3条：…" with no empty "（）", then what the row says is
    done about it; a fact asked of the row is quoted as the item and its named cells, not bare cells."""
    from app.drafting.composer import compose_answer

    library = _unit_library(tmp_path, {"整改台账_表格.docx": "台账.docx", "机关党委_工作要点.txt": "要点.txt"}).library()
    answer = compose_answer("发展党员的材料有缺漏，属于台账哪一条，怎么整改？", library)
    assert answer.items and answer.items[0].number == "3" and "（）" not in answer.text
    assert "整改措施：对近三年发展党员档案逐份复核；责任单位：机关党委；完成时限：2026年3月31日" in answer.text
    dated = compose_answer("三会一课记录不规范的整改要在什么时候完成？", library)
    assert dated.supported and "2026年3月31日" in dated.text and "2 党支部" not in dated.text


def test_numbered_items_under_categories_after_an_attachments_title_and_an_introduction() -> None:
    """附件2：…问题清单, two lines of introduction, then 一、… categories with numbered problems."""
    items = _items("编号清单_说明在前.txt")
    assert [(i.number, i.category) for i in items] == [
        ("1", "学风方面"), ("2", "学风方面"), ("3", "会风文风方面"),
        ("4", "会风文风方面"), ("5", "调研督查方面"), ("6", "调研督查方面"),
    ]  # fmt: skip
    assert items[0].checklist == "青溪县农业农村局2026年形式主义官僚主义问题清单"


def test_the_library_list_shows_each_documents_checklist_items(tmp_path: Path) -> None:
    """The 文件库 table's 清单条目 column: 15 for the table checklist, 0 for a plan without one."""
    from app import library_view as lv

    services = _unit_library(
        tmp_path, {"作风问题清单_表格在说明之后.docx": "清单.docx", "机关党委_工作要点.txt": "要点.txt"}
    )
    rows = lv.table_rows(services.documents(), {}, lv.item_counts(services.library()))
    assert {r["文件"]: r["清单条目"] for r in rows} == {"docs/清单.docx": 15, "docs/要点.txt": 0}
