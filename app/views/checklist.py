"""问题清单 page: each checklist's items by category, each with the passages that speak to it.

One expander per item keeps twenty items readable; inside are the measures,
earlier problem lists and regulation articles found by searching with the
item's text, each cited as 《title》 section and linked to the library page.
"""

from __future__ import annotations

import streamlit as st

from app import checklist_view as cv
from app.accounts import session
from app.library_view import source_link
from app.render import safe
from app.state import chosen_library, services
from ingest.errors import DangjianError
from ingest.models import Hit


def _related(hit: Hit) -> None:
    p = hit.passage
    st.markdown(f"**{safe(hit.citation_head())}** {safe(p.section_path or '正文')}")
    st.markdown(safe(p.text))
    st.markdown(f"[查看原文（定位到此段）]({source_link(p, chosen_library())})")


def _show(checklist: cv.Checklist, related: dict[str, list[Hit]]) -> None:
    st.header(safe(checklist.title))
    st.caption(
        safe(f"出自《{checklist.meta.title}》，共 {checklist.size} 条，分 {len(checklist.categories)} 个方面")
    )
    for category, entries in checklist.categories:
        st.subheader(safe(category))
        for entry in entries:
            with st.expander(safe(entry.passage.text), key=f"checklist.item.{entry.passage.id}"):
                hits = related.get(entry.passage.id, [])
                if not hits:
                    st.caption("文件库中没有找到与这一条相关的其他段落。")
                for n, hit in enumerate(hits):
                    if n:
                        st.divider()
                    _related(hit)


session.require()
st.title("问题清单")
st.caption("展开每一条，查看各文件中与之相关的整改措施、往年问题和党内法规条款。")
entries = cv.load_entries(services().library())
if not entries:
    st.info("文件库中还没有问题清单。导入含问题清单的文件后，这里会按类别列出每一条。")
    st.stop()
try:
    related = cv.related_passages(services())
except DangjianError as exc:
    st.error(str(exc))
    related = {}
for checklist in cv.group(entries):
    _show(checklist, related)
