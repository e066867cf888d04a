"""Document metadata: a sidecar file when the corpus has one, otherwise read off the text.

A sidecar `NAME.meta.toml` beside `NAME.ext` gives title, issuer, date, doc_number,
kind (and optionally supersedes). Users' own folders rarely have sidecars, so the
official-document layout (GB/T 9704) is read instead: the issuing organ heads the page
(发文机关标志, "××委员会" or "××文件"), the document number (东直〔2025〕3号) stands on its own
line, the title sits in 《》 of "关于印发《…》的通知" or is the line, possibly wrapped over two,
that ends in what the document is (通知, 方案, 要点, 意见…), never the organ's line; the
signature (署名) and the date (成文日期, also in Chinese numerals: 二〇二六年三月十八日) close it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ingest.errors import UnreadableFile
from ingest.headings import starts_heading
from ingest.models import DocumentMeta
from ingest.structure import DATE_LINE, PART_TITLE

SIDECAR_SUFFIX = ".meta.toml"

_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d+号")
_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_MAX_TITLE = 60  # characters a title (both lines together) may run to
TITLE_LINES = 4  # the title is among the head's first lines that may be one; later ones are the body
_ATTACHMENT = re.compile(r"^附件\s*\d*\s*[：:]\s*")
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
    ("意见", "意见"),
    ("办法", "办法"),
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


def _organ_line(line: str) -> bool:
    """The issuing organ's line (发文机关标志): "中共××委员会", "××局", "××文件" — never a title."""
    compact = re.sub(r"\s+", "", line)
    return len(compact) <= 40 and compact.removesuffix("文件").endswith(_ORGAN_END) and "关于" not in compact


def _title_candidates(text: str) -> list[str]:
    """The head's lines that may be (part of) the title: not the organ, number, date, a heading, or the
    addressees (主送机关, ending in "：")."""
    return [
        line
        for line in _lines(text, 15)
        if 2 <= len(line) <= _MAX_TITLE
        and not line.endswith(("。", "：", ":"))
        and not _DATE_ANY.fullmatch(line)
        and not DATE_LINE.match(line)
        and not _DOC_NUMBER.fullmatch(re.sub(r"\s+", "", line))
        and not starts_heading(line)
        and not _organ_line(line)
    ]


def infer_title(text: str, fallback: str) -> str:
    """The title: the 《…》 a notice issues, else the line ending in the document's kind (joined with the
    line before it when the title wraps), else the first line that may be a title; an attachment's
    marker ("附件2：") is not part of it."""
    return _ATTACHMENT.sub("", _title(text, fallback))


def _title(text: str, fallback: str) -> str:
    issued = _ISSUED_TITLE.search(text[:2000])
    if issued:
        return re.sub(r"\s+", "", issued.group(1))
    lines = _lines(text, 15)
    candidates = _title_candidates(text)
    for line in candidates[:TITLE_LINES]:
        if PART_TITLE.search(re.sub(r"\s+", "", line)):
            at = lines.index(line)
            before = lines[at - 1] if at else ""
            wrapped = (
                before in candidates
                and not PART_TITLE.search(before)
                and len(before) + len(line) <= _MAX_TITLE
            )
            return before + line if wrapped else line
    return next((line for line in candidates if len(line) >= 4), fallback)


def infer_date(text: str) -> str:
    """The date standing on a line of its own (成文日期, in Arabic or Chinese numerals), else the first
    date the head mentions."""
    for line in text.splitlines():
        m = DATE_LINE.match(line.strip())
        if m:
            import cn2an

            year = "".join(_DIGITS.get(c, c) for c in m[1])
            month, day = (int(cn2an.cn2an(part, "smart")) for part in (m[2], m[3]))
            return f"{year}-{month:02d}-{day:02d}"
    head = text[:4000]
    m = _DATE_ANY.search(head)
    if m:
        return f"{m[1]}-{int(m[2]):02d}" + (f"-{int(m[3]):02d}" if m[3] else "")
    return ""


def infer_issuer(text: str) -> str:
    """The organ heading the page ("××文件" less "文件"), else the signature just above the date line."""
    for line in _lines(text, 6):
        if _organ_line(line):
            return re.sub(r"\s+", "", line).removesuffix("文件")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for at, line in enumerate(lines[1:], start=1):
        if DATE_LINE.match(line) and _organ_line(lines[at - 1]):
            return re.sub(r"\s+", "", lines[at - 1])
    return ""


def infer_kind(title: str) -> str:
    """The document's kind from its title: the kind word it ends in first, else one it holds."""
    for key, kind in _KINDS:
        if title.endswith(key):
            return kind
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
