"""The web page's login: who is logged in, until when, and the check every page makes first.

A login lasts `session_hours`; the account is re-read on every check, so a removed account or a changed
role takes effect at once. With accounts off every check passes and nobody is ever asked to log in.
"""

from __future__ import annotations

import time

import streamlit as st

from app.accounts.store import Action, LockedOut, Role, User
from app.libraries import library_names
from app.state import LIBRARY, SINCE, USER, accounts, chosen_library, settings

LOGIN_PAGE = "views/login.py"


def current_user() -> User | None:
    """The logged-in account, or None (not logged in, the login expired, or the account is gone)."""
    store = accounts()
    name = st.session_state.get(USER)
    if store is None or not name:
        return None
    if time.time() - st.session_state.get(SINCE, 0.0) > settings().session_hours * 3600:
        end()
        return None
    return store.user(name)


def log_in(name: str, password: str) -> str:
    """ "" when the account logged in; else the line to show (wrong password, locked)."""
    store = accounts()
    assert store is not None
    try:
        user = store.login(name.strip(), password)
    except LockedOut as exc:
        return str(exc)
    if user is None:
        return "账号或密码不对。"
    st.session_state[USER], st.session_state[SINCE] = user.name, time.time()
    return ""


def end() -> None:
    for key in (USER, SINCE, LIBRARY):
        st.session_state.pop(key, None)


def log_out() -> None:
    store, user = accounts(), current_user()
    if store is not None and user is not None:
        store.record(user.name, Action.LOGOUT, user.name)
    end()


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
