"""Official-style Word files (python-docx) of answers, lecture outlines and ledgers, with their 出处.

Party-affairs staff hand these files on, so they follow the usual layout of
official documents (A4; margins 37/35/28/26 mm; 方正小标宋简体 二号 title; 仿宋_GB2312
三号 body; 黑体 for 一、 and 楷体_GB2312 for （一） headings). The layout lives in
Word STYLES (Title, Heading 1, Heading 2, Normal, 出处, 表格文字) that the text
merely applies, so a user restyles the whole file from Word's style pane.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from app.drafting.citations import Source, mark
from app.drafting.composer import Answer
from app.drafting.lecture import Outline
from app.drafting.ledger import COLUMN_WIDTHS, COLUMNS, Ledger

if TYPE_CHECKING:
    from docx.document import Document
    from docx.styles.style import ParagraphStyle


TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
# What Word and WPS use where a machine lacks the official font: those every Chinese Windows has.
# Written to the font table as w:altName, with the font's character set and family, so the
# substitute is the same face, not the application's default Latin font.
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei", SUBHEADING_FONT: "楷体"}
GB2312_CHARSET = "86"
LATIN_FONT = "Times New Roman"  # digits and Latin letters in official documents
SOURCE_STYLE, TABLE_STYLE = "出处", "表格文字"
TABLE_POINTS = 10.5  # 五号: the table text
MM_PER_POINT = 25.4 / 72
CELL_MARGINS_MM = 4.5  # Word's default 1.9 mm each side, and a little room for bold
LINE = Pt(28)  # fixed line pitch of a 三号 body: 22 lines on an A4 page with these margins


def _fonts(style: ParagraphStyle, east_asian: str, size: float, bold: bool = False) -> None:
    """Font on the style itself; the template's theme fonts would otherwise override the names."""
    font = style.font
    font.name, font.size, font.bold, font.italic = LATIN_FONT, Pt(size), bold, False
    font.color.rgb = RGBColor(0, 0, 0)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asian)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def _paragraph(style: ParagraphStyle, indent: float = 32, align: int = WD_ALIGN_PARAGRAPH.JUSTIFY) -> None:
    fmt = style.paragraph_format
    fmt.first_line_indent, fmt.alignment = Pt(indent), align
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE


def _define_styles(doc: Document) -> None:
    styles = doc.styles
    _fonts(styles["Normal"], BODY_FONT, 16)
    _paragraph(styles["Normal"])
    title = styles["Title"]
    _fonts(title, TITLE_FONT, 22)
    _paragraph(title, 0, WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = LINE
    border = title.element.pPr.find(qn("w:pBdr"))  # the template underlines its Title
    if border is not None:
        title.element.pPr.remove(border)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        _fonts(styles[name], font, 16)
        _paragraph(styles[name])
    for name, size, indent in ((SOURCE_STYLE, 14, 0), (TABLE_STYLE, TABLE_POINTS, 0)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        _fonts(style, BODY_FONT, size)
        _paragraph(style, indent, WD_ALIGN_PARAGRAPH.LEFT)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _font_table(doc: Document) -> None:
    """Declare each official font with its fallback (w:altName) in the document's font table."""
    table = next(
        (rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None
    )
    if table is None:
        return
    root = etree.fromstring(table.blob)
    for name, alternative in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        for tag, value in (("w:altName", alternative), ("w:charset", GB2312_CHARSET), ("w:family", "auto")):
            etree.SubElement(font, qn(tag), {qn("w:val"): value})
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(doc: Document) -> None:
    """ "— 1 —" centred in the footer, as official documents number their pages."""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.text = text
        run._r.append(element)
    footer.add_run(" —")


def official_document(title: str, landscape: bool = False) -> Document:
    """An empty A4 document with the official styles and its title."""
    doc = new_document()
    section = doc.sections[0]
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _define_styles(doc)
    _font_table(doc)
    _page_number(doc)
    doc.core_properties.title = title
    doc.add_paragraph(title, style="Title")
    return doc


def add_sources(doc: Document, sources: Iterable[Source]) -> None:
    """The numbered 出处 list that the ［n］ marks in the text point to."""
    listed = list(sources)
    if not listed:
        return
    doc.add_paragraph("附：出处", style="Heading 1")
    for source in listed:
        doc.add_paragraph(source.line(), style=SOURCE_STYLE)


def add_table(
    doc: Document, header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float]
) -> None:
    """A grid table whose header row repeats on every page."""
    table = doc.add_table(rows=1, cols=len(header), style="Table Grid")
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid LibreOffice reads; Word reads the cell widths below
    for row_values in [header, *rows]:
        cells = table.rows[0].cells if row_values is header else table.add_row().cells
        for cell, value, width in zip(cells, row_values, widths_mm, strict=True):
            cell.width = Mm(width)
            cell.paragraphs[0].style = doc.styles[TABLE_STYLE]
            run = cell.paragraphs[0].add_run(value)
            run.bold = row_values is header
    header_props = table.rows[0]._tr.get_or_add_trPr()
    header_props.append(OxmlElement("w:tblHeader"))


def to_bytes(doc: Document) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def answer_docx(answer: Answer) -> bytes:
    """A question and its cited answer as a secretary files or forwards it: the question as the title,
    each sentence of the answer with its ［n］ marks, then the 出处 they point to."""
    doc = official_document(answer.query)
    for sentence in answer.sentences:
        doc.add_paragraph(sentence.text + mark(*sentence.cites))
    add_sources(doc, answer.citations)
    return to_bytes(doc)


def lecture_docx(outline: Outline) -> bytes:
    """The outline: 一、… parts (Heading 1), （一）… points (Heading 2 + body), then 出处."""
    doc = official_document(outline.title)
    for part, points in outline.parts():
        doc.add_paragraph(part, style="Heading 1")
        if not points:
            doc.add_paragraph(outline.empty_part)
        for i, point in enumerate(points):
            doc.add_paragraph(f"{chinese_number(i + 1)}{point.lead or '本单位补充'}", style="Heading 2")
            doc.add_paragraph(point.cited())
    add_sources(doc, outline.sources)
    return to_bytes(doc)


def fitted_widths(header: Sequence[str], weights: Sequence[float], usable_mm: float) -> list[float]:
    """Widths in proportion to `weights`, except that a column too narrow for its header on one line
    (its characters at TABLE_POINTS plus the cell margins) gets just that, and the others share the
    rest: "责任单位", not "责任单/位", and the measures keep the room they need."""
    least = [len(h) * TABLE_POINTS * MM_PER_POINT + CELL_MARGINS_MM for h in header]
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(header)) if i not in fixed]
        room = usable_mm - sum(fixed.values())
        total = sum(weights[i] for i in free)
        short = {i: least[i] for i in free if room * weights[i] / total < least[i]}
        if not short:
            return [fixed.get(i, room * weights[i] / total) for i in range(len(header))]
        fixed |= short


def ledger_docx(ledger: Ledger) -> bytes:
    """The ledger as a landscape table with the same columns as the workbook, under its general
    requirement, then 出处."""
    doc = official_document(ledger.title, landscape=True)
    if ledger.requirement:
        doc.add_paragraph(f"整改要求：{ledger.requirement.cited()}")
    usable = 297 - 28 - 26
    add_table(doc, COLUMNS, ledger.table(), fitted_widths(COLUMNS, COLUMN_WIDTHS, usable))
    add_sources(doc, ledger.sources)
    return to_bytes(doc)


def chinese_number(n: int) -> str:
    """（一）…（九十九）: how the second heading level is numbered."""
    import cn2an

    return f"（{cn2an.an2cn(n)}）"
