"""The 问答 page through AppTest: a question from the address → an answer with numbered citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import Services
from tests.page_support import library, page, page_services, run

__all__ = ["library"]  # the fixture, imported so pytest finds it here

QUESTION = "基层反映同一组数据要重复报好几次，属于清单里哪一条？"


def _markdown(at: object) -> str:
    return "\n".join(m.value for m in at.markdown)  # type: ignore[attr-defined]


def test_question_in_address_is_answered_with_the_item_and_citations(library: Services) -> None:
    at = run(page("ask", q=QUESTION))
    text = _markdown(at)
    assert "重点问题清单" in text and ("第9条" in text or "第14条" in text)
    assert "\\[1\\]" in text  # numbered citation markers in the answer (escaped for Markdown)
    assert [s.value for s in at.subheader] == ["出处"]
    assert "查看原文（定位到此段）](./library?doc=" in text
    assert "清单第 **9** 条" in text or "清单第 **14** 条" in text


def test_typed_question_and_unanswerable_question(library: Services) -> None:
    at = run(page("ask"))
    assert not at.subheader  # nothing asked yet
    at.text_input(key="ask.question").input("广州市直机关工委2025年党建要点里有什么新提法？")
    run(at)
    assert any("库里没有关于“广州”的文件" in i.value for i in at.info)
    assert [s.value for s in at.subheader] == ["最接近的段落"]


def test_example_button_asks_it(library: Services) -> None:
    at = run(page("ask"))
    at.button(key="ask.example.0").click()
    run(at)
    assert at.text_input(key="ask.question").value == QUESTION
    assert [s.value for s in at.subheader] == ["出处"]


def test_opening_the_page_loads_the_index_before_the_first_question(library: Services) -> None:
    at = run(page("ask"))
    assert not at.error
    assert library._engine is not None  # built by the page load, shared by every user's first question
    assert [c.value for c in at.caption] == [f"已载入索引：{library.store.count()} 个段落"]


def test_empty_index_is_reported_when_the_page_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page_services(monkeypatch, tmp_path / "empty")
    at = run(page("ask"))
    assert any("索引为空" in e.value for e in at.error)
