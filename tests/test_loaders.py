"""Loaders: real files of every format give the seed text; broken files give one-line Chinese errors."""

from __future__ import annotations

import codecs
import io
import random
import re
import shutil
from pathlib import Path

import pytest

from ingest import docx_text, loaders
from ingest.encoding import BAD_ENCODING
from ingest.errors import UnreadableFile, UnsupportedFile
from ingest.loaders import SUPPORTED_SUFFIXES, load_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORMATS = FIXTURES / "formats"
SEEDS = FIXTURES / "seeds"
CJK = re.compile(r"[\u4e00-\u9fff]")
DOC_000 = "000_7485c2985d73583a"
DOC_001 = "001_a4f6c2c5b5ed566a"
DOC_002 = "002_be1271247ced2dc7"
# A real paragraph (≥ 200 characters) for the encoding round trips.
PARAGRAPH = (
    "为深入贯彻落实党的二十大精神、习近平总书记“7·9”重要讲话精神以及习近平总书记视察广东重要讲话、"
    "重要指示精神，推动机关党建工作与中心工作同步谋划、同步推进、同步落实，激励全市机关党组织对标先进、"
    "比学赶超、赛龙夺锦，切实提升机关党建引领经济社会发展的能力和成效，我委决定在市直机关开展党建引领"
    "高质量发展“执行有效”模范机关创建活动。\n一、总体目标\n通过开展“执行有效”模范机关创建活动，"
    "进一步压实机关党组织抓党建的主体责任。\n"
)


