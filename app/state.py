"""Per-user UI state keys and the shared, read-only services of the web app.

Heavy objects are built once per process with st.cache_resource and shared by
every user; st.session_state only holds what one user typed or chose (and, with
accounts on, who is logged in and which library they are reading).
"""

from __future__ import annotations

import streamlit as st

from app.accounts import Accounts, User
from app.accounts.cookie import COOKIE
from app.history import LOCAL, History
from app.libraries import SHARED, library_names, library_settings
from app.services import Services, build_services
from app.settings import Settings, load_settings

QUESTION = "ask.question"
TOP_K = "ask.top_k"
LIBRARY = "library.current"  # the library the user reads (accounts on; checked against the grants)
TOKEN = "account.token"  # the login's session token (app/accounts/session.py)


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def accounts() -> Accounts | None:
    """The server's accounts when the setting turns them on; None for a single local user."""
    s = settings()
    return Accounts(s.data_dir / "accounts") if s.accounts else None


@st.cache_resource
def history() -> History:
    """The server's kept conversations (app/history.py), beside the data."""
    return History(settings().data_dir)


def owner() -> str:
    """Whose conversations these are: the logged-in account, else the one local user."""
    user = current_user() if accounts() is not None else None
    return user.name if user is not None else LOCAL


@st.cache_resource(show_spinner="正在加载索引…")
def library_services(name: str) -> Services:
    s = settings()
    return build_services(s if name == SHARED else library_settings(s, name))


def session_token() -> str:
    """This tab's token, else the browser's cookie (a reload, a new tab)."""
    return str(
        st.session_state.get(TOKEN) or st.context.cookies.get(COOKIE) or ""
    )  # cookie: app/accounts/cookie.py


def current_user() -> User | None:
    """The logged-in account, or None (not logged in, the login expired, or the account is gone)."""
    store = accounts()
    token = session_token()
    if store is None or not token:
        return None
    user = store.session_user(token)
    if user is None:
        st.session_state.pop(TOKEN, None)
        return None
    st.session_state[TOKEN] = token
    return user


def chosen_library() -> str:
    """The library this user reads: their choice when they may read it, else the shared one."""
    chosen = st.session_state.get(LIBRARY, SHARED)
    if chosen == SHARED:  # the usual case, asked on every services() call: no folder listing
        return SHARED
    names = library_names(settings())
    store = accounts()
    if chosen not in names:
        return SHARED
    if store is None:  # one local user reads every library
        return str(chosen)
    user = current_user()
    return chosen if user is not None and store.may_read(user, chosen, names) else SHARED


class CurrentServices:
    """`services()`: the services of the library this user reads (the one library without accounts)."""

    def __call__(self) -> Services:
        return library_services(chosen_library())

    def clear(self) -> None:
        """Forget every cached object (tests point the app at another data dir)."""
        for cached in (library_services, accounts, history, settings):
            cached.clear()


services = CurrentServices()
