"""Bounds on the work one file may cause, checked before it is read.

A 0.76 MB .docx whose XML inflates to 250 MB took 634 s and 3.5 GB to parse; a 300 MB .txt held an
ingest for good; even within the first bounds, a 19 MB text took 66 s and 1.5 GB and a .docx with
190 MB of XML over 4 GB (evals/bench_hostile.py --boundary). A file over a bound is refused with one
line naming the bound and the setting that moves it; the defaults fit a two-core office PC with 8 GB.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import UnreadableFile

TEXT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
ZIP_MAGIC = b"PK"
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds (DANGJIAN_MAX_TEXT_MB, _MAX_UNPACKED_MB, _MAX_ZIP_RATIO, _MAX_XML_MB)."""

    text_mb: float = 6.0  # a plain-text or web file, as stored
    unpacked_mb: float = 200.0  # everything inside an Office (zip) file, unpacked (images included)
    zip_ratio: float = 100.0  # unpacked over packed size: the sample .docx files are 4 to 22
    xml_mb: float = 4.0  # the text-bearing XML inside an Office file, unpacked: what the parser holds


DEFAULT_LIMITS = Limits()


def check_limits(path: Path, limits: Limits) -> None:
    """Raise UnreadableFile when reading the file would exceed a bound; reads only its size and, for a
    zip-based Office file, its table of contents."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            zipped = f.read(2) == ZIP_MAGIC
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件：{exc.strerror or exc}") from exc
    if path.suffix.lower() in TEXT_SUFFIXES and size > limits.text_mb * MB:
        raise UnreadableFile(
            f"文件过大（{size / MB:.0f} MB，文本文件上限 {limits.text_mb:g} MB，可用 DANGJIAN_MAX_TEXT_MB 调整）"
        )
    if not zipped:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            unpacked = sum(info.file_size for info in entries)
            xml = sum(info.file_size for info in entries if info.filename.lower().endswith(".xml"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the loader says what is broken
    if unpacked > limits.unpacked_mb * MB:
        raise UnreadableFile(
            f"解压后过大（{unpacked / MB:.0f} MB，上限 {limits.unpacked_mb:g} MB，可用 DANGJIAN_MAX_UNPACKED_MB 调整）"
        )
    if size and unpacked / size > limits.zip_ratio:
        raise UnreadableFile(
            f"压缩比异常（解压后是原文件的 {unpacked / size:.0f} 倍，上限 {limits.zip_ratio:g} 倍），疑似压缩炸弹，已拒绝"
        )
    if xml > limits.xml_mb * MB:
        raise UnreadableFile(
            f"文字内容过大（解压后 {xml / MB:.0f} MB，上限 {limits.xml_mb:g} MB，可用 DANGJIAN_MAX_XML_MB 调整）"
        )
