import os
from pathlib import Path

import pytest

from ingest.clean import clean_text
from ingest.discovery import SourceFile
from ingest.loaders import load_text
from ingest.metadata import document_meta, infer_date, infer_issuer, infer_title
from ingest.pipeline import content_hash, document_passages, read_document

NOTICE = """中共东莞市直属机关工作委员会

东直〔2025〕3号

中共东莞市直属机关工作委员会关于印发 《2025年市直机关党的建设要点》 的通知

市直单位党组织：

现将《2025年市直机关党的建设要点》印发给你们。

中共东莞市直属机关工作委员会

2025年3月27日
"""


def test_official_notice_layout_is_read(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    meta = document_meta(path, NOTICE)
    assert meta.title == "2025年市直机关党的建设要点"
    assert meta.issuer == "中共东莞市直属机关工作委员会"
    assert meta.date == "2025-03-27"
    assert meta.doc_number == "东直〔2025〕3号"
    assert meta.kind == "要点"


def test_sidecar_wins_over_the_text(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    (tmp_path / "notice.meta.toml").write_text('title = "自定标题"\nkind = "通知"\n', encoding="utf-8")
    meta = document_meta(path, NOTICE)
    assert (meta.title, meta.kind, meta.date) == ("自定标题", "通知", "2025-03-27")


def test_fallbacks() -> None:
    assert infer_title("", "文件名") == "文件名"
    assert infer_date("没有日期") == ""
    assert infer_issuer("第一条 为了规范工作，制定本条例。") == ""


def test_a_name_too_long_for_a_sidecar_beside_it_is_still_read(tmp_path: Path) -> None:
    """`NAME.meta.toml` cannot exist when NAME.txt nearly fills the file system's 255 bytes."""
    stem = "关于加强基层党组织建设的实施意见" * 6
    while len(f"{stem}.txt".encode()) > os.pathconf(tmp_path, "PC_NAME_MAX"):
        stem = stem[:-1]
    path = tmp_path / f"{stem}.txt"
    path.write_text(NOTICE, encoding="utf-8")
    doc = read_document(SourceFile(path, path.name), content_hash(path, 0))
    assert doc.meta.title == "2025年市直机关党的建设要点" and document_passages(doc, 0)


UNIT = Path(__file__).resolve().parent / "fixtures" / "unit"


@pytest.mark.parametrize(
    ("name", "title", "issuer", "date", "number", "kind"),
    [
        (  # 红头 "××文件", 文号, a title wrapped over two lines, 主送, 署名 and a date in Chinese numerals
            "红头通知_两行标题.txt",
            "关于开展2026年“清风青溪”廉洁文化月活动的通知",
            "中共青溪县市场监督管理局机关委员会",
            "2026-03-18",
            "青市监机党〔2026〕7号",
            "通知",
        ),
        (  # the same layout printed to a PDF with a text layer (LibreOffice): lines rejoined, quotes in place
            "红头通知_廉洁夜校.pdf",
            "关于举办“红枫廉洁夜校”的通知",
            "中共临湖区卫生健康局委员会",
            "2026-03-25",
            "临卫党〔2026〕12号",
            "通知",
        ),
        (  # the organ's line right above the title is never the title
            "机关党委_工作要点.txt",
            "2026年机关党建工作要点",
            "中共临湖区卫生健康局机关委员会",
            "2026-01-20",
            "",
            "要点",
        ),
        (  # an attachment: its marker is not part of the title
            "编号清单_说明在前.txt",
            "青溪县农业农村局2026年形式主义官僚主义问题清单",
            "",
            "2026-05",
            "",
            "清单",
        ),
        (  # no 红头: the signature above the date is the issuer
            "廉政意见_无红头.txt",
            "关于进一步加强机关干部八小时以外监督的意见",
            "青溪县农业农村局",
            "2026-02-09",
            "",
            "意见",
        ),
    ],
)
def test_a_units_own_documents_metadata_is_read_off_their_layout(
    name: str, title: str, issuer: str, date: str, number: str, kind: str
) -> None:
    path = UNIT / name
    meta = document_meta(path, clean_text(load_text(path)))
    assert (meta.title, meta.issuer, meta.date, meta.doc_number, meta.kind) == (title, issuer, date, number, kind)
