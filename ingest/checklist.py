"""Problem checklists (问题清单): one passage per numbered item.

Staff ask "which item of the checklist is this?", and the answer must cite the
item's number and category. So each item is found with its span and becomes
its own passage, whether the checklist came as numbered lines under category
headings or as a Word table that the .docx loader wrote as tab-separated rows — found
by header names and numbering, wherever it stands in the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import ChecklistItem

_TITLE = re.compile(
    r"^(?:附件\d*[：:]?\s*)?(?P<title>[^，。；：！？,;:!?\t]{2,40}清单(?:[（(][^（）()]{1,12}[）)])?)$"
)
_CATEGORY = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])\s*(?P<name>[^。！？；]{1,30})$"
)
_ITEM = re.compile(r"^(?P<number>\d{1,3})[.．、]\s*(?P<text>\S.*)$")
_CELL_MARKER = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])\s*")
INTRODUCTION = 6  # lines between a checklist's title and its first category or item (an introduction)
_ATTACHMENT = re.compile(r"^附件\d*[：:]?\s*")
NUMBER_HEADERS = ("序号", "编号")
TEXT_HEADERS = ("问题表现", "具体表现", "主要表现", "问题描述", "存在问题", "问题", "内容")
CATEGORY_HEADERS = ("类别", "方面", "类型", "分类")


@dataclass(frozen=True)
class Checklist:
    """One checklist: its title, the span from its title to its last item, and its items."""

    title: str
    start: int
    end: int
    items: tuple[tuple[ChecklistItem, int, int], ...]
    header: tuple[int, int] | None = None  # a table's header row ("序号 类别 问题表现…"): no passage

    def taken(self) -> list[tuple[int, int]]:
        """The spans its items (and header row) take: the rest of its span (a title, an introduction, a
        closing line) is ordinary text, kept in passages of its own."""
        return [(s, e) for _, s, e in self.items] + ([self.header] if self.header else [])


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def extract_checklist_items(text: str) -> list[tuple[ChecklistItem, int, int]]:
    """Every item of every checklist in `text`, with its (start, end) span, in text order."""
    return [item for checklist in find_checklists(text) for item in checklist.items]


def find_checklists(text: str) -> list[Checklist]:
    """Checklists in `text`, found by their structure: a table whose header names a number and a problem
    column, wherever it stands (after an introduction, with extra columns such as 整改措施 or 责任单位: a
    ledger-shaped table lists problems too), titled by the 清单 title above it (else the nearest line
    above that may be a title); or numbered lines under category headings below a 清单 title, a few
    lines of introduction between them allowed."""
    lines, pos = [], 0
    for raw in text.split("\n"):
        lines.append(_Line(pos, pos + len(raw), raw.strip(" \u3000")))
        pos += len(raw) + 1
    found: list[Checklist] = []
    title, title_at, title_line = "", 0, 0  # the latest 清单 title seen: its text, offset and line
    i = 0
    while i < len(lines):
        line = lines[i]
        named = _TITLE.match(line.text)
        if named is not None:
            title, title_at, title_line = named["title"], line.start, i
        elif title and i - title_line > INTRODUCTION + 1:
            title = ""  # too far below to be what the title names
        body = [x for x in lines[i + (named is not None) :] if x.text]
        items: list[tuple[ChecklistItem, int, int]] = []
        header = None
        if body and "\t" in body[0].text:
            items = _table_items(body, title or _nearest_title(lines, i))
            header = (body[0].start, body[0].end)
        elif named is not None:
            items = next(
                (got for skip in range(INTRODUCTION + 1) if len(got := _list_items(body[skip:], title)) >= 2),
                [],
            )
        if len(items) < 2:
            i += 1
            continue
        start = title_at if title and title_at <= line.start else line.start
        found.append(Checklist(items[0][0].checklist, start, items[-1][2], tuple(items), header))
        title = ""  # a title names one checklist
        while i < len(lines) and lines[i].start < items[-1][2]:
            i += 1
    return found


def _nearest_title(lines: list[_Line], at: int) -> str:
    """The nearest line above a table that may title it (short, not a sentence), else 问题清单."""
    for line in reversed(lines[max(0, at - INTRODUCTION - 2) : at]):
        text = _ATTACHMENT.sub("", line.text)
        if 2 <= len(text) <= 40 and not re.search(r"[，。；：！？,;:!?\t]", text):
            return text
    return "问题清单"


def _list_items(body: list[_Line], title: str) -> list[tuple[ChecklistItem, int, int]]:
    """Numbered lines under category headings; stops at the first line that is neither."""
    items: list[tuple[ChecklistItem, int, int]] = []
    category = ""
    for line in body:
        if (cat := _CATEGORY.match(line.text)) is not None:
            category = cat["name"].strip()
            continue
        item = _ITEM.match(line.text)
        if item is None or not _follows(items, item["number"]):
            break
        items.append(
            (ChecklistItem(item["number"], category, title, item["text"].strip()), line.start, line.end)
        )
    return items


def _table_items(body: list[_Line], title: str) -> list[tuple[ChecklistItem, int, int]]:
    """Tab-separated rows under a header naming 序号 and a text column (类别 optional)."""
    header = body[0].text.split("\t")
    number_col = _column(header, NUMBER_HEADERS)
    text_col = _column(header, TEXT_HEADERS)
    category_col = _column(header, CATEGORY_HEADERS)
    if number_col is None or text_col is None:
        return []
    items: list[tuple[ChecklistItem, int, int]] = []
    category = ""
    for row in body[1:]:
        cells = [c.strip() for c in row.text.split("\t")]
        number = cells[number_col] if number_col < len(cells) else ""
        if not number.isdigit() or text_col >= len(cells) or not _follows(items, number):
            break
        if category_col is not None and category_col < len(cells) and cells[category_col]:
            category = _CELL_MARKER.sub("", cells[category_col])  # merged cells come as blanks
        named = {number_col, text_col, category_col}
        details = "；".join(
            f"{header[i].strip()}：{cell}"
            for i, cell in enumerate(cells)
            if i not in named and cell and i < len(header) and header[i].strip()
        )
        items.append(
            (ChecklistItem(number, category, title, cells[text_col], details=details), row.start, row.end)
        )
    return items


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    """The first header cell matching a name, trying names in order of preference."""
    cells = [c.strip() for c in header]
    for name in names:
        for i, cell in enumerate(cells):
            if name in cell:
                return i
    return None


def _follows(items: list[tuple[ChecklistItem, int, int]], number: str) -> bool:
    """Numbers run on (1, 2, 3 …) or restart at 1 under a new category."""
    return number == "1" if not items else int(number) in (int(items[-1][0].number) + 1, 1)