def seed(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8")


def cjk_count(text: str) -> int:
    return len(CJK.findall(text))


def assert_user_message(exc: pytest.ExceptionInfo[Exception]) -> str:
    """The message is what users see: one non-empty line, in Chinese."""
    message = str(exc.value)
    assert message.strip() and "\n" not in message
    assert CJK.search(message), message
    return message


def test_registry_covers_the_supported_formats() -> None:
    assert {".txt", ".md", ".docx", ".pdf", ".doc", ".html", ".htm"} == SUPPORTED_SUFFIXES
    assert set(loaders.LOADERS) == SUPPORTED_SUFFIXES


# ---------------------------------------------------------------- real files


def test_checklist_docx_gives_title_header_and_twenty_item_rows() -> None:
    lines = load_text(FORMATS / "checklist_table_2025.docx").splitlines()
    assert lines[0] == "2025年市直机关作风建设重点问题清单"
    assert lines[1] == "类别\t序号\t问题表现"
    rows = [line.split("\t") for line in lines[2:]]
    assert [int(row[1]) for row in rows] == list(range(1, 21))
    assert all(len(row) == 3 and row[0].endswith("方面") and row[2] for row in rows)
    assert "\t".join(rows[8]).startswith("形式主义官僚主义方面\t9\t文山会海，多头开会、")


SPOT_CHECKS = {
    DOC_000: [
        "现将《市直机关强作风提效率塑形象深化模范机关创建三年行动计划（2025-2027年）》印发给你们，请认真贯彻执行。",
        "各单位党组（党委）书记要率先垂范，围绕作风建设带头讲专题党课，引导机关党员干部深化对作风建设"
        "重要性紧迫性的认识，增强抓好作风建设的责任感使命感。",
        "宣传本单位“转作风、办实事、树形象”的思路举措和工作成效，回应民生关切，接受社会监督。",
    ],
    DOC_001: [
        "严格执行市委坚决落实“两个维护”十项制度，严格落实《中共广东省委关于坚决维护以习近平同志为核心的"
        "党中央权威和集中统一领导的规定》。",
        "聚焦机关作风建设，着眼推进作风建设常态化长效化，细化举措，持续推动机关强作风、提效率、塑形象，"
        "充分调动机关党员干部谋改革、促发展的积极性、主动性、创造性。",
        "严格机关党组织按期换届和负责人任免审批，加强机关党委专职副书记的选配和管理，选优配强党务干部队伍。",
    ],
    DOC_002: [
        "我委决定在市直机关开展党建引领高质量发展“执行有效”模范机关创建活动。",
        "通过开展“执行有效”模范机关创建活动，进一步压实机关党组织抓党建的主体责任，",
    ],
}


@pytest.mark.parametrize("name", [DOC_000, DOC_001, DOC_002])
def test_docx_matches_its_seed(name: str) -> None:
    text = load_text(FORMATS / f"{name}.docx")
    assert abs(cjk_count(text) - cjk_count(seed(name))) <= 0.03 * cjk_count(seed(name))
    positions = [text.index(sentence) for sentence in SPOT_CHECKS[name]]
    assert positions == sorted(positions)  # document order


@pytest.mark.parametrize("name", [DOC_000, DOC_001])
def test_pdf_matches_its_seed_with_wrapped_lines_rejoined(name: str) -> None:
    text = load_text(FORMATS / f"{name}.pdf")
    assert abs(cjk_count(text) - cjk_count(seed(name))) <= 0.05 * cjk_count(seed(name))
    # Each spot-check sentence wraps over two or more lines in the PDF (the last one over a page break).
    positions = [text.index(sentence) for sentence in SPOT_CHECKS[name]]
    assert positions == sorted(positions)


def test_pdf_keeps_headings_and_titles_on_their_own_lines() -> None:
    lines = load_text(FORMATS / f"{DOC_000}.pdf").splitlines()
    for heading in ("一、总体目标", "（一）精心开展作风建设专题学习", "2025年市直机关作风建设重点问题清单"):
        assert heading in lines
    assert "2025年5月31日" in lines  # a short line is not glued to the next one


def test_gb18030_text_file_decodes() -> None:
    text = load_text(FORMATS / "002_gb18030.txt")
    assert SPOT_CHECKS[DOC_002][0] in text
    assert text == seed(DOC_002)


@pytest.mark.skipif(
    shutil.which("antiword") is None, reason="antiword is not installed (apt-get install antiword)"
)
def test_legacy_doc_is_read_through_antiword() -> None:
    text = load_text(FORMATS / f"{DOC_002}.doc")
    assert abs(cjk_count(text) - cjk_count(seed(DOC_002))) <= 0.03 * cjk_count(seed(DOC_002))
    assert SPOT_CHECKS[DOC_002][0] in text


@pytest.mark.skipif(
    shutil.which("antiword") is None, reason="antiword is not installed (apt-get install antiword)"
)
def test_doc_that_is_not_a_word_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.doc"
    path.write_bytes(random.Random(0).randbytes(4096))
    with pytest.raises(UnreadableFile) as exc:
        load_text(path)
    assert "Word" in assert_user_message(exc)


def test_doc_without_antiword_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loaders.shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    shutil.copy(FORMATS / f"{DOC_002}.doc", path)
    with pytest.raises(UnreadableFile) as exc:
        load_text(path)
    assert assert_user_message(exc) == loaders.NEED_ANTIWORD


def test_docx_saved_as_doc_is_read_as_docx(tmp_path: Path) -> None:
    path = tmp_path / "renamed.doc"
    shutil.copy(FORMATS / "checklist_table_2025.docx", path)
    assert load_text(path).startswith("2025年市直机关作风建设重点问题清单\n类别\t序号\t问题表现")


# ---------------------------------------------------------------- text encodings


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(PARAGRAPH.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + PARAGRAPH.encode("utf-8"), id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + PARAGRAPH.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + PARAGRAPH.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(PARAGRAPH.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(PARAGRAPH.encode("gbk"), id="gbk"),
        pytest.param(PARAGRAPH.replace("\n", "\r\n").encode("gb18030"), id="gb18030-crlf"),
    ],
)
def test_text_encodings_decode_to_the_same_text(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(encoded)
    assert load_text(path) == PARAGRAPH


@pytest.mark.parametrize("word", ["计划", "的通知", "单位", "现将", "创建"])
def test_short_gbk_text_is_not_mistaken_for_big5(tmp_path: Path, word: str) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes(word.encode("gbk"))
    assert load_text(path) == word


def test_big5_traditional_text_decodes(tmp_path: Path) -> None:
    traditional = "中國共產黨黨員應當堅持黨的基本路線，認真學習黨的理論，積極參加黨的組織生活。\n" * 4
    path = tmp_path / "big5.md"
    path.write_bytes(traditional.encode("big5"))
    assert load_text(path) == traditional


# ---------------------------------------------------------------- broken and refused files


def _expect_unreadable(path: Path, message: str | None = None) -> str:
    with pytest.raises(UnreadableFile) as exc:
        load_text(path)
    text = assert_user_message(exc)
    if message is not None:
        assert text == message
    return text


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@pytest.mark.parametrize("content", [b"", b" \r\n\t\n", "\u3000\n".encode()])
def test_empty_files(tmp_path: Path, suffix: str, content: bytes) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    _expect_unreadable(path, loaders.EMPTY)


def test_binary_garbage_as_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(random.Random(0).randbytes(4096))
    _expect_unreadable(path, BAD_ENCODING)


def test_gbk_bytes_that_decode_to_rare_characters_are_refused(tmp_path: Path) -> None:
    # Valid GBK, but every pair lands on a rare ideograph outside GB2312: noise, not a document.
    rng = random.Random(1)
    noise = bytes(b for _ in range(2000) for b in (rng.randint(0x81, 0xA0), rng.randint(0x80, 0xFE)))
    noise.decode("gb18030")  # the decode itself succeeds
    path = tmp_path / "noise.txt"
    path.write_bytes(noise)
    _expect_unreadable(path, BAD_ENCODING)


def test_text_mostly_in_private_use_characters_is_refused(tmp_path: Path) -> None:
    # What a custom-font export looks like: every third character is a private-use glyph code.
    garbled = "".join(ch if i % 3 else "\ue01a" for i, ch in enumerate(PARAGRAPH))
    path = tmp_path / "garbled.txt"
    path.write_text(garbled, encoding="utf-8")
    _expect_unreadable(path, BAD_ENCODING)


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("参阅「日本語の資料」。", id="japanese"),
        pytest.param(
            "据日本共同社报道，首相称「日本の政策はこれからも変わらない」。", id="japanese-sentence"
        ),
        pytest.param("韩国《조선일보》报道了此事。", id="korean"),
    ],
)
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["utf-8", "utf-8-bom"])
def test_utf8_chinese_quoting_japanese_or_korean_loads(tmp_path: Path, quote: str, bom: bytes) -> None:
    # Valid UTF-8 is trusted: kana and hangul are outside the Chinese-text checks used for guessed encodings.
    for text in (quote, PARAGRAPH + quote + "\n"):
        path = tmp_path / "quote.txt"
        path.write_bytes(bom + text.encode("utf-8"))
        assert load_text(path) == text


