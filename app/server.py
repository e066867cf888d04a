"""The web server `dangjian serve` runs: Streamlit's own ASGI app (st.App, under uvicorn) with what
Streamlit has no place for: the login routes (only a server response can set a cookie the page's
scripts cannot read, HttpOnly, and that no other site can send, SameSite=Strict) and the page's
language (Streamlit's index.html says lang="en", so browsers offer to translate and screen readers
read Chinese as English). It loads the shared library's index and models before it reports ready."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.cookie import end_session, start_session

log = logging.getLogger(__name__)
ENGLISH = b'<html lang="en"'
CHINESE = b'<html lang="zh-CN"'
_NOT_PAGES = ("/_stcore", "/static", "/media", "/component", "/app/static", "/auth")


class ChineseDocument:
    """Serves the page's HTML with lang="zh-CN": asked for uncompressed (it is a few kilobytes) and
    rewritten in passing; every other response goes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_NOT_PAGES):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
        held: list[Message] = []
        body = bytearray()

        async def rewrite(message: Message) -> None:
            if message["type"] == "http.response.start":
                held.append(message)
                return
            if message["type"] != "http.response.body" or not held:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            start = held.pop()
            html = any(k == b"content-type" and v.startswith(b"text/html") for k, v in start["headers"])
            data = bytes(body).replace(ENGLISH, CHINESE, 1) if html else bytes(body)
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(data)).encode())]})
            await send({"type": "http.response.body", "body": data})

        await self.app(scope, receive, rewrite)


WARM_QUESTION = "党支部委员会多久召开一次会议？"


def _load() -> None:
    """The shared library's index and models in memory, and one question answered through them. Nothing
    that goes wrong here stops the server: the page says it, in Chinese, when someone opens it."""
    from app.drafting.composer import compose_answer
    from app.libraries import SHARED
    from app.state import library_services

    try:
        compose_answer(WARM_QUESTION, library_services(SHARED).library())
    except Exception as exc:  # no index yet, a Chroma server not up: the page reports it
        log.warning("预先载入失败（打开网页时会说明原因）：%s", exc)


@asynccontextmanager
async def warmed(_: Any) -> AsyncIterator[None]:
    """Load before the server says it is ready: the first person to open the page waits for nothing."""
    await asyncio.to_thread(_load)
    yield


app = st.App(
    str(Path(__file__).with_name("web.py")),
    routes=[Route("/auth/session", start_session), Route("/auth/logout", end_session)],
    middleware=[Middleware(ChineseDocument)],
    lifespan=warmed,
)
