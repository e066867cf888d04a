"""The web page's login: who is logged in, until when, and the check every page makes first.

A login is a session token (app/accounts/store.py) that lasts `session_hours`. The page keeps it for this
browser tab and, as a cookie the server sets (app/accounts/cookie.py: HttpOnly, SameSite=Strict, so no
page script reads it), for the browser: a reload or a link opened in a new tab stays logged in until the
token expires or the user logs out. The account is re-read on every check, so a removed account
or a changed role takes effect at once. With accounts off every check passes and nobody is asked to log in.
"""

from __future__ import annotations

import json

import streamlit as st

from app.accounts.cookie import COOKIE, TICKET_SECONDS
from app.accounts.store import Action, LockedOut, Role, User
from app.libraries import library_names
from app.state import LIBRARY, TOKEN, accounts, chosen_library, current_user, session_token, settings

COOKIE_SENT = "account.cookie_sent"  # the token this tab has already handed to the browser


def log_in(name: str, password: str) -> str:
    """ "" when the account logged in; else the line to show (wrong password, locked)."""
    store = accounts()
    assert store is not None
    try:
        user = store.login(name.strip(), password, _client_address())
    except LockedOut as exc:
        return str(exc)
    if user is None:
        return "账号或密码不对。"
    st.session_state[TOKEN] = store.open_session(user.name, settings().session_hours)
    return ""


def _client_address() -> str:
    """The browser's address, which wrong passwords slow down ("" where none is known, as in tests)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def log_out() -> None:
    store, user, token = accounts(), current_user(), session_token()
    if store is not None and user is not None:
        store.close_session(token)
        store.record(user.name, Action.LOGOUT, user.name)
    for key in (TOKEN, LIBRARY, COOKIE_SENT):
        st.session_state.pop(key, None)
    _go("/auth/logout?from=page")  # the server clears the cookie: no page script can


def keep_in_browser() -> None:
    """Once per login from the form, send the browser through the server's /auth/session with a one-time
    ticket: the server sets the cookie and brings it back to this page (a page load from the cookie
    itself needs nothing)."""
    store, token = accounts(), st.session_state.get(TOKEN)
    if (
        store is None
        or not token
        or token in (st.session_state.get(COOKIE_SENT), st.context.cookies.get(COOKIE))
    ):
        return
    st.session_state[COOKIE_SENT] = token
    _go(f"/auth/session?ticket={store.issue_ticket(token, TICKET_SECONDS)}")


def _go(address: str) -> None:
    """Send the browser to a server route, which returns it to the page it is on now."""
    script = f"window.location.replace({json.dumps(address)} + '&next=' + encodeURIComponent(location.pathname + location.search));"
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def require(role: Role | None = None) -> User | None:
    """Stop the page unless someone is logged in (and, given `role`, is an administrator when it asks for
    one). None with accounts off: the single local user may do everything."""
    if accounts() is None:
        return None
    user = current_user()
    if user is None:
        st.warning("请先登录。")
        st.stop()
    if role is Role.ADMIN and user.role is not Role.ADMIN:
        st.error("只有管理员能看这一页。")
        st.stop()
    return user


def may_write() -> bool:
    """Whether this user may upload to and delete from the library they are reading."""
    store = accounts()
    if store is None:
        return True
    user = current_user()
    return user is not None and store.may_write(user, chosen_library(), library_names(settings()))


def readable() -> list[str]:
    """The libraries this user may pick among."""
    store, user = accounts(), current_user()
    names = library_names(settings())
    if store is None:  # one local user reads every library
        return names
    return [n for n in names if user is not None and store.may_read(user, n, names)]


def record(action: Action, target: str, detail: str = "") -> None:
    """Write to the audit trail as the logged-in user (nothing with accounts off)."""
    store, user = accounts(), current_user()
    if store is not None and user is not None:
        store.record(user.name, action, target, detail or chosen_library())