def test_a_stray_private_use_symbol_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bullet.txt"
    text = "\uf0b7" + PARAGRAPH
    path.write_text(text, encoding="utf-8")
    assert load_text(path) == text


@pytest.mark.parametrize(
    "noise", ["\x00", "\x07", "\x1b[0m", "\x85", "\ufffd", "\ue01a" * 3, "\U000f0001" * 3]
)
def test_valid_utf8_with_controls_replacement_marks_or_private_use_is_refused(
    tmp_path: Path, noise: str
) -> None:
    path = tmp_path / "odd.txt"
    path.write_text(PARAGRAPH[:50] + noise + PARAGRAPH[50:], encoding="utf-8")
    _expect_unreadable(path, BAD_ENCODING)


def test_plain_text_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("这不是 PDF，只是一段文字。", encoding="utf-8")
    _expect_unreadable(path, loaders.NOT_PDF)


def test_truncated_pdf(tmp_path: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes((FORMATS / f"{DOC_000}.pdf").read_bytes()[:100_000])
    _expect_unreadable(path)


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("一段纯文本，不是 Word 文件。", encoding="utf-8")
    _expect_unreadable(path, loaders.NOT_DOCX)


def test_legacy_word_file_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    shutil.copy(FORMATS / f"{DOC_002}.doc", path)
    assert "旧版" in _expect_unreadable(path)


def test_truncated_docx(tmp_path: Path) -> None:
    data = (FORMATS / f"{DOC_001}.docx").read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    assert "zip" in _expect_unreadable(path)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "不是 Word 文档")
    _expect_unreadable(path)


