"""党课备课 page through AppTest: pick a theme, build, drop and edit points, download the Word file."""

from __future__ import annotations

import io

import docx
from streamlit.testing.v1 import AppTest

from app.drafting.lecture import PART_NAMES, Outline, edit_outline
from app.export.word import lecture_docx
from tests.page_support import run
from tests.test_page_ledger import page_fixture

at = page_fixture("lecture")


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_page_builds_edits_and_offers_the_word_file(at: AppTest) -> None:
    run(at)
    assert at.title[0].value == "党课备课" and not at.download_button
    at.button(key="lecture.example.0").click()
    run(at)
    assert at.text_input(key="lecture.theme").value == "为基层减负"
    at.button(key="lecture.build").click()
    run(at)
    (editor,) = at.data_editor
    table = editor.value
    assert list(table.columns) == ["保留", "部分", "序号", "要点", "出处"]
    assert set(PART_NAMES[:4]) <= set(table["部分"]) <= set(PART_NAMES) and table["保留"].all()
    dropped, changed = table["要点"][0], table["要点"][1]
    assert dropped in markdown(at).replace("\\", "")

    edits = {0: {"保留": False}, 1: {"要点": "改写后的第一条要点。"}}
    added = [{"保留": True, "部分": PART_NAMES[-1], "序号": 1, "要点": "本局推行一表通。"}]
    at.session_state["lecture.editor"] = {"edited_rows": edits, "added_rows": added, "deleted_rows": []}
    run(at)
    shown = markdown(at).replace("\\", "")
    assert "改写后的第一条要点。（参见［1］）" in shown and dropped not in shown and changed not in shown
    assert "- 本局推行一表通。" in shown  # the user's own point: no citation
    (button,) = at.download_button
    assert button.key == "lecture.download" and not button.disabled and button.proto.url.endswith(".docx")

    # AppTest does not hand out the bytes: build them as the button does, from the page's outline and edits
    outline = at.session_state["lecture.outline"]
    assert isinstance(outline, Outline)
    rows = outline.rows()
    for i, change in edits.items():
        rows[i].update(change)
    document = docx.Document(io.BytesIO(lecture_docx(edit_outline(outline, rows))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "改写后的第一条要点。（参见［1］）" in text and dropped not in text  # rewritten: cited as 参见


def test_a_blank_theme_builds_nothing(at: AppTest) -> None:
    run(at)
    at.button(key="lecture.build").click()
    run(at)
    assert not at.data_editor and not at.download_button
