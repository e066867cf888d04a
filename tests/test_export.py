"""The Word and Excel exports, re-opened with python-docx / openpyxl and rendered by LibreOffice to PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from PIL import Image, ImageStat

from app.drafting.citations import Source
from app.drafting.lecture import PART_NAMES, Outline, build_outline
from app.drafting.ledger import COLUMNS, STATUSES, Ledger, build_ledger
from app.export.excel import SOURCE_COLUMNS, SOURCE_SHEET, ledger_xlsx
from app.export.word import (
    BODY_FONT,
    FALLBACKS,
    HEADING_FONT,
    SUBHEADING_FONT,
    TITLE_FONT,
    chinese_number,
    lecture_docx,
    ledger_docx,
)
from app.services import Services
from ingest.models import DocumentMeta, Hit, Passage
from tests.test_ledger import TEN_PROBLEMS

MARK = re.compile(r"［(\d+)］")


@pytest.fixture(scope="module")
def outline(corpus_services: Services) -> Outline:
    return build_outline("为基层减负", corpus_services.library())


@pytest.fixture(scope="module")
def ledger(corpus_services: Services) -> Ledger:
    return build_ledger(TEN_PROBLEMS, corpus_services.library(), unit="办公室")


def east_asian(style: docx.styles.style.ParagraphStyle) -> str | None:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_lecture_docx_is_an_official_style_outline(outline: Outline) -> None:
    document = docx.Document(io.BytesIO(lecture_docx(outline)))
    section = document.sections[0]
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(Length(x).mm) for x in sizes] == [210, 297, 37, 35, 28, 26]  # stored in twips
    styles = document.styles
    assert east_asian(styles["Title"]) == TITLE_FONT and styles["Title"].font.size == Pt(22)
    assert east_asian(styles["Normal"]) == BODY_FONT and styles["Normal"].font.size == Pt(16)
    assert (
        east_asian(styles["Heading 1"]) == HEADING_FONT and east_asian(styles["Heading 2"]) == SUBHEADING_FONT
    )
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == outline.title
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == [*PART_NAMES, "附：出处"]
    assert all(p.text.startswith("（") for p in paragraphs if p.style.name == "Heading 2")
    listed = [
        int(MARK.match(p.text).group(1)) for p in paragraphs if p.style.name == "出处" and MARK.match(p.text)
    ]
    body = " ".join(p.text for p in paragraphs if p.style.name == "Normal")
    assert listed == list(range(1, len(outline.sources) + 1))
    assert {int(n) for n in MARK.findall(body)} == set(listed)


def test_ledger_xlsx_has_a_styled_frozen_header_a_status_dropdown_and_the_sources(ledger: Ledger) -> None:
    book = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(ledger)))
    sheet = book["整改台账"]
    assert sheet["A1"].value == "办公室整改台账" and sheet["A1"].font.bold  # the title row, merged
    assert any(str(r) == "A1:I1" for r in sheet.merged_cells.ranges)
    assert ledger.requirement and sheet["A2"].value == f"整改要求：{ledger.requirement.cited()}"
    assert [c.value for c in sheet[3]] == list(COLUMNS)
    assert all(
        c.font.bold and c.fill.fgColor.rgb == "FFD9D9D9" and c.border.bottom.style == "thin" for c in sheet[3]
    )
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    setup = sheet.page_setup  # A4 landscape, one page wide, as many pages down as it takes
    assert setup.orientation == "landscape" and (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.max_row == len(ledger.rows) + 3
    assert sheet["B4"].value == TEN_PROBLEMS[0] and sheet["B4"].alignment.wrap_text
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width
    status = openpyxl.utils.get_column_letter(COLUMNS.index("完成情况") + 1)
    (rule,) = sheet.data_validations.dataValidation
    assert rule.type == "list" and rule.formula1.strip('"').split(",") == list(STATUSES)
    assert f"{status}4" in rule.sqref and f"{status}{len(ledger.rows) + 3}" in rule.sqref
    sources = book[SOURCE_SHEET]
    assert [c.value for c in sources[1]] == list(SOURCE_COLUMNS)
    assert sources.max_row == len(ledger.sources) + 1
    assert [sources.cell(r, 1).value for r in range(2, sources.max_row + 1)] == list(
        range(1, len(ledger.sources) + 1)
    )
    cited = {
        int(n)
        for row in sheet.iter_rows(min_row=2, values_only=True)
        for n in MARK.findall(str(row[7] or row[0] or ""))
    }
    assert cited == set(range(1, len(ledger.sources) + 1))


def test_ledger_docx_is_a_landscape_table_with_the_same_columns(ledger: Ledger) -> None:
    document = docx.Document(io.BytesIO(ledger_docx(ledger)))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == list(COLUMNS)
    for cell, name in zip(table.rows[0].cells, COLUMNS, strict=True):  # room for the header on one line
        assert cell.width >= Pt(len(name) * 10.5), name
    assert len(table.rows) == len(ledger.rows) + 1
    listed = [p.text for p in document.paragraphs if p.style.name == "出处"]
    assert len(listed) == len(ledger.sources) and listed[0].startswith("［1］《")


def test_chinese_numbers_for_the_second_heading_level() -> None:
    assert [chinese_number(n) for n in (1, 10, 12, 20, 35)] == [
        "（一）",
        "（十）",
        "（十二）",
        "（二十）",
        "（三十五）",
    ]


def to_pdf(path: Path, profile: Path) -> Path:
    """LibreOffice (headless, its own profile, 120 s at most) → PDF beside the file."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice 未安装：运行 bash scripts/install.sh --dev")
    command = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(path.parent),
        str(path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    pdf = path.with_suffix(".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stdout + done.stderr
    return pdf


def to_pngs(pdf: Path) -> list[Image.Image]:
    """pdftoppm at 50 dpi: the pages as a reader sees them."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm 未安装：运行 bash scripts/install.sh --dev")
    subprocess.run(
        [pdftoppm, "-r", "50", "-png", str(pdf), str(pdf.with_suffix(""))], check=True, timeout=120
    )
    return [Image.open(png).convert("L") for png in sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))]


def same_line(pdf: pdfplumber.PDF, word: str) -> bool:
    """Whether `word` is printed somewhere on one line (its characters at one height), not broken."""
    for page in pdf.pages:
        chars = [c for c in page.chars if c["text"].strip()]
        for i in range(len(chars) - len(word) + 1):
            run = chars[i : i + len(word)]
            if "".join(c["text"] for c in run) == word and len({round(c["top"]) for c in run}) == 1:
                return True
    return False


@pytest.mark.parametrize("kind", ["lecture.docx", "ledger.docx", "ledger.xlsx"])
def test_libreoffice_renders_the_exports_into_readable_pages(
    kind: str, outline: Outline, ledger: Ledger, tmp_path: Path
) -> None:
    data = {
        "lecture.docx": lambda: lecture_docx(outline),
        "ledger.docx": lambda: ledger_docx(ledger),
        "ledger.xlsx": lambda: ledger_xlsx(ledger),
    }[kind]()
    path = tmp_path / "out" / kind.replace(".", "-", 1)
    path.parent.mkdir()
    path.write_bytes(data)
    pdf_path = to_pdf(path, tmp_path / "profile")
    with pdfplumber.open(pdf_path) as pdf:
        text = re.sub(r"\s", "", "".join(page.extract_text() or "" for page in pdf.pages))
        sizes = sorted(c["size"] for page in pdf.pages for c in page.chars if c["text"].strip())
        headers_whole = kind == "lecture.docx" or all(same_line(pdf, name) for name in COLUMNS)
    pages = to_pngs(pdf_path)
    assert pages and all(ImageStat.Stat(p).stddev[0] > 5 for p in pages)  # every page has ink on it
    assert sizes[len(sizes) // 2] >= 9  # the body prints at a readable size, not shrunk to one page
    if kind == "lecture.docx":
        assert all(p.height > p.width for p in pages)  # A4 portrait
        assert outline.title in text
        assert "深入落实《整治形式主义为基层减负若干规定》要求" in text
        return
    assert all(p.width > p.height for p in pages)  # landscape
    assert headers_whole  # "责任单位", not "责任单/位"
    assert ledger.title in text and "无匹配" in text and "台账式管理" in text


def test_lecture_docx_names_a_fallback_for_each_official_font(outline: Outline) -> None:
    with zipfile.ZipFile(io.BytesIO(lecture_docx(outline))) as package:
        table = package.read("word/fontTable.xml").decode("utf-8")
    for font, fallback in FALLBACKS.items():
        assert re.search(f'w:name="{font}".*?w:altName w:val="{fallback}"', table, re.S), font


def test_an_appendix_entry_is_the_usual_citation_form_with_the_quote() -> None:
    rule = DocumentMeta(title="中国共产党廉洁自律准则", issuer="中共中央", date="2015-10-18")
    text = "第五条 廉洁从政，自觉保持人民公仆本色。"
    article = Hit(
        Passage(
            "d1", 4, text, ("中国共产党廉洁自律准则", "党员领导干部廉洁自律规范", "第五条"), 0, len(text)
        ),
        rule,
        1.0,
    )
    assert (
        Source(1, article).line()
        == "［1］《中国共产党廉洁自律准则》第五条（中共中央，2015-10-18）：廉洁从政，自觉保持人民公仆本色。"
    )
    plan = DocumentMeta(
        title="2025年要点", issuer="市直机关工委", date="2025-03-27", doc_number="东直〔2025〕3号"
    )
    text = "10. 坚持不懈纠“四风”。按照上级部署推动落实。"
    section = ("2025年要点", "四、正风肃纪", "10. 坚持不懈纠“四风”")
    line = Source(2, Hit(Passage("d2", 9, text, section, 0, len(text)), plan, 1.0)).line()
    assert (
        line
        == "［2］《2025年要点》（市直机关工委，2025-03-27，东直〔2025〕3号）“10. 坚持不懈纠“四风””：按照上级部署推动落实。"
    )
    assert "›" not in line


def test_an_answer_is_exported_with_its_marks_and_its_sources(corpus_services: Services) -> None:
    """The 问答 page's 导出 Word: the question as the title, each sentence with its ［n］, then 附：出处."""
    from app.drafting.composer import compose_answer
    from app.export.word import answer_docx

    answer = compose_answer("基层反映同一组数据要重复报好几次，属于清单里哪一条？", corpus_services.library())
    paragraphs = [p.text for p in docx.Document(io.BytesIO(answer_docx(answer))).paragraphs if p.text]
    assert paragraphs[0] == answer.query and "［1］" in paragraphs[1] and "第14条" in paragraphs[1]
    sources = paragraphs[paragraphs.index("附：出处") + 1 :]
    assert len(sources) == len(answer.citations) and "2025年市直机关作风建设重点问题清单" in sources[0]
