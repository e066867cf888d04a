"""整改台账 as an Excel workbook (openpyxl): the sheet staff keep updating, and the full 出处.

The ledger is a living table under its title and the general requirement: the
header stays in view (frozen), text wraps in columns sized for it, and 完成情况 is
a drop-down of the four fixed states, so the sheet can be filtered and counted
later. Printed, it is A4 landscape, one page wide and as many down as it takes. The second sheet quotes every
cited passage in full, so the workbook stands on its own when forwarded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from app.drafting.ledger import COLUMN_WIDTHS, COLUMNS, STATUSES, Ledger

SOURCE_SHEET = "出处"
SOURCE_COLUMNS = ("编号", "文件标题", "发文机关", "日期", "文号", "章节", "原文")
SOURCE_WIDTHS = (5, 22, 14, 11, 11, 18, 40)
FONT = "仿宋"
HEADER_FILL = PatternFill("solid", start_color="FFD9D9D9")
THIN = Side(style="thin", color="FF000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
LINE_HEIGHT = 15  # points per line of 11-point text
STATUS_ROWS = 500  # the drop-down also covers rows the user adds below the draft


def _lines(text: str, width: int) -> int:
    """Lines a wrapped cell takes: a Chinese character is two width units, a Latin one is one."""
    units = [sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in str(text).split("\n")]
    return sum(max(1, -(-u // width)) for u in units)


def _above(sheet: Worksheet, lines: Sequence[tuple[str, int, bool]], columns: int) -> None:
    """Lines above the table (text, size, centred), each merged across its width."""
    for text, size, centred in lines:
        sheet.append([text])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        cell = sheet.cell(row, 1)
        cell.font = Font(name=FONT, size=size, bold=centred)
        cell.alignment = Alignment(
            horizontal="center" if centred else "left", vertical="center", wrap_text=True
        )
        width = sum(sheet.column_dimensions[get_column_letter(i)].width for i in range(1, columns + 1))
        sheet.row_dimensions[row].height = (size + 6) * _lines(text, int(width * 11 / size))


def _fill_sheet(
    sheet: Worksheet,
    header: tuple[str, ...],
    rows: list[list[str | int]],
    widths: tuple[int, ...],
    above: Sequence[tuple[str, int, bool]] = (),
) -> None:
    """Lines above (a title row), a styled header (bold, grey fill, borders) frozen below them, a
    bordered wrapped body, column widths; printed A4 landscape, fit to the page's width only (as many
    pages down as it takes, at a readable size), the header repeated on every page."""
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 1
    _above(sheet, above, len(header))
    head = sheet.max_row + 1 if above else 1
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    for row_cells in sheet.iter_rows(min_row=head, max_row=head + len(rows), max_col=len(header)):
        for cell in row_cells:
            cell.border, cell.alignment = BORDER, WRAP
            cell.font = Font(name=FONT, size=11, bold=cell.row == head)
            if cell.row == head:
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(
        rows, start=head + 1
    ):  # neither Excel nor LibreOffice sizes wrapped rows on opening
        sheet.row_dimensions[r].height = (
            LINE_HEIGHT * max(_lines(str(v), w) for v, w in zip(row, widths, strict=True)) + 4
        )
    sheet.freeze_panes = f"A{head + 1}"
    sheet.print_title_rows = f"{head}:{head}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)  # inches
    sheet.auto_filter.ref = f"A{head}:{get_column_letter(len(header))}{head + len(rows)}"


def ledger_xlsx(ledger: Ledger) -> bytes:
    """The workbook: sheet 整改台账 (COLUMNS, 完成情况 drop-down) and sheet 出处."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "整改台账"
    above: list[tuple[str, int, bool]] = [(ledger.title, 16, True)]
    if ledger.requirement:
        above.append((f"整改要求：{ledger.requirement.cited()}", 11, False))
    _fill_sheet(sheet, COLUMNS, [[int(r[0]), *r[1:]] for r in ledger.table()], COLUMN_WIDTHS, above)
    first = sheet.max_row - len(ledger.rows) + 1
    status = get_column_letter(COLUMNS.index("完成情况") + 1)
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成情况",
        error="请从列表中选择：" + "、".join(STATUSES),
    )
    choice.add(f"{status}{first}:{status}{STATUS_ROWS}")
    sheet.add_data_validation(choice)
    sources = book.create_sheet(SOURCE_SHEET)
    rows: list[list[str | int]] = [
        [s.n, *(s.fields()[c] for c in SOURCE_COLUMNS[1:])] for s in ledger.sources
    ]
    _fill_sheet(sources, SOURCE_COLUMNS, rows, SOURCE_WIDTHS)
    book.properties.title = ledger.title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
