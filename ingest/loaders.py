"""File → raw text, one loader per file type, chosen by suffix from a registry.

Unknown suffixes are refused (never guessed to be text), and everything a broken file can make a
library throw is turned into `UnreadableFile` with a one-line Chinese reason. Each loader checks
the file's leading bytes before handing it to a library, so a misnamed file gets a precise reason,
and refuses a file that yields only whitespace. Text decoding lives in `ingest.encoding`, .docx in
`ingest.docx_text`, PDF in `ingest.pdf_text`; HTML and legacy .doc (through antiword) are here.
"""

from __future__ import annotations

import codecs
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.docx_text import docx_lines
from ingest.encoding import decode_text
from ingest.errors import UnreadableFile, UnsupportedFile
from ingest.pdf_text import pdf_text

EMPTY = "文件为空"
NO_TEXT_LAYER = "PDF 没有文字层（可能是扫描件），需要先做文字识别"
NOT_PDF = "不是有效的 PDF 文件"
NOT_DOCX = "不是有效的 Word 文件（.docx 应为 zip 压缩包）"
OLD_WORD = "这是旧版 .doc 或加密的 Word 文件，请在 Word 中另存为未加密的 .docx"
NEED_ANTIWORD = "读取 .doc 需要 antiword：sudo apt-get install antiword"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Word, and encrypted .docx


def _head(path: Path, size: int) -> bytes:
    """The first bytes of the file, to tell what it really is before a library guesses."""
    with path.open("rb") as handle:
        return handle.read(size)


def _nonempty(text: str, reason: str = EMPTY) -> str:
    """The text, or UnreadableFile when only whitespace is left: nothing to index is an error to report."""
    if not text.strip():
        raise UnreadableFile(reason)
    return text


# ---------------------------------------------------------------- plain text


def _load_plain(path: Path) -> str:
    return _nonempty(decode_text(path.read_bytes()))


# Site-generator front matter (`---` … `---` at the top) and HTML comments are markup, not text.
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n.*?\n---[ \t]*(?:\n|\Z)", re.S)
_MD_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _load_markdown(path: Path) -> str:
    text = _FRONT_MATTER.sub("", decode_text(path.read_bytes()), count=1)
    return _nonempty(_MD_COMMENT.sub("", text))


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
    return _nonempty("\n".join(line for line in lines if line.strip()))


# ---------------------------------------------------------------- .docx and PDF


def _load_docx(path: Path) -> str:
    head = _head(path, 8)
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile(OLD_WORD)
    if not head.startswith(b"PK"):
        raise UnreadableFile(NOT_DOCX)
    return _nonempty("\n".join(docx_lines(path)))


def _load_pdf(path: Path) -> str:
    if b"%PDF-" not in _head(path, 1024):
        raise UnreadableFile(NOT_PDF)
    return _nonempty(pdf_text(path), NO_TEXT_LAYER)


# ---------------------------------------------------------------- legacy .doc


def _load_doc(path: Path) -> str:
    if _head(path, 2) == b"PK":  # a .docx saved under the old suffix
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
    return _nonempty(decode_text(result.stdout))


# ---------------------------------------------------------------- registry

LOADERS: dict[str, Callable[[Path], str]] = {
    ".txt": _load_plain,
    ".md": _load_markdown,
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
