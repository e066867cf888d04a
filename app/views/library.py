"""文件库 page: every document with its metadata, its full text, upload and delete.

`?doc=<id>&start=<int>&end=<int>` (the Ask page's citation links) opens that
document at the top of the page with the cited span highlighted: the text before
it is folded into an expander and the visible text starts just above the span,
so the cited passage is on screen without scrolling through the document.
"""

from __future__ import annotations

import streamlit as st

from app import library_view as lv
from app.accounts import Action, session
from app.render import safe
from app.state import services
from index.vector_store import StoredDocument

TEXT_HEIGHT = 480  # pixels; the full text scrolls inside, so the list below stays in reach


def _follow_link(link: lv.Link | None, known: dict[str, StoredDocument]) -> None:
    """A new address (first visit or another citation) selects its document."""
    if link != st.session_state.get(lv.LINKED):
        st.session_state[lv.LINKED] = link
        if link and link.doc_id in known:
            st.session_state[lv.VIEW] = link.doc_id
    for key in (lv.VIEW, lv.DELETE_CHOICE):  # a document deleted meanwhile (by anyone) is no choice
        if st.session_state.get(key) not in known:
            st.session_state[key] = None


def _on_view_change() -> None:
    """Picking another document drops the highlight and makes the address name the new one."""
    st.query_params.clear()
    if st.session_state[lv.VIEW]:
        st.query_params["doc"] = st.session_state[lv.VIEW]


def _on_delete(doc_id: str) -> None:
    if not session.may_write():  # the grant may have been withdrawn since the page was drawn
        return
    st.session_state[lv.DELETE_RESULT] = lv.delete_document(services(), doc_id)
    session.record(Action.DELETE, doc_id)
    st.session_state[lv.DELETE_CHOICE] = None
    st.session_state[lv.DELETE_CONFIRM] = False
    if st.session_state.get(lv.VIEW) == doc_id:
        st.session_state[lv.VIEW] = None


def _show_document(doc_id: str, link: lv.Link | None, notes: dict[str, str]) -> None:
    doc = services().document(doc_id)
    if doc is None:
        st.warning("这个文件已不在文件库中。")
        return
    span = lv.valid_span(doc.text, link.start, link.end) if link and link.doc_id == doc_id else None
    facts = " · ".join(f for f in (doc.meta.issuer, doc.meta.date, doc.meta.doc_number, doc.meta.kind) if f)
    st.subheader(safe(f"《{doc.meta.title}》"))
    st.caption(safe(facts or "未注明发文机关和日期") + ("　｜　引用的段落已用黄色标出" if span else ""))
    if doc_id in notes:
        st.warning(safe(notes[doc_id]))
    if link and link.doc_id == doc_id and link.start is not None and span is None:
        st.warning("链接中的段落位置与文件内容不符（文件可能已更新），下面显示全文。")
    if span is None:
        with st.container(height=TEXT_HEIGHT, key="library.fulltext"):
            st.markdown(lv.text_html(doc.text), unsafe_allow_html=True)
        return
    shown_from = lv.context_start(doc.text, span[0])
    if shown_from > 0:
        with st.expander(f"前文（{shown_from} 字，点击展开）", key="library.before"):
            st.markdown(lv.text_html(doc.text[:shown_from]), unsafe_allow_html=True)
    with st.container(height=TEXT_HEIGHT, key="library.cited"):
        st.markdown(lv.cited_html(doc.text, shown_from, *span), unsafe_allow_html=True)


