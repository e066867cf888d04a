"""Bounded work: a file over a size bound is refused by its size alone, before it is read."""

from __future__ import annotations

import time
import zipfile
import zlib
from pathlib import Path

import pytest

from app.services import build_services
from ingest.errors import UnreadableFile
from ingest.limits import Limits, check_limits
from tests.conftest import FIXTURES, make_settings

TEXT = "各单位要落实“三会一课”制度，党支部每月至少召开一次支部委员会会议。\n"


def _bomb(path: Path, megabytes: int) -> Path:
    """A .docx-named zip whose one member is `megabytes` of zeros (it packs to a few KB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (megabytes * 1024 * 1024))
    return path


def test_an_office_file_that_unpacks_too_far_is_refused_by_its_table_of_contents(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "炸弹.docx", 8)
    with pytest.raises(UnreadableFile, match=r"解压后过大（8 MB，上限 4 MB"):
        check_limits(bomb, Limits(unpacked_mb=4))
    with pytest.raises(UnreadableFile, match="压缩比异常.*疑似压缩炸弹"):
        check_limits(bomb, Limits())  # 8 MB of zeros pack a thousandfold
    check_limits(FIXTURES / "formats" / "000_7485c2985d73583a.docx", Limits())  # a real document passes


def test_an_office_file_with_too_much_text_inside_is_refused_though_images_may_be_large(
    tmp_path: Path,
) -> None:
    wordy = tmp_path / "长文.docx"
    with zipfile.ZipFile(wordy, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", b"<w:t>" + "党".encode() * 1_000_000 + b"</w:t>")  # 3 MB
        archive.writestr("word/media/image1.png", b"\x89PNG" + bytes(5 * 1024 * 1024))
    with pytest.raises(
        UnreadableFile, match=r"文字内容过大（解压后 3 MB，上限 2 MB，可用 DANGJIAN_MAX_XML_MB 调整）"
    ):
        check_limits(wordy, Limits(xml_mb=2))
    check_limits(wordy, Limits(xml_mb=4))  # the 5 MB picture does not count


def test_a_text_file_over_the_bound_is_refused_and_the_rest_ingested_quickly(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "大文件.txt").write_text(TEXT * 20_000, encoding="utf-8")  # 1.5 MB
    (docs / "正常.txt").write_text(TEXT, encoding="utf-8")
    _bomb(docs / "炸弹.docx", 30)
    services = build_services(make_settings(tmp_path / "data", max_text_mb=1.0))
    started = time.monotonic()
    report = services.ingest([docs])
    assert time.monotonic() - started < 60
    assert [doc for doc, _ in report.ingested] == ["docs/正常.txt"]
    reasons = dict(report.rejected)
    assert "文本文件上限 1 MB，可用 DANGJIAN_MAX_TEXT_MB 调整" in reasons[str(docs / "大文件.txt")]
    assert "疑似压缩炸弹" in reasons[str(docs / "炸弹.docx")]


def test_a_pdf_bomb_is_refused_by_counting_its_streams_not_inflating_them(tmp_path: Path) -> None:
    """A page whose Flate content stream inflates to 300 MB (300 KB on disk): refused by the ratio and,
    with the ratio lifted, by the unpacked size, before pdfminer would inflate it whole."""
    from evals.bench_hostile import pdf_bomb

    bomb = tmp_path / "炸弹.pdf"
    pdf_bomb(bomb, 300)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(
        UnreadableFile, match=r"^PDF 压缩比异常（解压后是原文件的 \d+ 倍以上，上限 100 倍），疑似压缩炸弹"
    ):
        check_limits(bomb, Limits())
    with pytest.raises(UnreadableFile, match=r"^PDF 解压后过大（200 MB以上，上限 200 MB"):
        check_limits(bomb, Limits(zip_ratio=10**6))
    check_limits(FIXTURES / "unit" / "红头通知_廉洁夜校.pdf", Limits())  # a real PDF passes
    check_limits(FIXTURES / "formats" / "000_7485c2985d73583a.pdf", Limits())


def test_a_pdf_with_too_many_pages_is_refused_by_its_page_tree(tmp_path: Path) -> None:
    from evals.bench_hostile import pdf

    long = tmp_path / "长.pdf"
    pdf(long, [zlib.compress(b"BT ET")] * 5)
    with pytest.raises(
        UnreadableFile, match=r"^PDF 页数过多（5 页，上限 3 页，可用 DANGJIAN_MAX_PDF_PAGES 调整）"
    ):
        check_limits(long, Limits(pdf_pages=3))
    check_limits(long, Limits(pdf_pages=5))


def test_ingesting_a_pdf_bomb_says_one_line_and_ingests_the_rest(tmp_path: Path) -> None:
    from evals.bench_hostile import pdf_bomb

    docs = tmp_path / "docs"
    docs.mkdir()
    pdf_bomb(docs / "炸弹.pdf", 300)
    (docs / "正常.txt").write_text(TEXT, encoding="utf-8")
    report = build_services(make_settings(tmp_path / "data")).ingest([docs])
    assert [doc for doc, _ in report.ingested] == ["docs/正常.txt"]
    [(path, reason)] = report.rejected
    assert path.endswith("炸弹.pdf") and "疑似压缩炸弹" in reason
