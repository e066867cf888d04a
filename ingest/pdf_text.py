"""PDF text layer → paragraphs: running heads, footers and page numbers dropped, wrapped lines rejoined.

pdfplumber, not pypdf: on the bundled PDFs both extract the same Chinese characters (equal to the
seed text), but pypdf pads lines with layout spaces, while pdfplumber is the pinned dependency and
gives each line's position, which the rejoiner needs to tell a wrapped line (ends at the right
margin) from a short title or the last line of a paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from ingest.errors import UnreadableFile
from ingest.headings import ends_sentence, starts_heading

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~\s]*\d{1,4}[-—–－~\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_CORRUPT = "PDF 文件已损坏，无法读取"
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
    """Whether `following` continues `line`'s paragraph; margins are tolerant by the font size."""
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
    """Non-blank text lines per page; pdfminer's many failure modes become UnreadableFile."""
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
        raise UnreadableFile(_CORRUPT) from exc
    except Exception as exc:  # pdfminer raises assorted errors (KeyError, TypeError, struct.error …)
        raise UnreadableFile(_CORRUPT) from exc
    return pages


def pdf_text(path: Path) -> str:
    """The body text of a PDF, one paragraph per line; "" when it has no text layer (a scan)."""
    pages = _drop_running_lines(_pdf_pages(path))
    return _rejoin_lines([line for page in pages for line in page])
