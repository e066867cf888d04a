"""Streamlit entry script: `dangjian serve` runs it; pages only render and call services."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).with_name("pages")

st.set_page_config(page_title="党建政策助手", page_icon="📕", layout="wide")
st.navigation([st.Page(PAGES / "ask.py", title="问答", icon="🔎", default=True)]).run()
