"""答案反馈 page: what users said about answers, the wrong ones first, for whoever keeps the library."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.accounts import Role, session
from app.feedback import GOOD, WRONG, verdicts
from app.state import services

session.require(Role.ADMIN)
st.title("答案反馈")
st.caption(
    "用户在问答页对回答点的“有用 / 有误”。有误的回答可以转成评测题，用来检验改进（见使用说明“评测”一节）。"
)
found = verdicts(services().settings.data_dir)
wrong = [v for v in reversed(found) if v.verdict == WRONG]
left, right = st.columns(2)
left.metric("有用", sum(v.verdict == GOOD for v in found))
right.metric("有误", len(wrong))
if not wrong:
    st.info("还没有被标为有误的回答。")
else:
    st.dataframe(
        pd.DataFrame(
            [{"时间": v.time, "问题": v.question, "回答": v.answer, "应该是": v.correction} for v in wrong]
        ),
        hide_index=True,
        width="stretch",
        key="feedback.table",
        column_config={
            "时间": st.column_config.TextColumn("时间", width="small"),
            "回答": st.column_config.TextColumn("回答", width="large"),
        },
    )
