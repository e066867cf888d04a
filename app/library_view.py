"""What the 文件库 page shows and does, kept out of the page so it stays small and testable.

The page only lays out widgets; the table rows, the filters, the address a
citation links to, the highlighted full text, and the upload/delete result lines
are built here. Everything that came from a document or an upload is escaped
before it reaches HTML: `html.escape` first, and only then our own `<mark>`/`<br>`.
"""

from __future__ import annotations

import functools
import html
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from app.libraries import SHARED
from app.services import Services
from index.library import Library, superseded_by
from index.updater import IngestReport
from index.vector_store import StoredDocument
from ingest.discovery import SourceFile
from ingest.errors import DangjianError
from ingest.models import Passage

# Per-user UI state of the library page (widget keys and remembered results).
KIND = "library.kind"
YEAR = "library.year"
ISSUER = "library.issuer"
VIEW = "library.view"  # the document whose full text is shown
LINKED = "library.linked"  # the ?doc=&start=&end= last applied, so a new link re-opens its document
TABLE = "library.table"
UPLOADER = "library.upload"  # + ".<round>": a new round empties the uploader after an import
UPLOAD_ROUND = "library.upload_round"
IMPORT = "library.import"
UPLOAD_RESULTS = "library.upload_results"
DELETE_CHOICE = "library.delete.choice"
DELETE_CONFIRM = "library.delete.confirm"
DELETE_BUTTON = "library.delete.button"
DELETE_RESULT = "library.delete.result"

UPLOAD_TYPES = ("txt", "md", "docx", "pdf", "doc", "html", "htm")
UNKNOWN = "未注明"  # filter value for a document whose kind, year or issuer is not recorded
CONTEXT_CHARS = 200  # at most this much text before a cited span stays visible above it
CONTEXT_LINES = 2  # and at most this many non-blank lines

ProgressBar = Callable[[float, str], object]  # st.progress(...).progress returns its element


LIBRARY_PARAM = "lib"  # the address names the library read, so a link or a refresh opens the same one


def source_link(passage: Passage, library: str = SHARED) -> str:
    """The library page's address for a passage: its document with the span highlighted, in `library`
    (named unless it is the shared one, or the document id names its own: "组织部::…")."""
    named = {LIBRARY_PARAM: library} if library != SHARED and "::" not in passage.doc_id else {}
    return "./library?" + urlencode({"doc": passage.doc_id, "start": passage.start, "end": passage.end, **named})


# --- the list ------------------------------------------------------------
def year_of(doc: StoredDocument) -> str:
    year = doc.meta.date[:4]
    return year if year.isdigit() else UNKNOWN


def kind_of(doc: StoredDocument) -> str:
    return doc.meta.kind or UNKNOWN


def issuer_of(doc: StoredDocument) -> str:
    return doc.meta.issuer or UNKNOWN


def filter_options(docs: Sequence[StoredDocument]) -> tuple[list[str], list[str], list[str]]:
    """Kinds, years (newest first) and issuers present in the library."""
    kinds = sorted({kind_of(d) for d in docs})
    years = sorted({year_of(d) for d in docs}, reverse=True)
    issuers = sorted({issuer_of(d) for d in docs})
    return kinds, years, issuers


def matches(doc: StoredDocument, kinds: Iterable[str], years: Iterable[str], issuers: Iterable[str]) -> bool:
    """An empty filter lets everything through, as a user expects from '全部'."""
    return all(
        not wanted or value in wanted
        for value, wanted in (
            (kind_of(doc), set(kinds)),
            (year_of(doc), set(years)),
            (issuer_of(doc), set(issuers)),
        )
    )


def superseded_notes(docs: Sequence[StoredDocument]) -> dict[str, str]:
    """doc id -> "已被《newer》取代" for every document a newer one of its series replaces."""
    titles = {d.id: d.meta.title for d in docs}
    replaced = superseded_by(docs)
    return {old: f"已被《{titles[new]}》取代" for old, new in replaced.items()}


# Pixel widths of the table's columns: all inside the page at 1366 px; a long title shows on hover.
TABLE_WIDTHS = {
    "标题": 230,
    "发文机关": 150,
    "日期": 90,
    "文号": 90,
    "类别": 50,
    "段落数": 55,
    "清单条目": 60,
    "状态": 60,
    "文件": 80,
}


def item_counts(library: Library) -> dict[str, int]:
    """Checklist items found in each document: a checklist the parser missed shows as 0."""
    return dict(Counter(h.passage.doc_id for h in library.checklist_items()))


def table_rows(
    docs: Sequence[StoredDocument], notes: Mapping[str, str], items: Mapping[str, int]
) -> list[dict[str, object]]:
    """One row per document; shown with st.dataframe, so every cell is data, never markup."""
    return [
        {
            "标题": d.meta.title,
            "发文机关": d.meta.issuer,
            "日期": d.meta.date,
            "文号": d.meta.doc_number,
            "类别": d.meta.kind,
            "段落数": d.passages,
            "清单条目": items.get(d.id, 0),
            "状态": notes.get(d.id, ""),
            "文件": d.id,
        }
        for d in docs
    ]


