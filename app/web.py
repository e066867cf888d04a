"""Streamlit entry script: `dangjian serve` runs it; pages only render and call services.

Streamlit's own chrome is English. `serve` turns off its developer menu and Deploy button
(client.toolbarMode=minimal); the few English labels no setting reaches (the file uploader's
instructions, the running indicator, the skip link) are replaced here by a style sheet that
draws Chinese text in their place. Page icons are Material Symbols, which Streamlit ships, so
they show on machines without an emoji font.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app import library_view as lv
from app.accounts import Role, User, session
from app.libraries import SHARED, untagged
from app.state import LIBRARY, accounts

VIEWS = Path(__file__).resolve().with_name("views")
# Chinese for the English in Streamlit's labels, tooltips, hints and dialogs (see the script's header).
CHINESE_LABELS = Path(__file__).resolve().with_name("chinese_chrome.js")
# Chinese in place of the English Streamlit draws itself: the text is hidden (font-size 0) and
# the Chinese drawn after it, so the element keeps its size and its behaviour.
CHINESE_CHROME = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span::after { content: "把文件拖到这里"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > small::after { content: "每个文件不超过设定的大小"; font-size: 0.75rem; }
[data-testid="stFileUploaderDropzone"] button { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button::after { content: "选择文件"; font-size: 0.875rem; }
[data-testid="stStatusWidget"] { visibility: hidden; }
[data-testid="stSkipToContent"] { font-size: 0; }
[data-testid="stSkipToContent"]::after { content: "跳到正文"; font-size: 1rem; }
</style>
"""

st.set_page_config(page_title="党建政策助手", page_icon=":material/menu_book:", layout="wide")
st.html(CHINESE_CHROME)
st.html(f"<script>{CHINESE_LABELS.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)
PAGES = [
    # "/" (and "/?q=…", the links shared so far) opens the 问答 page at /ask with the same question
    st.Page(VIEWS / "home.py", title="问答", default=True, visibility="hidden"),
    st.Page(VIEWS / "ask.py", title="问答", icon=":material/search:", url_path="ask"),
    st.Page(VIEWS / "library.py", title="文件库", icon=":material/folder_open:", url_path="library"),
    st.Page(VIEWS / "checklist.py", title="问题清单", icon=":material/checklist:", url_path="checklist"),
    st.Page(VIEWS / "lecture.py", title="党课备课", icon=":material/school:", url_path="lecture"),
    st.Page(VIEWS / "ledger.py", title="整改台账", icon=":material/table_view:", url_path="ledger"),
]
FEEDBACK = st.Page(VIEWS / "feedback.py", title="答案反馈", icon=":material/feedback:", url_path="feedback")
AUDIT = st.Page(VIEWS / "audit.py", title="操作记录", icon=":material/history:", url_path="audit")
LOGIN = st.Page(VIEWS / "login.py", title="登录", icon=":material/login:", url_path="login", default=True)


def _login_at(url_path: str) -> StreamlitPage:
    """The login page under another page's address, so a shared link (/library?doc=…) asks to log in
    rather than saying the page does not exist, and shows its page once logged in."""
    return st.Page(VIEWS / "login.py", title="登录", url_path=url_path, visibility="hidden")


def _library_changed() -> None:
    """Another library: a document link in the address is read against it afresh."""
    for key in (lv.LINKED, lv.VIEW, lv.DELETE_CHOICE):
        st.session_state.pop(key, None)


REFUSED = "library.refused"  # a library an address named that this user may not read


def _library_picked() -> None:
    st.session_state.pop(REFUSED, None)
    _library_changed()
    _keep_in_address(st.session_state[LIBRARY])


def _keep_in_address(name: str) -> None:
    """The address names the library read (not the shared one): a refresh or a shared link keeps it."""
    if name != SHARED:
        st.query_params[lv.LIBRARY_PARAM] = name
    elif lv.LIBRARY_PARAM in st.query_params:
        del st.query_params[lv.LIBRARY_PARAM]


def _library_picker() -> None:
    """The library the pages read, among those this user may read (shown when there is a choice). The
    address's library (?lib=组织部, kept there through refreshes and in every citation link) or a
    citation of another library (?doc=组织部::…, from a question asked of several) switches to it when
    the user may read it; when not, a line says so and the shared library is shown."""
    names = session.readable()
    name, own = untagged(st.query_params.get("doc", ""))
    linked = st.query_params.get(lv.LIBRARY_PARAM)
    if name in names:
        st.session_state[LIBRARY] = name
        _library_changed()
        st.query_params["doc"] = own
    elif linked and linked != st.session_state.get(LIBRARY):
        if linked in names:
            st.session_state[LIBRARY] = linked
            _library_changed()
        else:
            st.session_state[REFUSED] = linked  # said until another library is picked: the page may switch
    if refused := st.session_state.get(REFUSED):
        st.warning(f"链接里的知识库“{refused}”不存在，或你没有阅读它的权限；现在显示的是“{names[0]}”库。")
    if st.session_state.get(LIBRARY) not in names:
        st.session_state[LIBRARY] = names[0]
    if len(names) > 1:
        st.sidebar.selectbox("知识库", names, key=LIBRARY, on_change=_library_picked, placeholder="选择知识库")
    _keep_in_address(st.session_state[LIBRARY])


def _account(user: User) -> None:
    """Who is logged in, and the way out."""
    st.sidebar.caption(f"{user.name}（{user.role}）")
    st.sidebar.button("退出登录", key="account.logout", on_click=session.log_out)


if accounts() is None:  # one local user: every page, no login
    _library_picker()
    st.navigation([*PAGES, FEEDBACK]).run()
else:
    user = session.current_user()
    if user is None:  # every address is the login page: nothing else shows; after it, the address's own page
        st.navigation([LOGIN, *(_login_at(p.url_path) for p in [*PAGES[1:], FEEDBACK, AUDIT])]).run()
    else:
        session.keep_in_browser()
        _account(user)
        _library_picker()
        st.navigation([*PAGES, *((FEEDBACK, AUDIT) if user.role is Role.ADMIN else ())]).run()
