"""The 问答 page through AppTest: a conversation from the address, typed questions and follow-ups, verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.feedback import GOOD, WRONG, verdicts
from app.services import Services
from tests.page_support import library, page, page_services, run

__all__ = ["library"]  # the fixture, imported so pytest finds it here

QUESTION = "基层反映同一组数据要重复报好几次，属于清单里哪一条？"


def _markdown(at: object) -> str:
    return "\n".join(m.value for m in at.markdown)  # type: ignore[attr-defined]


def ask(at: object, question: str) -> object:
    at.chat_input(key="ask.input").set_value(question)  # type: ignore[attr-defined]
    return run(at)  # type: ignore[arg-type]


def test_question_in_address_is_answered_with_the_item_and_citations(library: Services) -> None:
    at = run(page("ask", q=QUESTION))
    text = _markdown(at)
    assert "重点问题清单" in text and ("第9条" in text or "第14条" in text)
    assert "\\[1\\]" in text  # numbered citation markers in the answer (escaped for Markdown)
    assert len([e for e in at.expander if e.label.startswith("出处（")]) == 1
    assert "查看原文（定位到此段）](./library?doc=" in text
    assert "清单第9条" in text or "清单第14条" in text


def test_a_conversation_keeps_every_turn_and_reads_follow_ups(library: Services) -> None:
    at = run(page("ask"))
    assert not at.chat_message  # nothing asked yet
    ask(at, "机关里正式党员有几个人就能成立党支部？")
    ask(at, QUESTION)
    ask(at, "那第14条的整改措施呢？")
    assert len(at.chat_message) == 6  # three questions and three answers, all on the page
    last = "\n".join(m.value for m in at.chat_message[-1].markdown)
    assert "第14条" in last and "跨部门数据共享不畅" in last and "文件中可用的整改措施" in last
    assert at.chat_message[0].markdown[0].value == "机关里正式党员有几个人就能成立党支部？"  # still there
    assert at.chat_message[1].markdown or at.chat_message[1].info
    ask(at, "上面第一条出处原文")
    quoted = "\n".join(m.value for m in at.chat_message[-1].markdown)
    assert "第14条" in quoted or "跨部门" in quoted  # the previous answer's citation [1], whole
    at.button(key="ask.clear").click()
    run(at)
    assert not at.chat_message and "q" not in at.query_params


def test_a_long_question_makes_a_short_link_and_english_gets_a_hint(library: Services) -> None:
    at = run(page("ask"))
    ask(at, "报表重复报送" * 400)
    assert len(at.query_params["q"][0]) <= 200
    ask(at, "Which checklist item covers duplicate reporting?")
    assert any("请用中文提问" in i.value for i in at.info)


def test_example_button_asks_it(library: Services) -> None:
    at = run(page("ask"))
    at.button(key="ask.example.0").click()
    run(at)
    assert [m.markdown[0].value for m in at.chat_message[:1]] == [QUESTION]
    assert any(e.label.startswith("出处") for e in at.expander)


def test_verdicts_are_kept_in_the_data_dir(library: Services) -> None:
    at = run(page("ask", q=QUESTION))
    at.button(key="ask.good.0").click()
    run(at)
    assert any("已记录您的反馈" in c.value for c in at.caption)
    ask(at, "机关里正式党员有几个人就能成立党支部？")
    at.text_input(key="ask.correction.1").input("应该是3人以上")
    at.button(key="FormSubmitter:ask.wrong.form.1-提交").click()
    run(at)
    kept = verdicts(library.settings.data_dir)
    assert [(v.verdict, v.question) for v in kept] == [
        (GOOD, QUESTION),
        (WRONG, "机关里正式党员有几个人就能成立党支部？"),
    ]
    assert kept[1].correction == "应该是3人以上" and kept[1].citations[0].startswith("[1] 《")


def test_unanswerable_question_says_so_with_the_nearest_passages(library: Services) -> None:
    at = run(page("ask"))
    ask(at, "广州市直机关工委2025年党建要点里有什么新提法？")
    assert any("库里没有关于“广州”的文件" in i.value for i in at.info)
    assert any(e.label.startswith("最接近的段落") for e in at.expander)


def test_opening_the_page_loads_the_index_before_the_first_question(library: Services) -> None:
    at = run(page("ask"))
    assert not at.error
    assert library._engine is not None  # built by the page load, shared by every user's first question
    assert at.caption[0].value.startswith(f"已载入索引：{library.store.count()} 个段落")


def test_empty_index_is_reported_when_the_page_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page_services(monkeypatch, tmp_path / "empty")
    at = run(page("ask"))
    assert any("索引为空" in e.value for e in at.error)


def test_conversations_are_kept_reopened_after_a_restart_and_deleted(library: Services) -> None:
    """Each question is kept under its conversation (history.sqlite3 beside the data); the sidebar lists
    them in a new session after the server's caches are gone, reopens one by asking its questions again
    (follow-ups read as before, nothing recorded twice) and deletes one."""
    import app.state
    from app.history import LOCAL, History

    at = run(page("ask"))
    ask(at, QUESTION)
    ask(at, "那第14条的整改措施呢？")
    kept = History(library.settings.data_dir).conversations(LOCAL)[0]
    assert kept.questions == (QUESTION, "那第14条的整改措施呢？") and kept.title == QUESTION[:30]
    app.state.services.clear()  # as after a restart: nothing cached, only what is on disk
    later = run(page("ask"))
    assert not later.chat_message
    later.button(key=f"ask.reopen.{kept.id}").click()
    run(later)
    assert len(later.chat_message) == 4
    assert "文件中可用的整改措施" in "\n".join(m.value for m in later.chat_message[-1].markdown)
    assert len(later.get("download_button")) == 2  # each answer exportable as Word with its 出处
    assert History(library.settings.data_dir).conversations(LOCAL)[0].questions == kept.questions
    later.button(key=f"ask.forget.{kept.id}").click()
    run(later)
    assert kept.id not in {c.id for c in History(library.settings.data_dir).conversations(LOCAL)}
    assert not later.chat_message  # the open conversation was the one deleted


def test_a_list_answer_is_shown_one_point_per_line(library: Services) -> None:
    at = run(page("ask"))
    ask(at, "纪律处分有哪几种？")
    shown = at.chat_message[-1].markdown[0].value
    assert shown.startswith("- ") and shown.count("\n- ") >= 1 and "\\[1\\]" in shown
