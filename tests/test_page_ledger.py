"""整改台账 page through AppTest: type problems, build, edit the duty fields, download both files."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

import app.state
from app.drafting.ledger import COLUMNS, NO_MATCH, Ledger, apply_edits
from app.export.excel import ledger_xlsx
from app.services import Services
from tests.page_support import page, page_services, run


def page_fixture(name: str) -> Callable[..., Iterator[AppTest]]:
    """A fixture `at`: the page over the whole bundled corpus (it drafts from every kind of document)."""

    @pytest.fixture(name="at")
    def fixture(corpus_services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
        monkeypatch.delenv("DANGJIAN_LLM_BASE_URL", raising=False)
        page_services(monkeypatch, corpus_services.settings.data_dir)
        yield page(name)
        app.state.services.clear()  # later tests build their own services from their own settings

    return fixture


at = page_fixture("ledger")


def test_the_page_builds_edits_and_offers_both_downloads(at: AppTest) -> None:
    run(at)
    assert at.title[0].value == "整改台账" and not at.download_button
    at.text_area(key="ledger.problems").input("1. 报表重复报送、同一数据多次填报\n2. 食堂伙食不好")
    at.text_input(key="ledger.unit").input("办公室")
    at.button(key="ledger.build").click()
    run(at)
    (editor,) = at.data_editor
    table = editor.value
    assert list(table["问题表现"]) == ["报表重复报送、同一数据多次填报", "食堂伙食不好"]
    assert "第9条" in table["对应清单条目"][0] and "第14条" in table["对应清单条目"][0]
    assert table["对应清单条目"][1] == NO_MATCH and set(table["责任单位"]) == {"办公室"}

    first_measure = table["整改措施"][0].splitlines()[0]
    rewritten = re.sub(r"^1\. .*?(［\d+］)$", r"1. 本局统一报表口径，一数一源\1", first_measure)
    cells = "\n".join([rewritten, *table["整改措施"][0].splitlines()[1:]])
    edits = {0: {"完成情况": "推进中", "责任人": "张三", "整改措施": cells}}
    at.session_state["ledger.editor"] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    run(at)
    assert any("推进中 1" in c.value for c in at.caption)
    assert any(c.value.startswith("整改要求：") for c in at.info)  # the general requirement, once
    buttons = {b.key: b for b in at.download_button}
    assert set(buttons) == {"ledger.download.xlsx", "ledger.download.docx"}
    assert not any(b.disabled for b in buttons.values())
    assert buttons["ledger.download.xlsx"].proto.url.endswith(".xlsx")
    assert buttons["ledger.download.docx"].proto.url.endswith(".docx")

    # AppTest does not hand out the bytes: build them as the button does, from the page's draft and edits
    draft = at.session_state["ledger.draft"]
    assert isinstance(draft, Ledger)
    records = [dict(zip(COLUMNS, r, strict=True)) for r in draft.table()]
    records[0].update(edits[0])
    sheet = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(apply_edits(draft, records))))["整改台账"]
    assert (sheet["F4"].value, sheet["I4"].value, sheet["I5"].value) == ("张三", "推进中", "未启动")
    assert re.match(
        r"1\. 本局统一报表口径，一数一源（参见［\d+］）\n2\. ", sheet["D4"].value
    )  # no longer a quote


def test_items_picked_from_the_checklist_become_rows(at: AppTest) -> None:
    run(at)
    picker = at.multiselect(key="ledger.picked")
    assert len(picker.options) == 20
    picker.select(picker.options[8])
    at.button(key="ledger.build").click()
    run(at)
    assert at.data_editor[0].value["对应清单条目"][0] == "第9条（形式主义官僚主义方面）"


def test_building_with_nothing_asks_for_problems(at: AppTest) -> None:
    run(at)
    at.button(key="ledger.build").click()
    run(at)
    assert at.warning and not at.data_editor
