"""Word .docx → lines of text in document order: paragraphs, tables, and Word's automatic numbering.

List numbering is rendered because "一、" or "（一）" is often a list label, not text in the runs, and
the structure parser needs it; counters are kept per numId. Tables come out one row per line with
tab-separated cells; a vertically merged cell repeats its text on every row it spans, so each
checklist row keeps its category.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import UnreadableFile


def _chinese_number(n: int, grouped: bool) -> str:
    """一…九十九 for both Word formats (cn2an); from 100 on chineseCounting goes digit by digit (一〇〇)."""
    if n <= 0 or n >= 10000 or (n >= 100 and not grouped):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n)) if n > 0 else str(n)
    import cn2an

    return str(cn2an.an2cn(n))


_ROMAN: tuple[tuple[int, str], ...] = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
    (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def _roman(n: int) -> str:
    """Upper-case Roman numeral, for Word's upperRoman/lowerRoman list formats."""
    out = ""
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out


_NUMBER_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "chineseCounting": lambda n: _chinese_number(n, grouped=False),
    "chineseCountingThousand": lambda n: _chinese_number(n, grouped=True),
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "decimalEnclosedCircle": lambda n: chr(0x245F + n) if 1 <= n <= 20 else str(n),
    "lowerLetter": lambda n: chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1),
    "upperLetter": lambda n: chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1),
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperRoman": _roman,
    "none": lambda n: "",
}
_NUMBER_FORMATS["decimalFullWidth2"] = _NUMBER_FORMATS["decimalFullWidth"]
_NUMBER_FORMATS["decimalEnclosedCircleChinese"] = _NUMBER_FORMATS["decimalEnclosedCircle"]


@dataclass(frozen=True)
class _Level:
    """One list level of a Word numbering definition: where it starts and how its label is drawn."""

    start: int
    fmt: str
    text: str
    legal: bool


