"""登录 page (accounts on): name and password; a wrong one is counted, too many lock the name a while."""

from __future__ import annotations

import streamlit as st

from app.accounts import session
from app.state import accounts

st.title("登录")
user = session.current_user()
if user is not None:
    st.success(f"已登录：{user.name}（{user.role}）")
    st.stop()
store = accounts()
if store is not None and not store.users():
    st.info("还没有任何账号。管理员请在服务器上运行 `dangjian user add 账号 --role 管理员` 新建第一个账号。")
with st.form("login.form"):
    name = st.text_input("账号", key="login.name")
    password = st.text_input("密码", type="password", key="login.password")
    submitted = st.form_submit_button("登录", type="primary")
if submitted:
    problem = session.log_in(name, password)
    if problem:
        st.error(problem)
    else:
        st.rerun()
st.caption("没有账号或忘了密码，请找本单位的管理员。")
