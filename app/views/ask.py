"""问答 page: a conversation of questions (typed, picked, or from ?q= in the address) and cited answers.

Every answer stays on the page with its citations (《title》, issuer, date, document number,
section path, the quoted passage, a link to the library page with the span highlighted); a
follow-up ("那第14条的整改措施呢？") is read against the answer before it. Each answer takes a
verdict (有用 / 有误, and optionally what it should have said), kept in the data dir.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import streamlit as st

from app.accounts import session
from app.drafting.composer import Answer, compose_answer
from app.drafting.followup import answer_follow_up, resolve
from app.export.word import answer_docx
from app.feedback import GOOD, WRONG, Verdict, record
from app.history import Conversation
from app.libraries import SeveralLibraries, untagged
from app.library_view import source_link
from app.render import safe
from app.state import QUESTION, chosen_library, history, library_services, owner, services
from index.library import Library
from ingest.errors import DangjianError
from ingest.models import Hit

EXAMPLES = (
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "机关里正式党员有几个人就能成立党支部？",
    "接待上级时超标准安排、借机大吃大喝，纪律处分条例怎么处分？",
)
TURNS = "ask.turns"  # this user's conversation: list[Turn]
CONVERSATION = "ask.conversation"  # its id in the kept history (app/history.py)
REOPENED = "ask.reopened"  # the questions of a kept conversation, to be asked again in order
REOPENED_NOW = "ask.reopening"  # they are being asked again: not recorded a second time
KEPT = 10  # conversations listed in the sidebar
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LISTED = frozenset({"list", "measures", "compare", "lecture", "item"})  # answer kinds shown point by point
FROM_LINK = "ask.from_link"  # the ?q= of the address was asked already
ALSO = "ask.also"  # other libraries the user asks at the same time
LINK_CHARS = 200  # a question longer than this is shared by its beginning: the link stays short
CORRECTION = "ask.correction."  # + the turn's number: what the user says the answer should have been
FOLDED_CHARS = 160  # a cited passage longer than this shows its beginning, the rest on demand


@dataclass
class Turn:
    """One question, as asked, and its answer; `judged` once the user gave a verdict."""

    question: str
    answer: Answer
    judged: str = ""


@st.cache_resource(show_spinner=False)
def _encoders_loaded() -> bool:
    """Load the query encoders once per process, when the page opens, not inside the first answer."""
    services().library().search(EXAMPLES[0], 1)
    return True


def _pick(question: str) -> None:
    st.session_state[QUESTION] = question


def _clear() -> None:
    """A new conversation (the one before stays in the history)."""
    st.session_state[TURNS] = []
    st.session_state.pop(CONVERSATION, None)
    st.query_params.clear()


def _reopen(conversation: Conversation) -> None:
    _clear()
    st.session_state[CONVERSATION] = conversation.id
    st.session_state[REOPENED] = list(conversation.questions)


def _forget(conversation: Conversation) -> None:
    history().delete(owner(), conversation.id)
    if st.session_state.get(CONVERSATION) == conversation.id:
        _clear()


def _kept_conversations() -> None:
    """The sidebar's 历史对话: this user's earlier conversations, to reopen or delete."""
    kept = history().conversations(owner(), KEPT)
    with st.sidebar.expander(f"历史对话（{len(kept)}）", expanded=False):
        if not kept:
            st.caption("还没有保存的对话。")
        for c in kept:
            left, right = st.columns([5, 1])
            left.button(c.title, key=f"ask.reopen.{c.id}", on_click=_reopen, args=(c,), width="stretch")
            right.button("删除", key=f"ask.forget.{c.id}", on_click=_forget, args=(c,), width="stretch")


def _library() -> Library:
    """The library the question is asked of: the current one, or it and those picked to search too (each
    re-checked against what this user may read)."""
    current = chosen_library()
    also = [n for n in st.session_state.get(ALSO, []) if n != current and n in session.readable()]
    if not also:
        return services().library()
    return SeveralLibraries({n: library_services(n).library() for n in (current, *also)})


def _ask(question: str) -> None:
    """Answer the question, reading a follow-up against the previous answer, and keep the turn."""
    turns: list[Turn] = st.session_state[TURNS]
    previous = turns[-1].answer if turns else None
    library = _library()
    with st.spinner("正在检索…"):
        answer = answer_follow_up(question, previous, library, services().llm()) or compose_answer(
            resolve(question, previous, library), library, services().llm()
        )
    turns.append(Turn(question, answer))
    st.query_params["q"] = question[:LINK_CHARS]
    conversation = st.session_state.setdefault(CONVERSATION, uuid.uuid4().hex)
    if not st.session_state.get(REOPENED_NOW):
        history().record(owner(), conversation, question)


def _judge(turn: Turn, verdict: str, correction: str = "") -> None:
    """Keep the user's verdict on one answer, with what they saw."""
    shown = [f"[{n}] {hit.citation_head()} {hit.passage.section_path}" for n, hit in turn.answer.shown()]
    record(
        services().settings.data_dir,
        Verdict(turn.question, turn.answer.text, shown, verdict, correction.strip()),
    )
    turn.judged = verdict