@pytest.mark.parametrize("name", ["notes.xyz", "archive.zip", "README", "table.xlsx"])
def test_unknown_suffixes_are_refused_not_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("纯文本内容", encoding="utf-8")
    with pytest.raises(UnsupportedFile) as exc:
        load_text(path)
    assert_user_message(exc)


def test_suffix_match_ignores_case(tmp_path: Path) -> None:
    path = tmp_path / "UPPER.TXT"
    path.write_bytes(PARAGRAPH.encode("gbk"))
    assert load_text(path) == PARAGRAPH


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    _expect_unreadable(tmp_path / "missing.txt", "文件不存在")


# ---------------------------------------------------------------- HTML

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>标题栏文字</title><style>p { color: red }</style></head>
<body><script>alert(1)</script><noscript>请启用脚本</noscript><template><p>模板</p></template>
<h1>关于开展主题党日活动的通知</h1>
<p>各党支部：<br>现将有关事项
通知如下。</p><!-- 注释 -->
<div>一、活动时间<span> 2025年7月1日</span></div>
<table><tr><th>类别</th><th>序号</th><th>问题表现</th></tr>
<tr><td>形式主义官僚主义方面</td><td>9</td><td>文山会海，<b>多头开会</b></td></tr>
<tr><td colspan="2">合计</td><td><p>一项</p><p>待整改</p></td></tr></table>
<ul><li>第一点</li><li>第二点</li></ul>
<pre>预排第一行
预排第二行</pre>
</body></html>
"""


def test_html_drops_scripts_and_keeps_blocks_and_table_cells(tmp_path: Path) -> None:
    path = tmp_path / "notice.html"
    path.write_text(HTML, encoding="utf-8")
    assert load_text(path).splitlines() == [
        "关于开展主题党日活动的通知",
        "各党支部：",
        "现将有关事项通知如下。",
        "一、活动时间 2025年7月1日",
        "类别\t序号\t问题表现",
        "形式主义官僚主义方面\t9\t文山会海，多头开会",
        "合计\t一项 待整改",
        "第一点",
        "第二点",
        "预排第一行",
        "预排第二行",
    ]


def test_html_honours_meta_charset(tmp_path: Path) -> None:
    # Big5 characters that, undeclared, also decode as GB18030 (to "厩策砮过策"), which is tried first.
    traditional = "學習貫徹習"
    markup = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head>'
        f"<body><p>{traditional}</p></body></html>"
    )
    path = tmp_path / "page.htm"
    path.write_bytes(markup.encode("big5"))
    assert load_text(path) == traditional


def test_html_in_gbk_without_meta(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(f"<p>{PARAGRAPH}</p>".encode("gbk"))
    # Source line breaks between Chinese characters are not rendered as spaces.
    assert load_text(path) == PARAGRAPH.replace("\n", "")


def test_html_with_only_scripts_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>空</title></head><body><script>var a = 1;</script></body></html>")
    _expect_unreadable(path, loaders.EMPTY)


# ---------------------------------------------------------------- .docx numbering and tables


def _add_numbering(document: object) -> None:
    """Chinese official-document list levels 一、 › （一） › 1. › ①, a bullet list, and a list starting at 11."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    levels = [
        ("chineseCounting", "%1、"),
        ("chineseCounting", "（%2）"),
        ("decimal", "%3."),
        ("decimalEnclosedCircle", "%4"),
    ]
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering = document.part.numbering_part.element  # type: ignore[attr-defined]
    first_num = numbering.find(qn("w:num"))
    for abstract in (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvl_xml}</w:abstractNum>',
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>',
    ):
        first_num.addprevious(parse_xml(abstract))
    for num in (
        f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>',
        f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>',
        f'<w:num {nsdecls("w")} w:numId="92"><w:abstractNumId w:val="90"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="11"/></w:lvlOverride></w:num>',
    ):
        numbering.append(parse_xml(num))


