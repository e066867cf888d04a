"""问答 page: a question (typed, picked, or from ?q= in the address) → a cited answer.

Every citation shows 《title》, issuer, date, document number, section path and
the quoted passage, and links to the library page with the cited span highlighted.
"""

from __future__ import annotations

import streamlit as st

from app.drafting.composer import Answer, compose_answer
from app.library_view import source_link
from app.render import safe
from app.state import QUESTION, services
from ingest.errors import DangjianError
from ingest.models import Hit

EXAMPLES = (
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "机关里正式党员有几个人就能成立党支部？",
    "接待上级时超标准安排、借机大吃大喝，纪律处分条例怎么处分？",
)


def _ask(question: str) -> None:
    st.session_state[QUESTION] = question


def _citation(n: int, hit: Hit) -> None:
    p = hit.passage
    with st.container(border=True, key=f"ask.citation.{n}"):
        head = f"**[{n}]** {safe(hit.citation_head())}"
        if hit.meta.doc_number:
            head += f" {safe(hit.meta.doc_number)}"
        st.markdown(head)
        st.caption(safe(p.section_path or "正文"))
        if p.item:
            st.markdown(f"清单第 **{safe(p.item.number)}** 条（{safe(p.item.category)}）")
        st.markdown(safe(p.text))
        st.markdown(f"[查看原文（定位到此段）]({source_link(p)})")


def _render(answer: Answer) -> None:
    if answer.notice:
        st.warning(answer.notice)
    if not answer.supported:
        st.info(answer.text)
    else:
        st.markdown(safe(answer.text))
    shown = answer.shown()
    if shown:
        st.subheader("出处" if answer.citations else "最接近的段落")
        for n, hit in shown:
            _citation(n, hit)


st.title("问答")
if QUESTION not in st.session_state:
    st.session_state[QUESTION] = st.query_params.get("q", "")
question = st.text_input("用平常的话提问", key=QUESTION, placeholder=EXAMPLES[0])
columns = st.columns(len(EXAMPLES))
for i, (column, example) in enumerate(zip(columns, EXAMPLES, strict=True)):
    column.button(example, key=f"ask.example.{i}", on_click=_ask, args=(example,), use_container_width=True)

if question.strip():
    st.query_params["q"] = question
    try:
        with st.spinner("正在检索…"):
            answer = compose_answer(question, services().library(), services().llm())
    except DangjianError as exc:
        st.error(str(exc))
        st.stop()
    _render(answer)
else:
    try:  # load the shared index while the user types, so the first answer is as quick as the rest
        st.caption(f"已载入索引：{services().library().passages} 个段落")
    except DangjianError as exc:  # an empty index says so before anyone asks
        st.error(str(exc))
