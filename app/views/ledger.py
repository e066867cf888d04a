"""整改台账 page: the unit's problems (typed, or picked from the checklist) → a cited ledger, edited, downloaded."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app.accounts import session
from app.drafting.ledger import (
    COLUMNS,
    DEFAULT_DEADLINE,
    STATUSES,
    Ledger,
    apply_edits,
    build_ledger,
    read_problems,
)
from app.drafting.text import item_text
from app.export.excel import ledger_xlsx
from app.export.word import ledger_docx
from app.render import safe
from app.state import services
from ingest.errors import DangjianError

PROBLEMS = "ledger.problems"
PICKED = "ledger.picked"
UNIT = "ledger.unit"
PERSON = "ledger.person"
DEADLINE = "ledger.deadline"
DRAFT = "ledger.draft"  # the Ledger last built for this user
EDITOR = "ledger.editor"
# Pixel widths: all nine columns inside the page at 1366 px (about 900 px beside the sidebar); cells
# wrap within ROW_HEIGHT and show the rest on hover.
GRID_WIDTHS = (40, 120, 110, 235, 75, 60, 90, 90, 65)
ROW_HEIGHT = 110
EDITABLE = ("整改措施", "责任单位", "责任人", "整改时限", "完成情况")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLACEHOLDER = "每行一个问题，用自己的话写，例如：\n报表重复报送、同一数据多次填报\n检查考核太多，要求过度留痕"

session.require()
st.title("整改台账")
st.caption(
    "每个问题对照问题清单，从文件中摘录整改措施并注明出处；找不到依据的，如实标明“无匹配”，请人工填写。"
)
try:
    library = services().library()
except DangjianError as exc:
    st.error(str(exc))
    st.stop()
items = {f"{i.label}{item_text(i)}": h for h in library.checklist_items() if (i := h.passage.item)}
st.text_area("本单位查摆出的问题", key=PROBLEMS, height=160, placeholder=PLACEHOLDER)
st.multiselect("或从问题清单中选择", options=list(items), key=PICKED, placeholder="选择清单条目（可多选）")
left, middle, right = st.columns(3)
left.text_input("责任单位", key=UNIT)
middle.text_input("责任人", key=PERSON)
right.date_input("整改时限", value=date.fromisoformat(DEFAULT_DEADLINE), key=DEADLINE)

if st.button("生成台账", key="ledger.build", type="primary"):
    problems = read_problems(st.session_state[PROBLEMS])
    picked = [items[label] for label in st.session_state[PICKED]]
    if not (problems or picked):
        st.warning("请先填写问题，或从问题清单中选择。")
    else:
        with st.spinner("正在对照清单、摘录整改措施…"):
            st.session_state[DRAFT] = build_ledger(
                problems,
                library,
                services().llm(),
                unit=st.session_state[UNIT].strip(),
                deadline=st.session_state[DEADLINE].isoformat(),
                person=st.session_state[PERSON].strip(),
                picked=picked,
            )
        st.session_state.pop(EDITOR, None)  # the edits belonged to the previous draft

draft = st.session_state.get(DRAFT)
if isinstance(draft, Ledger):
    st.caption(
        "可直接修改整改措施、责任单位、责任人、整改时限和完成情况。整改措施每行一条："
        "改写过的措施标为“参见［n］”，不再作为原文引用；新增的措施不标出处。"
    )
    if draft.notice:
        st.warning(draft.notice)
    if draft.requirement:
        st.info(safe(f"整改要求：{draft.requirement.cited()}"))
    edited = st.data_editor(
        pd.DataFrame(draft.table(), columns=list(COLUMNS)),
        key=EDITOR,
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        row_height=ROW_HEIGHT,
        disabled=[c for c in COLUMNS if c not in EDITABLE],
        column_config={
            name: (
                st.column_config.SelectboxColumn(name, options=list(STATUSES), required=True, width=width)
                if name == "完成情况"
                else st.column_config.TextColumn(name, width=width)
            )
            for name, width in zip(COLUMNS, GRID_WIDTHS, strict=True)
        },
    )
    final = apply_edits(draft, edited.to_dict("records"))
    st.caption(
        safe(f"共 {len(final.rows)} 个问题：" + "，".join(f"{s} {n}" for s, n in final.progress().items()))
    )
    with st.expander(safe(f"出处（{len(final.sources)} 条）"), key="ledger.sources"):
        st.dataframe(
            pd.DataFrame([s.fields() for s in final.sources]), hide_index=True, key="ledger.sources.table"
        )
    xlsx_col, docx_col = st.columns(2)
    xlsx_col.download_button(
        "下载 Excel 台账（.xlsx）",
        data=ledger_xlsx(final),
        file_name=f"{final.title}.xlsx",
        mime=XLSX,
        key="ledger.download.xlsx",
        type="primary",
    )
    docx_col.download_button(
        "下载 Word 台账（.docx）",
        data=ledger_docx(final),
        file_name=f"{final.title}.docx",
        mime=DOCX,
        key="ledger.download.docx",
    )