def _numbered(document: object, text: str, num_id: int, level: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph = document.add_paragraph(text)  # type: ignore[attr-defined]
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def test_docx_word_numbering_labels_are_rendered(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    _add_numbering(document)
    document.add_paragraph("行动计划")
    for text, num_id, level in [
        ("总体目标", 90, 0),
        ("主要内容", 90, 0),
        ("精心开展专题学习", 90, 1),
        ("坚持原原本本学。", 90, 2),
        ("学习内容", 90, 3),
        ("学习方式", 90, 3),
        ("创新平台载体学。", 90, 2),
        ("深入查摆突出问题", 90, 1),
        ("自上而下开展问题查摆。", 90, 2),
        ("工作要求", 90, 0),
        ("附则", 92, 0),
        ("一个要点", 91, 0),
    ]:
        _numbered(document, text, num_id, level)
    document.add_paragraph("第一条规定", style="List Number")  # numbering inherited from the style
    document.add_paragraph("第二条规定", style="List Number")
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    assert load_text(path).splitlines() == [
        "行动计划",
        "一、总体目标",
        "二、主要内容",
        "（一）精心开展专题学习",
        "1.坚持原原本本学。",
        "①学习内容",
        "②学习方式",
        "2.创新平台载体学。",
        "（二）深入查摆突出问题",
        "1.自上而下开展问题查摆。",  # a deeper level restarts when a shallower one advances
        "三、工作要求",
        "十一、附则",
        "一个要点",  # bullets get no label
        "1.第一条规定",
        "2.第二条规定",
    ]


def test_docx_tables_interleave_with_paragraphs_and_merged_cells_appear_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("表格前的段落")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "问题清单"
    table.cell(0, 2).text = "备注"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "形式主义官僚主义方面"
    for row, (number, problem) in enumerate([("9", "文山会海"), ("10", "督查检查\n过多过频")], start=1):
        table.cell(row, 1).text = number
        table.cell(row, 2).text = problem
    document.add_paragraph("表格后的段落")
    path = tmp_path / "table.docx"
    document.save(str(path))
    assert load_text(path).splitlines() == [
        "表格前的段落",
        "问题清单\t备注",
        "形式主义官僚主义方面\t9\t文山会海",
        "形式主义官僚主义方面\t10\t督查检查 过多过频",  # a vertically merged cell repeats on each row
        "表格后的段落",
    ]


def test_chinese_number_formats() -> None:
    counting = [docx_text._chinese_number(n, grouped=False) for n in (1, 10, 11, 20, 99, 100)]
    assert counting == ["一", "十", "十一", "二十", "九十九", "一〇〇"]
    grouped = [docx_text._chinese_number(n, grouped=True) for n in (10, 105, 110, 1010)]
    assert grouped == ["十", "一百零五", "一百一十", "一千零一十"]


# ---------------------------------------------------------------- generated PDFs


def _make_pdf(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """A minimal PDF whose text layer holds `(x, y, text)` lines in 10-point STSong (each glyph 10 pt wide)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /DW 1000 /FontDescriptor 5 0 R "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    ]
    kids = []
    for lines in pages:
        stream = "\n".join(
            f"BT /F1 10 Tf {x} {y} Td <{text.encode('utf-16-be').hex()}> Tj ET" for x, y, text in lines
        ).encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


BODY = "坚持以习近平新时代中国特色社会主义思想为指导全面贯彻党的二十大精神深入学习贯彻习近平总书记关于党的建设的重要思想"


def _body_line(start: int) -> str:
    return (BODY * 2)[start : start + 40]  # 40 glyphs: from x=60 to the right margin at x=460


def test_pdf_running_heads_page_numbers_and_cross_page_wraps(tmp_path: Path) -> None:
    footers = ["- 1 -", "第 2 页 共 3 页", "3 / 3"]
    pages = []
    for number, footer in enumerate(footers, start=1):
        pages.append(
            [
                (200, 800, f"东莞市直机关工委 {number}"),  # running head with the page number in it
                (60, 760, _body_line(number)),
                (60, 745, _body_line(number + 40)),
                (60, 730, "工作。"),
                (60, 700, "一、总体目标"),
                (60, 685, _body_line(20 + number) if number < 3 else "全文完。"),
                (280, 40, footer),
            ]
        )
    path = tmp_path / "heads.pdf"
    path.write_bytes(_make_pdf(pages))

    def paragraph(number: int) -> str:
        return _body_line(number) + _body_line(number + 40) + "工作。"

    assert load_text(path).splitlines() == [
        paragraph(1),
        "一、总体目标",
        _body_line(21) + paragraph(2),  # the last line of a page continues on the next page
        "一、总体目标",
        _body_line(22) + paragraph(3),
        "一、总体目标",
        "全文完。",
    ]


def test_pdf_joins_ascii_words_with_a_space_and_stops_at_sentence_ends(tmp_path: Path) -> None:
    full_sentence = BODY[:39] + "。"  # reaches the right margin, but the sentence ends there
    page = [
        (200, 800, "关于加强党建工作的通知"),
        (60, 760, BODY[:35] + "Party"),
        (60, 745, "building 工作。"),
        (60, 730, full_sentence),
        (60, 715, BODY[:40]),
        (80, 700, BODY[:38]),  # an indented first line starts a new paragraph
        (60, 685, BODY[:40]),
        (60, 670, "（一）加强学习"),  # a heading is never glued to the line above
        (360, 655, "2025年5月31日"),  # right-aligned: ends at the margin but is not body text
        (60, 640, BODY[:20] + "。"),
        (280, 40, "2"),
    ]
    path = tmp_path / "one-page.pdf"
    path.write_bytes(_make_pdf([page]))
    assert load_text(path).splitlines() == [
        "关于加强党建工作的通知",
        BODY[:35] + "Party building 工作。",
        full_sentence,
        BODY[:40],
        BODY[:38] + BODY[:40],
        "（一）加强学习",
        "2025年5月31日",
        BODY[:20] + "。",
    ]


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_make_pdf([[], []]))
    _expect_unreadable(path, loaders.NO_TEXT_LAYER)


def test_encrypted_pdf(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf builds the encrypted sample")
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(_make_pdf([[(60, 760, "机密文件内容")]])))
    writer.encrypt("secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert "加密" in _expect_unreadable(path)


def test_markdown_front_matter_and_comments_are_not_text(tmp_path: Path) -> None:
    """lawrefbook-style .md: a site generator's header and `<!-- INFO END -->` never reach a passage."""
    path = tmp_path / "law.md"
    path.write_text(
        "---\ntitle: 拍卖法\n---\n# 中华人民共和国拍卖法\n\n<!-- INFO END -->\n\n第一条 为了规范拍卖行为。\n"
    )
    text = load_text(path)
    assert "title:" not in text and "INFO END" not in text and "---" not in text
    assert "# 中华人民共和国拍卖法" in text and "第一条 为了规范拍卖行为。" in text


def test_markdown_with_only_front_matter_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "_index.md"
    path.write_text("---\nbookCollapseSection: true\n---\n")
    _expect_unreadable(path, "文件为空")