def document_labels(docs: Sequence[StoredDocument]) -> dict[str, str]:
    """Choice labels; a select box matches choices by label, so equal titles get their file name."""
    labels = {d.id: f"《{d.meta.title}》" + (f"（{d.meta.date}）" if d.meta.date else "") for d in docs}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {i: f"{label} · {i}" if seen[label] > 1 else label for i, label in labels.items()}


# --- the full text ---------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """What a citation link asks for: a document, and optionally a span of its text."""

    doc_id: str
    start: int | None = None
    end: int | None = None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def parse_link(params: Mapping[str, str]) -> Link | None:
    """`?doc=…&start=…&end=…` from the address; a missing or malformed span means the whole text."""
    doc = params.get("doc", "").strip()
    return Link(doc, _int(params.get("start")), _int(params.get("end"))) if doc else None


def valid_span(text: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    """The span if it lies inside the text; a stale link (document changed) shows the whole text."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return None
    return start, end


def context_start(text: str, start: int) -> int:
    """Where the visible text begins: the span's own line and up to CONTEXT_LINES non-blank lines above.

    Few lines, so the highlighted span sits near the top of the view; never more
    than CONTEXT_CHARS back, and never starting on a blank line.
    """
    lo = max(0, start - CONTEXT_CHARS)
    shown = text.rfind("\n", lo, start) + 1 or lo  # the start of the span's own line
    best, lines = shown, 0
    while shown > lo and lines < CONTEXT_LINES:
        previous = text.rfind("\n", lo, shown - 1)
        line_start = previous + 1 if previous != -1 else lo
        if text[line_start:shown].strip():
            lines, best = lines + 1, line_start
        shown = line_start
    return best


def _escaped(text: str) -> str:
    """Document text as inert HTML on one line: no blank line, so Markdown never parses inside it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(html.escape(line, quote=True) for line in lines)


def _block(inner: str) -> str:
    return f'<div style="white-space:pre-wrap;line-height:1.9">{inner}</div>'


def text_html(text: str) -> str:
    """The whole text, escaped, for st.markdown(unsafe_allow_html=True)."""
    return _block(_escaped(text))


def cited_html(text: str, shown_from: int, start: int, end: int) -> str:
    """The text from `shown_from` on, with [start, end) in <mark>; escaped before our tags go in."""
    return _block(
        _escaped(text[shown_from:start])
        + f'<mark id="cited">{_escaped(text[start:end])}</mark>'
        + _escaped(text[end:])
    )


# --- upload and delete -------------------------------------------------------
def _items_found(report: IngestReport, doc_id: str) -> str:
    """ "，识别出问题清单 15 条" for a document with checklist items: a missed checklist is visible."""
    items = report.checklist_items.get(doc_id)
    return f"，识别出问题清单 {items} 条" if items else ""


def report_lines(report: IngestReport) -> list[tuple[str, str]]:
    """(level, line) per file, level being the st function to show it with."""
    lines = [
        ("success", f"已导入 {Path(doc_id).name}：{n} 个段落" + _items_found(report, doc_id))
        for doc_id, n in report.ingested
    ]
    lines += [
        ("info", f"未重新导入 {Path(doc_id).name}：与文件库中的版本相同") for doc_id in report.unchanged
    ]
    lines += [("error", f"未导入 {Path(name).name}：{reason}") for name, reason in report.rejected]
    return lines


def upload_limit_mb(wanted_mb: int) -> int:
    """The per-file limit the uploader can honour: Streamlit's server refuses more than its own
    `server.maxUploadSize` (200 MB unless configured), so a larger setting must also be set there."""
    from streamlit import config

    return min(wanted_mb, int(config.get_option("server.maxUploadSize")))


def time_left(done: int, total: int, elapsed_s: float) -> str:
    """ "，预计还需约 N 秒/分钟" from the pace so far; empty before the first file or after the last."""
    if done <= 0 or done >= total:
        return ""
    seconds = elapsed_s / done * (total - done)
    return (
        f"，预计还需约 {max(1, round(seconds))} 秒"
        if seconds < 90
        else f"，预计还需约 {round(seconds / 60)} 分钟"
    )


def run_upload(
    services: Services, files: Sequence[tuple[str, bytes]], bar: ProgressBar
) -> list[tuple[str, str]]:
    """Import uploaded (name, bytes) pairs and say, per file, what happened."""
    done = 0
    started = time.monotonic()

    def progress(source: SourceFile) -> None:
        nonlocal done
        done += 1
        left = time_left(done, len(files), time.monotonic() - started)
        bar(min(1.0, done / len(files)), f"正在导入 {source.path.name}（{done}/{len(files)}）{left}")

    try:
        report = services.upload(files, progress=progress, on_wait=functools.partial(bar, 0.0))
    except (DangjianError, OSError, ValueError) as exc:  # a failure outside the per-file checks
        return [("error", f"未导入 {name}：{exc}") for name, _ in files]
    bar(1.0, "导入完成")
    return report_lines(report)


def delete_document(services: Services, doc_id: str) -> str:
    """Remove a document from the library and from search; the line tells the user which."""
    stored = services.document(doc_id)
    services.delete_document(doc_id)
    return f"已删除《{stored.meta.title if stored else doc_id}》，它不再出现在文件库和问答中。"
