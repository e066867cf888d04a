"""One writer per library: a lock file in the data dir around every write.

Two ingests interleaving their writes into one Chroma collection lose vectors silently (measured:
7,005 of 28,157 passages). Each write (ingest, upload, delete) therefore holds an exclusive lock on
`<data dir>/write.lock` (filelock: an OS file lock, released by the kernel when a process dies, so a
killed ingest never leaves the library locked). A second writer waits, with a line saying so, and
gives up after the configured wait without writing anything. Readers (search, the web page) never
take it. The lock guards the processes sharing one data dir; with a Chroma server, every writer
must use the same data dir (see README).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ingest.errors import DangjianError

LOCK_FILE = "write.lock"
WAITING = "另一个导入或删除正在写入这个文件库，等它完成后再继续……"


class LibraryBusy(DangjianError):
    """Users see this when another process kept the library locked longer than they were willing to wait."""


@contextmanager
def one_writer(
    data_dir: Path, wait_seconds: float, on_wait: Callable[[str], object] | None = None
) -> Iterator[None]:
    """Hold the library's write lock for the block; wait up to `wait_seconds` for another writer."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(WAITING)
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise LibraryBusy(
                f"另一个导入占用这个文件库已超过 {wait_seconds:g} 秒，本次没有写入任何内容，请稍后再试。"
            ) from None
    try:
        yield
    finally:
        lock.release()