def _judge_wrong(i: int, turn: Turn) -> None:
    _judge(turn, WRONG, st.session_state.get(f"{CORRECTION}{i}", ""))


def _citation(key: str, n: int, hit: Hit) -> None:
    p = hit.passage
    with st.container(border=True, key=key):
        head = f"**[{n}]** {safe(hit.citation_head())}"
        if hit.meta.doc_number:
            head += f" {safe(hit.meta.doc_number)}"
        st.markdown(head)
        where, _ = untagged(p.doc_id)
        st.caption(safe(p.section_path or "正文") + (f"　｜　知识库：{safe(where)}" if where else ""))
        if p.item:
            st.markdown(f"清单{safe(p.item.label)}")
        text = p.text.strip()
        st.markdown(safe(text if len(text) <= FOLDED_CHARS else text[:FOLDED_CHARS] + "……"))
        if len(text) > FOLDED_CHARS:
            with st.expander("展开全文", key=f"{key}.full"):
                st.markdown(safe(text))
        st.markdown(f"[查看原文（定位到此段）]({source_link(p, chosen_library())})")


def _feedback(i: int, turn: Turn) -> None:
    if turn.judged:
        st.caption("已记录您的反馈，谢谢。" if turn.judged == GOOD else "已记录：这个回答有误，谢谢指正。")
        return
    good, wrong, _ = st.columns([1, 1, 6])
    good.button("有用", key=f"ask.good.{i}", icon=":material/thumb_up:", on_click=_judge, args=(turn, GOOD))
    with (
        wrong.popover("有误", icon=":material/thumb_down:", key=f"ask.wrong.{i}"),
        st.form(key=f"ask.wrong.form.{i}", border=False),
    ):
        st.text_input("应该是…（可不填）", key=f"{CORRECTION}{i}")
        st.form_submit_button("提交", on_click=_judge_wrong, args=(i, turn))


def _shown_text(answer: Answer) -> str:
    """The answer as the page shows it: a list, measures, a comparison, lecture material or several
    checklist items one point per line; anything else as one paragraph."""
    if answer.verdict.kind in LISTED and len(answer.sentences) > 1:
        return "\n".join(f"- {safe(s.text + ''.join(f'[{n}]' for n in s.cites))}" for s in answer.sentences)
    return safe(answer.text)


def _export(i: int, turn: Turn) -> None:
    """The answer with its 出处 as a Word file, made when clicked (not on every rerun)."""
    st.download_button(
        "导出 Word（含出处）",
        data=lambda: answer_docx(turn.answer),
        file_name="问答.docx",
        mime=DOCX,
        key=f"ask.export.{i}",
        icon=":material/download:",
        on_click="ignore",
    )


def _render(i: int, turn: Turn, latest: bool) -> None:
    answer = turn.answer
    with st.chat_message("user", avatar=":material/person:"):
        st.markdown(safe(turn.question))
    with st.chat_message("assistant", avatar=":material/menu_book:"):
        if answer.notice:
            st.warning(answer.notice)
        if answer.supported:
            st.markdown(_shown_text(answer))
        else:
            st.info(answer.text)
        shown = answer.shown()
        if shown:
            label = "出处" if answer.citations else "最接近的段落"
            with st.expander(f"{label}（{len(shown)} 条）", expanded=latest, key=f"ask.sources.{i}"):
                for n, hit in shown:
                    _citation(f"ask.citation.{i}.{n}", n, hit)
        if answer.supported:
            _export(i, turn)
        _feedback(i, turn)


session.require()
st.title("问答")
st.session_state.setdefault(TURNS, [])
try:
    st.caption(
        f"已载入索引：{services().library().passages} 个段落。可以接着上一个回答追问，例如“那第14条的整改措施呢？”"
    )
    _encoders_loaded()
except DangjianError as exc:  # an empty index says so before anyone asks
    st.error(str(exc))
    st.stop()
others = [n for n in session.readable() if n != chosen_library()]
if others:
    st.multiselect("同时检索这些知识库", others, key=ALSO, placeholder="只检索当前知识库")
columns = st.columns(len(EXAMPLES) + 1)
for i, (column, example) in enumerate(zip(columns, EXAMPLES, strict=False)):
    column.button(example, key=f"ask.example.{i}", on_click=_pick, args=(example,), width="stretch")
columns[-1].button("清空对话", key="ask.clear", icon=":material/delete:", on_click=_clear, width="stretch")

asked = st.chat_input("用平常的话提问", key="ask.input", max_chars=2000)
pending = asked or st.session_state.pop(QUESTION, "")
if not pending and not st.session_state.get(FROM_LINK):
    st.session_state[FROM_LINK] = True
    pending = st.query_params.get("q", "")
try:
    if pending.strip():
        _ask(pending.strip())
    again = st.session_state.pop(REOPENED, [])
    st.session_state[REOPENED_NOW] = True  # asked again: already in the history
    for question in again:
        _ask(question)
except DangjianError as exc:
    st.error(str(exc))
finally:
    st.session_state[REOPENED_NOW] = False
_kept_conversations()
turns: list[Turn] = st.session_state[TURNS]
for i, turn in enumerate(turns):
    _render(i, turn, latest=i == len(turns) - 1)
