"""Document metadata: a sidecar file when the corpus has one, otherwise read off the text.

A sidecar `NAME.meta.toml` beside `NAME.ext` gives title, issuer, date, doc_number,
kind (and optionally supersedes). Users' own folders rarely have sidecars, so the
official-document layout is read instead: the issuing organ heads the page, the
document number (东直〔2025〕3号) stands on its own line, the title sits in
《》 of "关于印发《…》的通知" or on the first heading line, and the date closes the notice.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ingest.errors import UnreadableFile
from ingest.headings import starts_heading
from ingest.models import DocumentMeta

SIDECAR_SUFFIX = ".meta.toml"

_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d+号")
_DATE_LINE = re.compile(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*$")
_DATE_ANY = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")
_ISSUED_TITLE = re.compile(r"关于印发\s*《([^》]{4,80})》")
_ORGAN_END = (
    "委员会",
    "领导小组",
    "办公室",
    "办公厅",
    "人民政府",
    "工作委员会",
    "党委",
    "党组",
    "委",
    "局",
    "厅",
    "部",
)
_KINDS = (
    ("问题清单", "清单"),
    ("清单", "清单"),
    ("章程", "章程"),
    ("条例", "条例"),
    ("准则", "准则"),
    ("实施细则", "细则"),
    ("规定", "规定"),
    ("要点", "要点"),
    ("方案", "方案"),
    ("计划", "方案"),
    ("通知", "通知"),
    ("机关党建", "刊物"),
    ("法", "法律"),
)


def sidecar_of(path: Path) -> Path | None:
    """The file's sidecar if it has one. A name within a few bytes of the file system's limit (255
    bytes: 83 Chinese characters and `.txt`) leaves no room for `.meta.toml`, so it has none."""
    side = path.with_name(path.stem + SIDECAR_SUFFIX)
    try:
        return side if side.is_file() else None
    except OSError:  # ENAMETOOLONG; Python before 3.14 raises it from is_file()
        return None


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


PLAIN_WORDS_TABLE = "checklist_plain_words"


def _sidecar_data(path: Path) -> dict[str, object]:
    side = sidecar_of(path)
    if side is None:
        return {}
    try:
        return tomllib.loads(side.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnreadableFile(f"元数据文件 {side.name} 格式有误：{exc}") from exc


def read_sidecar(path: Path) -> dict[str, str]:
    """The sidecar's scalar fields, or {} when there is none."""
    return {k: str(v) for k, v in _sidecar_data(path).items() if not isinstance(v, dict)}


def checklist_plain_words(path: Path) -> dict[str, str]:
    """Item number -> everyday descriptions of that checklist item, from the sidecar's
    `[checklist_plain_words]` table: users describe behaviour, not the checklist's wording."""
    table = _sidecar_data(path).get(PLAIN_WORDS_TABLE, {})
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def _lines(text: str, limit: int = 40) -> list[str]:
    return [line.strip().lstrip("#").strip() for line in text.splitlines()[:limit] if line.strip()]


def infer_title(text: str, fallback: str) -> str:
    issued = _ISSUED_TITLE.search(text[:2000])
    if issued:
        return re.sub(r"\s+", "", issued.group(1))
    for line in _lines(text, 15):
        if (
            4 <= len(line) <= 60
            and not line.endswith(("。", "：", ":"))
            and not _DATE_ANY.fullmatch(line)
            and not starts_heading(line)
        ):
            return line
    return fallback


def infer_date(text: str) -> str:
    head = text[:4000]
    for line in head.splitlines():
        m = _DATE_LINE.match(line)
        if m:
            return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    m = _DATE_ANY.search(head)
    if m:
        return f"{m[1]}-{int(m[2]):02d}" + (f"-{int(m[3]):02d}" if m[3] else "")
    return ""


def infer_issuer(text: str) -> str:
    for line in _lines(text, 6):
        compact = re.sub(r"\s+", "", line)
        if len(compact) <= 30 and compact.endswith(_ORGAN_END) and "关于" not in compact:
            return compact
    return ""


def infer_kind(title: str) -> str:
    for key, kind in _KINDS:
        if key in title:
            return kind
    return ""


def document_meta(path: Path, text: str) -> DocumentMeta:
    """Sidecar fields first, then what the text itself says, then the file name."""
    side = read_sidecar(path)
    title = side.get("title") or infer_title(text, path.stem)
    number = _DOC_NUMBER.search(text[:3000])
    return DocumentMeta(
        title=title,
        issuer=side.get("issuer") or infer_issuer(text),
        date=side.get("date") or infer_date(text),
        doc_number=side.get("doc_number") or (number.group(0) if number else ""),
        kind=side.get("kind") or infer_kind(title),
        series=side.get("series", ""),
    )
