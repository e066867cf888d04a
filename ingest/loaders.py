"""File → raw text, one loader per file type, chosen by suffix from a registry.

Unknown suffixes are refused (never guessed to be text), and everything a broken file can
make a library throw is turned into `UnreadableFile` with a one-line Chinese reason.

Text (.txt/.md/.html): a decode is accepted only if it looks like Chinese text, so garbage is
refused instead of indexed; GB18030 is preferred over Big5 because short GBK text also decodes
as plausible Big5, and this corpus is mainland.

.docx: Word list numbering is rendered ("一、" is often numbering, not text); counters are kept
per numId. A vertically merged table cell repeats its text on every row it spans, so each
checklist row keeps its category.

PDF: pdfplumber. On the bundled PDFs pdfplumber and pypdf extract the same Chinese
characters (identical CJK sequences, equal to the seed text), but pypdf pads lines with
layout spaces, and pdfplumber is the pinned dependency and gives each line's position,
which the line rejoiner needs to tell a wrapped line (ends at the right margin) from a
short title or the last line of a paragraph.
"""

from __future__ import annotations

import codecs
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from ingest.errors import UnreadableFile, UnsupportedFile
from ingest.headings import ends_sentence, starts_heading

EMPTY = "文件为空"
BAD_ENCODING = "无法识别文字编码，可能是乱码或二进制文件"
NO_TEXT_LAYER = "PDF 没有文字层（可能是扫描件），需要先做文字识别"
NOT_PDF = "不是有效的 PDF 文件"
NOT_DOCX = "不是有效的 Word 文件（.docx 应为 zip 压缩包）"
NEED_ANTIWORD = "读取 .doc 需要 antiword：sudo apt-get install antiword"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# ---------------------------------------------------------------- plain text and encodings

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# What a Chinese document may contain besides ideographs: ASCII, Latin-1 signs (·×°), general
# punctuation (“”…—), letterlike/number forms, arrows, maths, ①, box drawing, shapes (■★),
# CJK punctuation, enclosed CJK (㈠), compatibility and fullwidth forms.
_PLAUSIBLE = re.compile(
    "[\t\n\r\f\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2100-\u22ff\u2460-\u24ff\u2500-\u257f"
    "\u25a0-\u26ff\u3000-\u303f\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef]"
)
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MIN_PLAUSIBLE = 0.95
_MIN_COMMON = 0.8


def _is_common_ideograph(ch: str) -> bool:
    """In GB2312 (the 6,763 common simplified characters) or Big5 level 1 (common traditional).

    Random bytes decoded as GB18030 land mostly outside both, real text almost never does.
    """
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA4 <= ch.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def _looks_like_text(text: str) -> bool:
    """False for decodes that produced garbage: control characters, U+FFFD, odd scripts, rare ideographs.

    Shares are taken over the non-ASCII characters, so markup or English cannot dilute the noise.
    """
    implausible = ideographs = common = others = 0
    for ch, n in Counter(text).items():
        if ch == "\ufffd" or (ch not in "\t\n\r\f" and (ch < " " or "\x7f" <= ch < "\xa0")):
            return False
        if ch.isascii():
            continue
        others += n
        if _IDEOGRAPH.match(ch):
            ideographs += n
            common += n if _is_common_ideograph(ch) else 0
        elif not _PLAUSIBLE.match(ch):
            implausible += n
    return implausible <= (1 - _MIN_PLAUSIBLE) * others and common >= _MIN_COMMON * ideographs


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _looks_like_text(text) else None


def _candidate_encodings(data: bytes, declared: str | None) -> Iterator[str]:
    """Encodings to try, most certain first; detection runs only when the cheap guesses fail."""
    bom = next((encoding for mark, encoding in _BOMS if data.startswith(mark)), None)
    if bom is not None:
        yield bom
        return
    yield "utf-8"
    if declared:
        yield declared
    if b"\x00" in data:  # of the encodings we accept, only UTF-16 text contains NUL bytes
        yield from ("utf-16-le", "utf-16-be")
        return
    from charset_normalizer import from_bytes

    # charset_normalizer drops encodings that decode to chaos; of the survivors GB18030 (a superset of
    # GBK/GB2312) goes first, as this corpus is mainland and short GBK text is often mistaken for Big5.
    detected = [match.encoding for match in from_bytes(data, cp_isolation=["gb18030", "big5"])]
    yield from sorted(detected, key=lambda encoding: encoding != "gb18030")
    yield from (encoding for encoding in ("gb18030", "big5") if encoding not in detected)


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes → text with newlines normalised; refuses garbage rather than returning it.

    Order: BOM, strict UTF-8, a declared charset (HTML meta), UTF-16 without BOM, then
    charset_normalizer; every candidate decode must pass `_looks_like_text`.
    """
    for encoding in _candidate_encodings(data, declared):
        text = _try_decode(data, encoding)
        if text is not None:
            break
    else:
        raise UnreadableFile(BAD_ENCODING)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableFile(EMPTY)
    return text


def _load_plain(path: Path) -> str:
    return decode_text(path.read_bytes())


# ---------------------------------------------------------------- HTML

_DROP_TAGS = ("script", "style", "noscript", "template", "head")
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "ul", "ol", "dl"}
    | {"dt", "dd", "header", "footer", "nav", "aside", "main", "blockquote", "figure", "figcaption", "hr"}
    | {"address", "caption", "form", "fieldset"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
# Source-code line breaks between two Chinese characters are not spaces in the rendered text.
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\xa0]*\n\s*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\n\r\f\v\xa0]+")


def _declared_charset(data: bytes) -> str | None:
    """The <meta charset>, with GBK/GB2312 widened to GB18030 as browsers do."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return "gb18030" if name in ("gbk", "gb2312") else name


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", _CJK_BREAK.sub("", text))


