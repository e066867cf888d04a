"""操作记录 page (administrators): the audit trail, newest first: logins, uploads, deletes, grants."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from app.accounts import Role, session
from app.state import accounts

session.require(Role.ADMIN)
st.title("操作记录")
store = accounts()
assert store is not None  # require() let an administrator through: accounts are on
entries = store.trail()
st.caption("登录、上传、删除、授权等操作，谁、做了什么、什么时候；只增不改，逐条链式校验。")
verdict = store.verify_trail()
(st.success if verdict.intact else st.error)(verdict.line)
st.dataframe(
    pd.DataFrame(
        [
            {
                "时间": datetime.fromtimestamp(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                "账号": e.user,
                "操作": e.action,
                "对象": e.target,
                "说明": e.detail,
            }
            for e in entries
        ],
        columns=["时间", "账号", "操作", "对象", "说明"],
    ),
    hide_index=True,
    width="stretch",
    key="audit.table",
)