def _show_list(docs: list[StoredDocument], notes: dict[str, str]) -> None:
    st.subheader("文件列表")
    kinds, years, issuers = lv.filter_options(docs)
    left, middle, right = st.columns(3)
    chosen_kinds = left.multiselect("类别", kinds, key=lv.KIND, placeholder="全部")
    chosen_years = middle.multiselect("年份", years, key=lv.YEAR, placeholder="全部")
    chosen_issuers = right.multiselect("发文机关", issuers, key=lv.ISSUER, placeholder="全部")
    shown = [d for d in docs if lv.matches(d, chosen_kinds, chosen_years, chosen_issuers)]
    st.caption(
        f"显示 {len(shown)} / {len(docs)} 个文件；“清单条目”是从该文件识别出的问题清单条数，"
        "“状态”一栏标出已被同系列新文件取代的旧文件。"
    )
    st.dataframe(
        lv.table_rows(shown, notes, lv.item_counts(services().library())),
        hide_index=True,
        key=lv.TABLE,
        width="stretch",
        column_config={name: st.column_config.Column(width=w) for name, w in lv.TABLE_WIDTHS.items()},
    )


def _show_upload() -> None:
    st.subheader("导入文件")
    max_mb = lv.upload_limit_mb(services().settings.max_upload_mb)
    round_ = st.session_state.setdefault(lv.UPLOAD_ROUND, 0)
    files = st.file_uploader(
        "选择要导入的文件（可多选）",
        type=list(lv.UPLOAD_TYPES),
        accept_multiple_files=True,
        key=f"{lv.UPLOADER}.{round_}",
        max_upload_size=max_mb,
        help=f"支持 txt、md、docx、pdf、doc、html 文件，每个文件不超过 {max_mb} MB。导入后即可在问答中检索。",
    )
    if st.button("导入", key=lv.IMPORT, type="primary", disabled=not files):
        bar = st.progress(0.0, text="正在导入…")
        uploads = [(f.name, f.getvalue()) for f in files]
        st.session_state[lv.UPLOAD_RESULTS] = lv.run_upload(
            services(), uploads, lambda x, t: bar.progress(x, t)
        )
        for name, _ in uploads:
            session.record(Action.UPLOAD, name)
        st.session_state[lv.UPLOAD_ROUND] = round_ + 1
        st.rerun()
    for level, line in st.session_state.get(lv.UPLOAD_RESULTS, []):
        getattr(st, level)(safe(line))


def _show_delete(docs: list[StoredDocument], labels: dict[str, str]) -> None:
    st.subheader("删除文件")
    target = st.selectbox(
        "选择要删除的文件",
        [d.id for d in docs],
        format_func=labels.__getitem__,
        index=None,
        placeholder="选择一个文件",
        key=lv.DELETE_CHOICE,
    )
    confirmed = st.checkbox(
        "我确认删除这个文件（内置文件夹中的原文件保留，上传的文件一并删除）",
        key=lv.DELETE_CONFIRM,
        disabled=target is None,
    )
    st.button(
        "删除", key=lv.DELETE_BUTTON, disabled=not (target and confirmed), on_click=_on_delete, args=(target,)
    )
    if lv.DELETE_RESULT in st.session_state:
        st.success(safe(st.session_state.pop(lv.DELETE_RESULT)))


session.require()
st.title("文件库")
documents = services().documents()
by_id = {d.id: d for d in documents}
superseded = lv.superseded_notes(documents)
doc_labels = lv.document_labels(documents)
address = lv.parse_link(st.query_params.to_dict())
_follow_link(address, by_id)
if address and address.doc_id not in by_id:
    st.warning("链接中的文件已不在文件库中（可能已被删除）。")
if documents:
    viewing = st.selectbox(
        "查看全文",
        list(by_id),
        format_func=doc_labels.__getitem__,
        index=None,
        placeholder="选择一个文件查看全文",
        key=lv.VIEW,
        on_change=_on_view_change,
    )
    if viewing:
        _show_document(viewing, address, superseded)
    st.divider()
    _show_list(documents, superseded)
else:
    st.info("文件库是空的：在下方导入文件，或在命令行运行 `dangjian ingest`。")
if session.may_write():
    st.divider()
    _show_upload()
    if documents:
        st.divider()
        _show_delete(documents, doc_labels)
