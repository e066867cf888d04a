"""Which files below the given paths are ingested, and a one-line reason for every one that is not.

Only regular files inside the folder given are read. A link is not followed (its target may be
anywhere: `outside.txt -> /etc/passwd`), nor are pipes, sockets or devices (reading one can block
for ever); hidden files and folders and Office lock files are not documents; a name that is not
valid UTF-8 cannot be stored or cited. Each gets one line naming it, shown with replacement
characters where its bytes are not text; nothing here raises, so one odd file never stops the rest.
Sidecars (`*.meta.toml`) describe other files and pass silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.metadata import is_sidecar

HIDDEN = "隐藏文件或文件夹，已跳过"
LOCK_FILE = "Office 临时锁文件，已跳过"
NOT_UTF8 = "文件名含有无法识别的字符（不是 UTF-8 编码），请改名后再导入"
LINK = "是链接，不跟随（只导入所给文件夹里的普通文件）"
SPECIAL = "不是普通文件（管道、套接字或设备），已跳过"
MISSING = "文件或文件夹不存在"


@dataclass(frozen=True)
class SourceFile:
    """A file found by discovery, with the document id it will be stored under."""

    path: Path
    doc_id: str


def shown(path: Path | str) -> str:
    """A path as a line can print it: bytes that are not UTF-8 become replacement characters."""
    return os.fsencode(path).decode("utf-8", "replace")


def _valid_name(name: str) -> bool:
    try:
        os.fsencode(name).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _refusal(path: Path) -> str:
    """Why a path below the folder is not ingested ("" when it is an ordinary file to read)."""
    name = path.name
    if not _valid_name(name):
        return NOT_UTF8
    if name.startswith("~$"):
        return LOCK_FILE
    if name.startswith("."):
        return HIDDEN
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"无法读取：{exc.strerror or exc}"
    if stat.S_ISLNK(mode):
        return LINK
    if not stat.S_ISREG(mode):
        return SPECIAL
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"不支持的文件类型“{path.suffix or '无扩展名'}”"
    return ""


def _below(root: Path) -> Iterable[Path]:
    """Every entry below a folder, sorted; hidden folders, links and odd names are yielded, not entered."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        entered = []
        for name in sorted(dirs):
            if name.startswith(".") or not _valid_name(name) or (here / name).is_symlink():
                yield here / name
            else:
                entered.append(name)
        dirs[:] = entered
        for name in sorted(files):
            yield here / name


def discover(paths: Iterable[Path]) -> tuple[list[SourceFile], list[tuple[Path, str]]]:
    """Files to ingest below `paths`, and the ones refused with the reason (see the module docstring).

    A path given by name is taken as the user means it: a link given by name is followed.
    """
    found: list[SourceFile] = []
    refused: list[tuple[Path, str]] = []
    for given in paths:
        root = given.expanduser().resolve()
        if root.is_dir():
            candidates, base = list(_below(root)), root
        elif root.exists():
            candidates, base = [root], root.parent
        else:
            refused.append((root, MISSING))
            continue
        for path in candidates:
            if is_sidecar(path) and _valid_name(path.name):
                continue
            reason = _refusal(path)
            if reason:
                refused.append((path, reason))
            else:
                found.append(SourceFile(path, f"{base.name}/{path.relative_to(base).as_posix()}"))
    return found, refused


def settle_ids(sources: list[SourceFile], stored: dict[str, str]) -> tuple[list[SourceFile], list[str]]:
    """Document ids that neither collide nor duplicate, given the library's (id -> source path).

    A file already in the library keeps the id it has, whichever folder it is found through now
    (`corpus` then `corpus/党内法规` adds nothing twice). A file whose folder-relative id belongs to
    another file takes more of its path (`A/通知/a.md` then `B/通知/a.md` → `通知/a.md` and
    `B/通知/a.md`). Returns the sources with their ids, and the ids of stored duplicates of one file
    (left by versions before this rule) to remove.
    """
    by_path: dict[str, str] = {}
    duplicates: list[str] = []
    for doc_id, path in sorted(stored.items()):
        if path in by_path:
            duplicates.append(doc_id)
        else:
            by_path[path] = doc_id
    owner = {doc_id: path for path, doc_id in by_path.items()}
    settled: list[SourceFile] = []
    for source in sources:
        path = str(source.path)
        doc_id = by_path.get(path) or _free_id(source, owner)
        owner[doc_id] = by_path[path] = path
        settled.append(SourceFile(source.path, doc_id))
    return settled, duplicates


def _free_id(source: SourceFile, owner: dict[str, str]) -> str:
    """The folder-relative id, or the shortest longer tail of the file's path that no other file owns."""
    parts = source.path.parts
    depth = len(source.doc_id.split("/"))
    for taken in range(depth, len(parts) + 1):
        candidate = source.doc_id if taken == depth else "/".join(parts[-taken:]).lstrip("/")
        if owner.get(candidate, str(source.path)) == str(source.path):
            return candidate
    return str(source.path)
