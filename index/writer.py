"""One writer per library: a lock file in the data dir around every write, and a lease in the server.

Two ingests interleaving their writes into one Chroma collection lose vectors silently (measured:
7,005 of 28,157 passages). Each write (ingest, upload, delete) therefore holds an exclusive lock on
`<data dir>/write.lock` (filelock: an OS file lock, released by the kernel when a process dies, so a
killed ingest never leaves the library locked). With a Chroma server, writers on other machines have
other data dirs, so the write also holds the library's lease in the server (index/lease.py). A
second writer waits, with one line saying so, and gives up after the configured wait without
writing anything. Readers (search, the web page) take neither.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from index.lease import ServerLease
from ingest.errors import DangjianError

LOCK_FILE = "write.lock"
WAITING = "另一个导入或删除正在写入这个文件库，等它完成后再继续……"


class LibraryBusy(DangjianError):
    """Users see this when another process kept the library locked longer than they were willing to wait."""


@contextmanager
def one_writer(
    data_dir: Path,
    wait_seconds: float,
    on_wait: Callable[[str], object] | None = None,
    lease: ServerLease | None = None,
) -> Iterator[None]:
    """Hold the library's write lock (and `lease`, with a server) for the block; wait up to
    `wait_seconds` in all for another writer, saying so once."""
    deadline = time.monotonic() + wait_seconds
    told = False

    def waiting() -> None:
        nonlocal told
        if on_wait is not None and not told:
            told = True
            on_wait(WAITING)

    busy = LibraryBusy(
        f"另一个导入占用这个文件库已超过 {wait_seconds:g} 秒，本次没有写入任何内容，请稍后再试。"
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        waiting()
        try:
            lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
        except Timeout:
            raise busy from None
    try:
        if lease is not None and not lease.acquire(deadline, waiting):
            raise busy
        try:
            yield
        finally:
            if lease is not None:
                lease.release()
    finally:
        lock.release()