class _Numbering:
    """Renders Word's automatic list labels ("一、", "（一）", "1.") that are not in the text runs."""

    def __init__(self, document: Any) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.ns import qn

        self._qn = qn
        self._levels: dict[str, dict[int, _Level]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        try:
            numbering = document.part.part_related_by(RT.NUMBERING).element
        except KeyError:
            numbering = None
        if numbering is not None:
            abstract = {
                a.get(qn("w:abstractNumId")): self._parse_levels(a)
                for a in numbering.iterfind(qn("w:abstractNum"))
            }
            for num in numbering.iterfind(qn("w:num")):
                levels = dict(abstract.get(self._val(num, "w:abstractNumId"), {}))
                for override in num.iterfind(qn("w:lvlOverride")):
                    ilvl = int(override.get(qn("w:ilvl"), "0"))
                    replacement = self._parse_levels(override)
                    if ilvl in replacement:
                        levels[ilvl] = replacement[ilvl]
                    start = self._val(override, "w:startOverride")
                    if start is not None and ilvl in levels:
                        levels[ilvl] = _Level(
                            int(start), levels[ilvl].fmt, levels[ilvl].text, levels[ilvl].legal
                        )
                self._levels[num.get(qn("w:numId"), "")] = levels
        self._styles: dict[str, Any] = {}
        self._default_style: Any = None
        for style in document.styles.element.iterfind(qn("w:style")):
            if style.get(qn("w:type")) == "paragraph":
                self._styles[style.get(qn("w:styleId"), "")] = style
                if style.get(qn("w:default")) in ("1", "true", "on"):
                    self._default_style = style

    def _val(self, element: Any, path: str) -> str | None:
        """The w:val of the element at `path` ("w:a/w:b") below `element`, or None."""
        for step in path.split("/"):
            element = element.find(self._qn(step))
            if element is None:
                return None
        return element.get(self._qn("w:val"))

    def _parse_levels(self, element: Any) -> dict[int, _Level]:
        levels = {}
        for lvl in element.iterfind(self._qn("w:lvl")):
            levels[int(lvl.get(self._qn("w:ilvl"), "0"))] = _Level(
                start=int(self._val(lvl, "w:start") or 1),
                fmt=self._val(lvl, "w:numFmt") or "decimal",
                text=self._val(lvl, "w:lvlText") or "",
                legal=lvl.find(self._qn("w:isLgl")) is not None,
            )
        return levels

    def _reference(self, p: Any) -> tuple[str, int] | None:
        """(numId, level) from the paragraph's own numPr, else from its style chain."""
        num_id = self._val(p, "w:pPr/w:numPr/w:numId")
        ilvl = self._val(p, "w:pPr/w:numPr/w:ilvl")
        style_id = self._val(p, "w:pPr/w:pStyle")
        style = self._styles.get(style_id) if style_id else self._default_style
        seen: set[int] = set()
        while style is not None and (num_id is None or ilvl is None) and id(style) not in seen:
            seen.add(id(style))
            num_id = num_id or self._val(style, "w:pPr/w:numPr/w:numId")
            ilvl = ilvl or self._val(style, "w:pPr/w:numPr/w:ilvl")
            based_on = self._val(style, "w:basedOn")
            style = self._styles.get(based_on) if based_on else None
        if num_id is None or num_id == "0":
            return None
        return num_id, int(ilvl or 0)

    def label(self, p: Any) -> str:
        """Advance the list counter for this paragraph and return its rendered label ("" if none)."""
        reference = self._reference(p)
        if reference is None:
            return ""
        num_id, ilvl = reference
        levels = self._levels.get(num_id, {})
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(num_id, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else levels[ilvl].start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        level = levels[ilvl]
        if level.fmt == "bullet":
            return ""

        def render(match: re.Match[str]) -> str:
            ref = int(match.group(1)) - 1
            ref_level = levels.get(ref, level)
            fmt = "decimal" if level.legal else ref_level.fmt
            value = counters.get(ref, ref_level.start)
            return _NUMBER_FORMATS.get(fmt, str)(value)

        return re.sub(r"%([1-9])", render, level.text)


class _DocxText:
    """Walks the body in document order: paragraphs (with list labels) and tables, one line each."""

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self._document = document
        self._numbering = _Numbering(document)
        self._tags = {qn("w:p"): "p", qn("w:tbl"): "tbl", qn("w:sdt"): "sdt"}
        self._qn = qn

    def lines(self) -> list[str]:
        """All lines; list counters advance as the walk goes, so the walk must be in order and once."""
        return list(self._blocks(self._document.element.body))

    def _blocks(self, container: Any) -> Iterator[str]:
        for child in container.iterchildren():
            kind = self._tags.get(child.tag)
            if kind == "p":
                yield self._paragraph(child)
            elif kind == "tbl":
                yield from self._table(child)
            elif kind == "sdt":  # content controls wrap ordinary paragraphs and tables
                content = child.find(self._qn("w:sdtContent"))
                if content is not None:
                    yield from self._blocks(content)

    def _paragraph(self, p: Any) -> str:
        # Runs inside hyperlinks, fields, smart tags and insertions count; deleted text does not.
        runs = p.xpath(
            ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom) and not(ancestor::w:txbxContent)]"
        )
        text = "".join(run.text for run in runs)
        label = self._numbering.label(p)
        if not label or not text:
            return text
        spaced = label[-1].isascii() and text[0].isascii() and text[0].isalnum()  # "1. Intro", "1.坚持"
        return label + (" " if spaced else "") + text

    def _table(self, tbl: Any) -> Iterator[str]:
        from docx.table import Table

        for row in Table(tbl, self._document._body).rows:
            seen: set[int] = set()
            cells = []
            for cell in row.cells:  # a merged cell comes back once per grid column it spans
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(" ".join(" ".join(self._blocks(cell._tc)).split()))
            if any(cells):
                yield "\t".join(cells)


def docx_lines(path: Path) -> list[str]:
    """The lines of a .docx; library errors on broken packages become UnreadableFile with a Chinese reason."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return _DocxText(docx.Document(str(path))).lines()
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:  # python-docx says "not found" for a broken zip
        raise UnreadableFile("Word 文件已损坏（zip 压缩包不完整）") from exc
    except Exception as exc:  # missing parts (KeyError), bad XML (lxml), wrong content type (ValueError)
        raise UnreadableFile("Word 文件已损坏或不是 Word 文档，无法读取") from exc
