"""The web server `dangjian serve` runs: Streamlit's own ASGI app (st.App, under uvicorn) with the login
routes Streamlit has no place for: only a server response can set a cookie the page's scripts cannot
read (HttpOnly) and that no other site can send (SameSite=Strict)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.routing import Route

from app.accounts.cookie import end_session, start_session

app = st.App(
    str(Path(__file__).with_name("web.py")),
    routes=[Route("/auth/session", start_session), Route("/auth/logout", end_session)],
)
