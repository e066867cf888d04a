"""The app's root address: on to the 问答 page (/ask), keeping ?q= so a shared question is asked."""

from __future__ import annotations

import streamlit as st

st.switch_page("views/ask.py", query_params=st.query_params.to_dict())
