"""The 文件库 page through AppTest, on a real small index: list, filter, cited span, upload, delete, escaping."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import app.state
from app import library_view as lv
from app.render import safe
from app.services import Services
from ingest.models import Document, DocumentMeta, Passage
from tests.conftest import ROOT
from tests.page_support import PLAN_2020, PLAN_2025, library, page, run

__all__ = ["library"]  # the fixture, imported so pytest finds it here

GOOD = "支部学习制度.txt"
GOOD_TEXT = (
    "第一条 党支部每月开展一次主题党日活动。\n\n第二条 党小组每季度召开一次组织生活会，交流蝴蝶兰种植经验。\n"
)
HOSTILE_ID = "tests/hostile.txt"
HOSTILE_TITLE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
HOSTILE_TEXT = (
    "<script>alert(1)</script>\n\n"
    "第一条 支部学习 <img src=x onerror=alert(1)> 要求党员按时参加组织生活。[点我](javascript:alert(1))\n"
)


def _table(at: AppTest) -> Any:
    return at.dataframe[0].value


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _bodies(at: AppTest) -> list[tuple[str, bool]]:
    """Every text the page sends as Markdown (markdown, captions, headers, alerts, labels)."""
    found = []
    for node in _walk(at.main):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "body"):
            found.append((proto.body, bool(getattr(proto, "allow_html", False))))
        label = getattr(node, "label", None)
        if isinstance(label, str):
            found.append((label, False))
    return found


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    run(at)
    at.button(key=lv.IMPORT).click()
    return run(at)


def test_documents_listed_with_metadata_and_superseded_marked(library: Services) -> None:
    at = run(page("library"))
    table = _table(at)
    assert len(table) == 4
    row = table[table["文件"] == PLAN_2025].iloc[0]
    assert row["标题"].startswith("市直机关强作风提效率塑形象")
    assert row["发文机关"] == "中共东莞市委党的建设工作领导小组"
    assert row["日期"] == "2025-05-31"
    old = table[table["文件"] == PLAN_2020].iloc[0]
    assert old["状态"] == f"已被《{row['标题']}》取代"
    assert row["清单条目"] == 20 and old["清单条目"] == 0  # the plan attaches the 2025 checklist


def test_filters_narrow_the_list(library: Services) -> None:
    at = run(page("library"))
    at.multiselect(key=lv.KIND).set_value(["方案"])
    run(at)
    assert set(_table(at)["文件"]) == {PLAN_2025, PLAN_2020}
    at.multiselect(key=lv.YEAR).set_value(["2020"])
    run(at)
    assert list(_table(at)["文件"]) == [PLAN_2020]
    at.multiselect(key=lv.KIND).set_value([])
    at.multiselect(key=lv.YEAR).set_value([])
    at.multiselect(key=lv.ISSUER).set_value(["中共中央"])
    run(at)
    assert list(_table(at)["类别"]) == ["准则"]


def test_citation_link_opens_the_document_at_the_highlighted_span(library: Services) -> None:
    item9 = next(p for p, _ in library.store.get_passages([f"{PLAN_2025}#28"]).values())
    at = run(page("library", doc=PLAN_2025, start=str(item9.start), end=str(item9.end)))
    assert at.selectbox(key=lv.VIEW).value == PLAN_2025
    text = library.document(PLAN_2025).text  # type: ignore[union-attr]
    cited = [b for b, allow in _bodies(at) if allow and '<mark id="cited">' in b]
    assert len(cited) == 1
    assert f'<mark id="cited">{html.escape(text[item9.start : item9.end])}</mark>' in cited[0]
    # The visible block starts just above the span; the rest of the beginning is folded away.
    assert cited[0].index("<mark") < 400
    assert any(e.label.startswith("前文") for e in at.expander)
    # A stale span shows the whole text with a notice, not an error.
    at = run(page("library", doc=PLAN_2025, start="999999", end="1000000"))
    assert any("位置" in w.value for w in at.warning)


def test_link_to_a_missing_document_says_so(library: Services) -> None:
    at = run(page("library", doc="uploads/gone.txt", start="0", end="5"))
    assert any("不在文件库" in w.value for w in at.warning)
    assert at.selectbox(key=lv.VIEW).value is None


def test_visible_text_starts_a_few_lines_above_the_span() -> None:
    text = "标题\n\n\n一、甲方面\n1. 第一条\n2. 第二条\n\n\n3. 第三条"
    start = text.index("3.")
    assert text[lv.context_start(text, start) : start] == "1. 第一条\n2. 第二条\n\n\n"
    assert lv.context_start("x" * 500 + "SPAN", 500) == 500 - lv.CONTEXT_CHARS


def test_upload_a_good_file_lists_it_and_search_finds_it(library: Services) -> None:
    at = run(page("library"))
    at = _upload(at, GOOD, GOOD_TEXT.encode("utf-8"))
    assert any(s.value == safe(f"已导入 {GOOD}：2 个段落") for s in at.success), [s.value for s in at.success]
    assert f"uploads/{GOOD}" in set(_table(at)["文件"])
    hits = app.state.services().engine().search("蝴蝶兰种植", 3)
    assert hits and hits[0].passage.doc_id == f"uploads/{GOOD}"


def test_upload_progress_names_each_file_and_the_time_left(library: Services) -> None:
    seen: list[tuple[float, str]] = []
    files = [(f"进度{i}.txt", f"第{i}份测试文件：进度条测试用的正文内容。".encode()) for i in range(3)]
    try:
        lines = lv.run_upload(library, files, lambda x, t: seen.append((x, t)))
    finally:
        for name, _ in files:
            library.delete_document(f"uploads/{name}")
    assert [x for x, _ in seen] == sorted(x for x, _ in seen) and seen[-1] == (1.0, "导入完成")
    assert "（1/3），预计还需约" in seen[0][1] and "（3/3）" in seen[2][1] and "预计" not in seen[2][1]
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("done", "total", "elapsed", "text"),
    [
        (0, 5, 0.0, ""),
        (5, 5, 9.0, ""),
        (1, 5, 2.0, "，预计还需约 8 秒"),
        (10, 100, 60.0, "，预计还需约 9 分钟"),
    ],
)
def test_time_left_from_the_pace_so_far(done: int, total: int, elapsed: float, text: str) -> None:
    assert lv.time_left(done, total, elapsed) == text


def test_upload_a_broken_file_names_it_and_changes_nothing(library: Services) -> None:
    ids, count = {d.id for d in library.documents()}, library.store.count()
    at = _upload(run(page("library")), "x.docx", b"not a zip")
    errors = [e.value for e in at.error]
    assert any(e.startswith(safe("未导入 x.docx：")) for e in errors), errors
    after = app.state.services()
    assert {d.id for d in after.documents()} == ids
    assert after.store.count() == count


def test_delete_removes_from_list_and_search(library: Services) -> None:
    library.upload([(GOOD, GOOD_TEXT.encode("utf-8"))])
    doc_id = f"uploads/{GOOD}"
    at = run(page("library"))
    assert doc_id in set(_table(at)["文件"])
    at.selectbox(key=lv.DELETE_CHOICE).set_value(doc_id)
    run(at)
    assert at.button(key=lv.DELETE_BUTTON).disabled  # not before it is confirmed
    at.checkbox(key=lv.DELETE_CONFIRM).check()
    run(at)
    at.button(key=lv.DELETE_BUTTON).click()
    run(at)
    assert any("已删除" in s.value for s in at.success)
    assert doc_id not in set(_table(at)["文件"])
    hits = app.state.services().engine().search("蝴蝶兰种植", 10)
    assert all(h.passage.doc_id != doc_id for h in hits)


def _put_hostile(services: Services) -> Document:
    """A document straight into the store, past the cleaner (which strips <img>), as the worst case."""
    doc = Document(
        HOSTILE_ID, DocumentMeta(HOSTILE_TITLE, issuer=HOSTILE_TITLE), HOSTILE_TEXT, "/nowhere", "h"
    )
    start = HOSTILE_TEXT.index("第一条")
    passage = Passage(HOSTILE_ID, 0, HOSTILE_TEXT[start:], ("第一条",), start, len(HOSTILE_TEXT))
    vectors = services.embedder().embed_passages([passage.text])
    services.store.put_document(doc, [passage], vectors.tolist())
    return doc


def test_hostile_document_text_and_title_are_shown_escaped(library: Services) -> None:
    doc = _put_hostile(library)
    start = doc.text.index("第一条")
    for query in ({"doc": doc.id}, {"doc": doc.id, "start": str(start), "end": str(len(doc.text))}, {}):
        at = run(page("library", **query))
        bodies = _bodies(at)
        if query:  # the title and text are shown, as text
            assert any("&lt;script&gt;" in b and allow for b, allow in bodies)
            assert any("&lt;img" in b for b, _ in bodies)
        for body, allow_html in bodies:
            assert "<script" not in body.lower() and "<img" not in body.lower(), body
            assert not re.search(r"<[^>]*\bonerror", body), body
            if not allow_html:
                assert "](javascript" not in body, body


def test_highlighting_escapes_before_inserting_its_own_tags() -> None:
    text = "前文<b>\n\n<script>alert(1)</script><img src=x onerror=alert(1)>\n后文"
    start = text.index("<script>")
    out = lv.cited_html(text, 0, start, text.index("\n后文"))
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert "\n" not in out  # one line: Markdown never parses inside the block
    assert out.count("<mark") == 1 and "&lt;script&gt;" in out
    assert "\n" not in lv.text_html("a\r\n\r\nb")


def test_reached_from_the_entry_script(library: Services) -> None:
    at = AppTest.from_file(str(ROOT / "app" / "web.py"), default_timeout=120)
    run(at)
    at.switch_page("views/library.py")
    run(at)
    assert at.title[0].value == "文件库" and len(_table(at)) == 4
    at.switch_page("views/checklist.py")
    run(at)
    assert at.title[0].value == "问题清单"
