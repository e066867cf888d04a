"""Streamlit entry script: `dangjian serve` runs it; pages only render and call services."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).with_name("views")

st.set_page_config(page_title="党建政策助手", page_icon="📕", layout="wide")
st.navigation(
    [
        st.Page(VIEWS / "ask.py", title="问答", icon="🔎", default=True, url_path="ask"),
        st.Page(VIEWS / "library.py", title="文件库", icon="📚", url_path="library"),
        st.Page(VIEWS / "checklist.py", title="问题清单", icon="📋", url_path="checklist"),
        st.Page(VIEWS / "lecture.py", title="党课备课", icon="🎓", url_path="lecture"),
        st.Page(VIEWS / "ledger.py", title="整改台账", icon="🗂️", url_path="ledger"),
    ]
).run()
