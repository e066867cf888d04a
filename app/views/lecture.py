"""党课备课 page: a theme → a cited five-part outline the user trims, reorders and edits, then downloads as Word."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.accounts import session
from app.drafting.lecture import PART_NAMES, Outline, build_outline, edit_outline
from app.export.word import lecture_docx
from app.render import safe
from app.state import services
from ingest.errors import DangjianError

THEME = "lecture.theme"
OUTLINE = "lecture.outline"  # the Outline last built for this user
EDITOR = "lecture.editor"
EXAMPLES = ("为基层减负", "纠治形式主义官僚主义", "深入贯彻中央八项规定精神", "模范机关创建")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pick(theme: str) -> None:
    st.session_state[THEME] = theme


def _preview(outline: Outline) -> None:
    st.subheader(safe(outline.title))
    for part, points in outline.parts():
        st.markdown(f"**{safe(part)}**")
        if not points:
            st.caption(safe(outline.empty_part))
        for point in points:
            lead = f"{safe(point.lead)}：" if point.lead else ""
            st.markdown(f"- {lead}{safe(point.cited())}")
    with st.expander("出处", expanded=False, key="lecture.sources"):
        st.dataframe(
            pd.DataFrame([s.fields() for s in outline.sources]), hide_index=True, key="lecture.sources.table"
        )


session.require()
st.title("党课备课")
st.caption("输入党课主题，从文件库中摘录学习依据、上级部署、对照查摆、整改措施和身边案例，每条注明出处。")
st.text_input("党课主题", key=THEME, placeholder=EXAMPLES[0])
columns = st.columns(len(EXAMPLES))
for i, (column, example) in enumerate(zip(columns, EXAMPLES, strict=True)):
    column.button(example, key=f"lecture.example.{i}", on_click=_pick, args=(example,), width="stretch")
if st.button("生成提纲", key="lecture.build", type="primary") and st.session_state[THEME].strip():
    try:
        with st.spinner("正在检索并摘录…"):
            st.session_state[OUTLINE] = build_outline(
                st.session_state[THEME].strip(), services().library(), services().llm()
            )
    except DangjianError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state.pop(EDITOR, None)  # the edits belonged to the previous outline

outline = st.session_state.get(OUTLINE)
if isinstance(outline, Outline):
    if outline.notice:
        st.warning(outline.notice)
    st.caption(
        "取消“保留”可删去一条；改“部分”和“序号”可调整位置；“要点”可直接修改，改写过的要点标为“参见［n］”，"
        "不再作为原文引用；可在表格末尾添加本单位的要点（不标出处）。出处编号在导出时重新排列。"
    )
    edited = st.data_editor(
        pd.DataFrame(outline.rows(), columns=["保留", "部分", "序号", "要点", "出处"]),
        key=EDITOR,
        hide_index=True,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "保留": st.column_config.CheckboxColumn("保留", width="small", default=True),
            "部分": st.column_config.SelectboxColumn(
                "部分", options=list(PART_NAMES), required=True, default=PART_NAMES[-1]
            ),
            "序号": st.column_config.NumberColumn("序号", min_value=1, step=1, width="small"),
            "要点": st.column_config.TextColumn("要点", width="large", required=True),
            "出处": st.column_config.TextColumn("出处", disabled=True),
        },
    )
    final = edit_outline(outline, edited.to_dict("records"))
    _preview(final)
    st.download_button(
        "下载 Word 文件（.docx）",
        data=lecture_docx(final),
        file_name=f"{final.theme}党课提纲.docx",
        mime=DOCX,
        key="lecture.download",
        type="primary",
    )
