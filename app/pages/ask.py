"""问答 page: a question (typed, or from ?q= in the address) → cited passages."""

from __future__ import annotations

import streamlit as st

from app.render import safe
from app.state import QUESTION, TOP_K, services
from ingest.errors import DangjianError

EXAMPLES = (
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "机关里正式党员有几个人就能成立党支部？",
    "政务服务技能大赛的主题是什么？",
)

st.title("问答")
if QUESTION not in st.session_state:
    st.session_state[QUESTION] = st.query_params.get("q", "")
question = st.text_input("用平常的话提问", key=QUESTION, placeholder=EXAMPLES[0])
st.caption("例如：" + "；".join(EXAMPLES))
k = st.slider("显示段落数", 3, 20, 5, key=TOP_K)

if question.strip():
    st.query_params["q"] = question
    try:
        hits = services().engine().search(question, k)
    except DangjianError as exc:
        st.error(str(exc))
        st.stop()
    if not hits:
        st.info("文档中没有找到相关段落。")
    for n, hit in enumerate(hits, start=1):
        p = hit.passage
        with st.container(border=True):
            head = f"**[{n}]** {safe(hit.citation_head())}"
            if hit.meta.doc_number:
                head += f" {safe(hit.meta.doc_number)}"
            st.markdown(head)
            st.caption(p.section_path or "正文")
            if p.item:
                st.markdown(f"清单第 **{safe(p.item.number)}** 条（{safe(p.item.category)}）")
            st.markdown(safe(p.text))
