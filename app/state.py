"""Per-user UI state keys and the shared, read-only services of the web app.

Heavy objects are built once per process with st.cache_resource and shared by
every user; st.session_state only holds what one user typed or chose.
"""

from __future__ import annotations

import streamlit as st

from app.services import Services, build_services
from app.settings import load_settings

QUESTION = "ask.question"
TOP_K = "ask.top_k"


@st.cache_resource(show_spinner="正在加载索引…")
def services() -> Services:
    return build_services(load_settings())
