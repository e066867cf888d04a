"""Bounds on the work one file may cause, checked before it is read.

A 0.76 MB .docx whose XML inflates to 250 MB took 634 s and 3.5 GB to parse; a 300 MB .txt held an
ingest for good; even within the first bounds, a 19 MB text took 66 s and 1.5 GB and a .docx with
190 MB of XML over 4 GB (evals/bench_hostile.py --boundary). A file over a bound is refused with one
line naming the bound and the setting that moves it; the defaults fit a two-core office PC with 8 GB.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import UnreadableFile

TEXT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
ZIP_MAGIC = b"PK"
PDF_MAGIC = b"%PDF-"
MB = 1024 * 1024
_PIECE = MB  # a PDF stream is inflated this much at a time, never whole, to count it


@dataclass(frozen=True)
class Limits:
    """The bounds (DANGJIAN_MAX_TEXT_MB, _MAX_UNPACKED_MB, _MAX_ZIP_RATIO, _MAX_XML_MB)."""

    text_mb: float = 6.0  # a plain-text or web file, as stored
    unpacked_mb: float = 200.0  # everything inside an Office (zip) file, unpacked (images included)
    zip_ratio: float = 100.0  # unpacked over packed size: the sample .docx files are 4 to 22
    xml_mb: float = 4.0  # the text-bearing XML inside an Office file, unpacked: what the parser holds
    pdf_pages: int = 2000  # pages of a PDF (a 3,000-page PDF is a book, not a Party document)


DEFAULT_LIMITS = Limits()


def check_limits(path: Path, limits: Limits) -> None:
    """Raise UnreadableFile when reading the file would exceed a bound; reads only its size and, for a
    zip-based Office file, its table of contents; for a PDF, its page tree and its compressed streams,
    each inflated piecewise and counted (see `_check_pdf`)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(len(PDF_MAGIC))
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件：{exc.strerror or exc}") from exc
    if path.suffix.lower() in TEXT_SUFFIXES and size > limits.text_mb * MB:
        raise UnreadableFile(
            f"文件过大（{size / MB:.0f} MB，文本文件上限 {limits.text_mb:g} MB，可用 DANGJIAN_MAX_TEXT_MB 调整）"
        )
    if head.startswith(PDF_MAGIC):
        _check_pdf(path, size, limits)
        return
    if not head.startswith(ZIP_MAGIC):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            unpacked = sum(info.file_size for info in entries)
            xml = sum(info.file_size for info in entries if info.filename.lower().endswith(".xml"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the loader says what is broken
    _unpacked_too_much(unpacked, size, limits)
    if xml > limits.xml_mb * MB:
        raise UnreadableFile(
            f"文字内容过大（解压后 {xml / MB:.0f} MB，上限 {limits.xml_mb:g} MB，可用 DANGJIAN_MAX_XML_MB 调整）"
        )


def _unpacked_too_much(unpacked: int, size: int, limits: Limits, what: str = "", more: str = "") -> None:
    """The two bounds an archive and a PDF share: the unpacked size, and its ratio to the file's (`more`:
    "以上" where counting stopped at the bound)."""
    if unpacked > limits.unpacked_mb * MB:
        raise UnreadableFile(
            f"{what}解压后过大（{unpacked / MB:.0f} MB{more}，上限 {limits.unpacked_mb:g} MB，"
            "可用 DANGJIAN_MAX_UNPACKED_MB 调整）"
        )
    if size and unpacked / size > limits.zip_ratio:
        raise UnreadableFile(
            f"{what}压缩比异常（解压后是原文件的 {unpacked / size:.0f} 倍{more}，上限 {limits.zip_ratio:g} 倍），"
            "疑似压缩炸弹，已拒绝"
        )


def _check_pdf(path: Path, size: int, limits: Limits) -> None:
    """A PDF bomb (a small Flate stream that inflates to gigabytes) and an overlong PDF, refused before
    pdfminer inflates every stream whole in memory. Each compressed stream stored directly in the file
    is inflated a piece at a time and only counted, stopping at the bound; then the page count is read
    from the page tree. A PDF this cannot read is left to the loader, which says what is wrong with it."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1

    budget = int(min(limits.unpacked_mb * MB, limits.zip_ratio * size)) + 1
    try:
        with path.open("rb") as f:
            document = PDFDocument(PDFParser(f))
            inflated = 0
            for xref in document.xrefs:
                for objid in xref.get_objids():
                    if xref.get_pos(objid)[0] is not None:
                        continue  # inside an object stream, which is itself counted as a stream
                    stream = document.getobj(objid)
                    if isinstance(stream, PDFStream) and any(
                        name in LITERALS_FLATE_DECODE for name, _ in stream.get_filters()
                    ):
                        inflated += _inflated_size(stream.rawdata or b"", budget - inflated)
                    if inflated >= budget:
                        _unpacked_too_much(min(inflated, budget), size, limits, "PDF ", "以上")
            pages = int(resolve1(resolve1(document.catalog["Pages"]).get("Count", 0)))
    except UnreadableFile:
        raise
    except Exception:  # pdfminer's assorted errors: the loader reports the file as broken or encrypted
        return
    if pages > limits.pdf_pages:
        raise UnreadableFile(
            f"PDF 页数过多（{pages} 页，上限 {limits.pdf_pages} 页，可用 DANGJIAN_MAX_PDF_PAGES 调整）"
        )


def _inflated_size(data: bytes, budget: int) -> int:
    """How many bytes `data` inflates to, counted a piece at a time up to a little past `budget`."""
    inflater = zlib.decompressobj()
    total = 0
    try:
        total += len(inflater.decompress(data, _PIECE))
        while inflater.unconsumed_tail and total < budget:
            total += len(inflater.decompress(inflater.unconsumed_tail, _PIECE))
    except zlib.error:
        pass  # a damaged stream: what inflated so far counts
    return total
