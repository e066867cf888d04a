"""Private by default: what the program writes (libraries, accounts, uploads, models) is its account's alone.

A server is often a shared office machine. The umask is set at start, so every folder is created 0700 and
every file 0600, whatever the shell's umask was; folders made before (or by hand) are not changed behind
the administrator's back, but `serve` and `ingest` say in one line which are open to other users.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
_DEPTH = 2  # the data dir, its libraries and accounts folder, and what they hold directly


def make_private() -> None:
    """From now on this process (and the server it becomes) creates nothing others may read."""
    os.umask(PRIVATE_UMASK)


def open_to_others(data_dir: Path) -> list[Path]:
    """The data dir and what lies in it (two levels down) that other users of the machine may read."""
    if not data_dir.exists():
        return []
    found: list[Path] = []
    level = [data_dir]
    for _ in range(_DEPTH + 1):
        below: list[Path] = []
        for path in level:
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue
            if mode & (stat.S_IRWXG | stat.S_IRWXO) and not stat.S_ISLNK(mode):
                found.append(path)
            if stat.S_ISDIR(mode):
                try:
                    below.extend(sorted(path.iterdir()))
                except OSError:
                    continue
        level = below
    return found


def exposure_warning(data_dir: Path) -> str:
    """One line naming what others may read and how to close it; "" when everything is private."""
    found = open_to_others(data_dir)
    if not found:
        return ""
    first = found[0]
    mode = stat.S_IMODE(first.lstat().st_mode)
    more = f"等 {len(found)} 处" if len(found) > 1 else ""
    return (
        f"警告：{first}{more}本机其他用户也能读取（权限 {mode:o}）；请运行 chmod -R go-rwx {data_dir} 收回。"
    )