def _html_walk(node: Any, out: list[str]) -> None:
    """Append the text under `node`, with "\\n" at block boundaries and tab-joined table rows."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                out.append(_collapse(str(child)))
        elif isinstance(child, Tag):
            if child.name == "br":
                out.append("\n")
            elif child.name == "tr":
                cells = child.find_all(["td", "th"], recursive=False)
                out.append("\n" + "\t".join(_html_cell(cell) for cell in cells) + "\n")
            elif child.name == "pre":
                out.append("\n" + child.get_text() + "\n")
            elif child.name in _BLOCK_TAGS:
                out.append("\n")
                _html_walk(child, out)
                out.append("\n")
            else:
                _html_walk(child, out)


def _html_cell(cell: Any) -> str:
    parts: list[str] = []
    _html_walk(cell, parts)
    return " ".join("".join(parts).split())


def _load_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    markup = decode_text(data, _declared_charset(data))
    try:
        soup = BeautifulSoup(markup, "html.parser")
        for tag in soup.find_all(_DROP_TAGS):
            tag.decompose()
        parts: list[str] = []
        _html_walk(soup, parts)
    except Exception as exc:  # html.parser rejects some malformed declarations
        raise UnreadableFile("HTML 文件无法解析") from exc
    lines = (re.sub(" {2,}", " ", line).strip(" ") for line in "".join(parts).split("\n"))
    text = "\n".join(line for line in lines if line.strip())
    if not text:
        raise UnreadableFile(EMPTY)
    return text


# ---------------------------------------------------------------- .docx


def _chinese_number(n: int, grouped: bool) -> str:
    """一…九十九 for both Word formats; from 100 on chineseCounting goes digit by digit (一〇〇)."""
    digits = "〇一二三四五六七八九"
    if n <= 0 or n >= 10000 or (n >= 100 and not grouped):
        return "".join(digits[int(d)] for d in str(n)) if n > 0 else str(n)
    out: list[str] = []
    zero = False
    for power, d in zip(range(len(str(n)) - 1, -1, -1), map(int, str(n)), strict=True):
        if d == 0:
            zero = bool(out)
            continue
        out.append(("零" if zero else "") + digits[d] + ("", "十", "百", "千")[power])
        zero = False
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


_ROMAN: tuple[tuple[int, str], ...] = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
    (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def _roman(n: int) -> str:
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


def _load_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile("这是旧版 .doc 或加密的 Word 文件，请在 Word 中另存为未加密的 .docx")
    if not head.startswith(b"PK"):
        raise UnreadableFile(NOT_DOCX)
    try:
        lines = _DocxText(docx.Document(str(path))).lines()
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:  # python-docx says "not found" for a broken zip
        raise UnreadableFile("Word 文件已损坏（zip 压缩包不完整）") from exc
    except Exception as exc:  # missing parts (KeyError), bad XML (lxml), wrong content type (ValueError)
        raise UnreadableFile("Word 文件已损坏或不是 Word 文档，无法读取") from exc
    text = "\n".join(lines)
    if not text.strip():
        raise UnreadableFile(EMPTY)
    return text


# ---------------------------------------------------------------- PDF

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~\s]*\d{1,4}[-—–－~\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_EDGE_LINES = 2  # running heads, footers and page numbers sit in the first or last two lines


@dataclass(frozen=True)
class _PdfLine:
    """One text line of a PDF page, with the geometry the rejoiner needs (points)."""

    text: str
    x0: float
    x1: float
    size: float


def _drop_running_lines(pages: list[list[_PdfLine]]) -> list[list[_PdfLine]]:
    """Remove page numbers and heads/footers repeated on at least half the pages (≥3 pages)."""

    def key(line: _PdfLine) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    def edges(page: list[_PdfLine]) -> list[int]:
        return sorted(
            {*range(min(_EDGE_LINES, len(page))), *range(max(0, len(page) - _EDGE_LINES), len(page))}
        )

    repeated: set[str] = set()
    if len(pages) >= 3:
        counts = Counter(k for page in pages for k in {key(page[i]) for i in edges(page)})
        repeated = {k for k, n in counts.items() if 2 * n >= len(pages)}
    kept = []
    for page in pages:
        drop = {
            i for i in edges(page) if key(page[i]) in repeated or _PAGE_NUMBER.match(page[i].text.strip())
        }
        kept.append([line for i, line in enumerate(page) if i not in drop])
    return kept


def _rejoin_lines(lines: list[_PdfLine]) -> str:
    """Undo the PDF's line wrapping: a line that runs to the right margin continues on the next line.

    A line is joined to the next unless it ends a sentence, the next starts a heading or is indented,
    or the line stops short of the right margin (titles, last lines of paragraphs). Blank lines were
    dropped when reading, so they never take part.
    """
    if not lines:
        return ""
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    right_edges = sorted(line.x1 for line in lines)
    right = right_edges[int(0.9 * (len(right_edges) - 1))]  # ignores the odd overlong line
    paragraphs = [lines[0].text.strip()]
    for previous, line in pairwise(lines):
        text = line.text.strip()
        if _continues(previous, line, left, right):
            last = paragraphs[-1]
            space = last[-1].isascii() and last[-1] not in "-/" and text[0].isascii() and text[0].isalnum()
            paragraphs[-1] = last + (" " if space else "") + text
        else:
            paragraphs.append(text)
    return "\n".join(paragraphs)


def _continues(line: _PdfLine, following: _PdfLine, left: float, right: float) -> bool:
    size = max(line.size, 1.0)
    reaches_margin = line.x1 >= right - 3 * size and line.x0 <= left + 3 * size
    at_margin = following.x0 <= left + size
    return (
        reaches_margin
        and at_margin
        and not ends_sentence(line.text)
        and not starts_heading(following.text.strip())
    )


def _pdf_pages(path: Path) -> list[list[_PdfLine]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    pages = []
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                pages.append(
                    [
                        _PdfLine(line["text"], line["x0"], line["x1"], line["bottom"] - line["top"])
                        for line in page.extract_text_lines(return_chars=False)
                        if line["text"].strip()
                    ]
                )
                page.close()
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise UnreadableFile("PDF 已加密，需要先解除密码保护") from exc
        raise UnreadableFile("PDF 文件已损坏，无法读取") from exc
    except Exception as exc:  # pdfminer raises assorted errors (KeyError, TypeError, struct.error …)
        raise UnreadableFile("PDF 文件已损坏，无法读取") from exc
    return pages


def _load_pdf(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise UnreadableFile(NOT_PDF)
    pages = _pdf_pages(path)
    if not any(pages):
        raise UnreadableFile(NO_TEXT_LAYER)
    text = _rejoin_lines([line for page in _drop_running_lines(pages) for line in page])
    if not text.strip():
        raise UnreadableFile(NO_TEXT_LAYER)
    return text


# ---------------------------------------------------------------- legacy .doc


def _load_doc(path: Path) -> str:
    with path.open("rb") as handle:
        if handle.read(2) == b"PK":  # a .docx saved under the old suffix
            return _load_docx(path)
    antiword = shutil.which("antiword")
    if antiword is None:
        raise UnreadableFile(NEED_ANTIWORD)
    try:
        result = subprocess.run(
            [antiword, "-m", "UTF-8.txt", "-w", "0", str(path)], capture_output=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise UnreadableFile("antiword 读取超时（超过 60 秒）") from exc
    except OSError as exc:
        raise UnreadableFile(f"无法运行 antiword：{exc.strerror}") from exc
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        if stderr and stderr[0].endswith("is not a Word Document."):
            raise UnreadableFile("不是有效的 Word 97-2003（.doc）文件")
        reason = stderr[0].strip() if stderr else f"退出码 {result.returncode}"
        raise UnreadableFile(f"antiword 无法读取此 .doc 文件：{reason}")
    return decode_text(result.stdout)


# ---------------------------------------------------------------- registry

LOADERS: dict[str, Callable[[Path], str]] = {
    ".txt": _load_plain,
    ".md": _load_plain,
    ".docx": _load_docx,
    ".pdf": _load_pdf,
    ".doc": _load_doc,
    ".html": _load_html,
    ".htm": _load_html,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(LOADERS)


def load_text(path: Path) -> str:
    """Raw text of a file, paragraphs separated by newlines, in document order.

    Raises UnsupportedFile for unknown suffixes and UnreadableFile for broken, empty, encrypted or
    mis-encoded files; both carry a one-line Chinese reason (the caller adds the file name).
    """
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = "、".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedFile(f"不支持的文件类型“{path.suffix or '无扩展名'}”（支持：{supported}）")
    try:
        return loader(path)
    except FileNotFoundError as exc:
        raise UnreadableFile("文件不存在") from exc
    except PermissionError as exc:
        raise UnreadableFile("没有读取此文件的权限") from exc
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件：{exc.strerror or exc}") from exc
