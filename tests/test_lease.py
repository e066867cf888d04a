"""One writer per library across machines: the lease in a real Chroma server, contended by real
processes that each have their own data dir (so the lock file cannot be what stops them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import Services, build_services
from index.lease import LeaseRecord, ServerLease
from index.writer import WAITING, LibraryBusy
from tests.conftest import FIXTURES, ROOT, make_settings
from tests.server_support import chroma_server, stop

TTL = 3.0
SETTLE = 0.3
SEED = FIXTURES / "seeds" / "000_7485c2985d73583a.txt"
# A writer in its own process: holds the library until the file named by argv[1] appears.
HOLDER = """
import sys, time
from pathlib import Path
from app.services import build_services
from app.settings import load_settings
with build_services(load_settings()).writing():
    print("HOLDING", flush=True)
    while not Path(sys.argv[1]).exists():
        time.sleep(0.1)
"""


class MemorySlot:
    """The lease record in a dict, for the protocol alone."""

    def __init__(self) -> None:
        self.record: LeaseRecord | None = None

    def read(self) -> LeaseRecord | None:
        return self.record

    def write(self, record: LeaseRecord) -> None:
        self.record = record

    def clear(self, holder: str) -> None:
        if self.record is not None and self.record.holder == holder:
            self.record = None


def test_writers_that_all_find_the_lease_free_end_up_one_at_a_time() -> None:
    slot, inside, overlaps = MemorySlot(), [], []
    start = threading.Barrier(4)

    def write() -> None:
        lease = ServerLease(slot, TTL, 0.2)
        start.wait()
        assert lease.acquire(time.monotonic() + 30, lambda: None)
        inside.append(lease.holder)
        overlaps.append(len(inside))
        time.sleep(0.1)
        inside.remove(lease.holder)
        lease.release()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [1, 1, 1, 1] and slot.record is None


def test_a_writer_clears_only_its_own_lease(tmp_path: Path) -> None:
    slot = build_services(make_settings(tmp_path)).store.lease_slot()
    slot.write(LeaseRecord("另一台机器", 0, TTL))
    slot.clear("本机")
    assert slot.read() == LeaseRecord("另一台机器", 0, TTL)
    slot.clear("另一台机器")
    assert slot.read() is None


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    with chroma_server(tmp_path) as url:
        yield url


def _services(data_dir: Path, url: str, wait: float = 60) -> Services:
    return build_services(
        make_settings(
            data_dir,
            chroma_url=url,
            write_wait_seconds=wait,
            write_lease_seconds=TTL,
            write_settle_seconds=SETTLE,
        )
    )


def _env(url: str, data_dir: Path) -> dict[str, str]:
    """Another machine's writer: the same server and lease timings, its own data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_")}
    return env | {
        "DANGJIAN_CHROMA_URL": url,
        "DANGJIAN_DATA_DIR": str(data_dir),
        "DANGJIAN_SEMANTIC_MODEL": "",
        "DANGJIAN_WRITE_LEASE_SECONDS": str(TTL),
        "DANGJIAN_WRITE_SETTLE_SECONDS": str(SETTLE),
        "HF_HUB_OFFLINE": "1",
    }


@pytest.fixture
def reader(chroma_url: str, tmp_path: Path) -> Services:
    """A process's services over the shared library, with one document in it."""
    services = _services(tmp_path / "reader-data", chroma_url)
    assert services.ingest([SEED]).ingested
    services.engine()
    return services


@pytest.fixture
def holder(chroma_url: str, reader: Services, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A process holding the library's lease (after the reader's ingest), and the file that makes it let go."""
    release = tmp_path / "release"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(release)],
        cwd=ROOT,
        env=_env(chroma_url, tmp_path / "holder-data"),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "HOLDING"
        yield process, release
    finally:
        release.touch()
        stop(process, 30)


def _docs(root: Path) -> Path:
    folder = root / "新文件"
    folder.mkdir()
    for n in range(2):
        text = f"# 第{n}号通知\n一、总体要求\n各党支部要按时召开组织生活会，第{n}号通知要求认真开展批评和自我批评。\n"
        (folder / f"通知{n}.md").write_text(text, encoding="utf-8")
    return folder


def test_a_writer_on_another_machine_waits_with_a_line_while_readers_search(
    chroma_url: str, reader: Services, holder: tuple[subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    process, release = holder
    reader.store_check_seconds = 0  # every search asks the server whether the library moved
    log = tmp_path / "ingest-stderr.txt"
    with log.open("w", encoding="utf-8") as err:
        writer = subprocess.Popen(
            [sys.executable, "-m", "app", "ingest", str(_docs(tmp_path))],
            cwd=ROOT,
            env=_env(chroma_url, tmp_path / "writer-data"),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        deadline = time.monotonic() + 60
        while WAITING not in log.read_text(encoding="utf-8"):
            assert writer.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        started = time.monotonic()
        assert len(reader.documents()) == 1 and reader.engine().search("作风建设", k=5)
        assert time.monotonic() - started < 5  # the reader never waited for the lease
        assert writer.poll() is None  # still waiting, nothing written
        release.touch()
        out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0, log.read_text(encoding="utf-8")
    assert "完成：新增或更新 2 个文档" in out and log.read_text(encoding="utf-8").count(WAITING) == 1
    assert len(reader.documents()) == 3 and reader.store.lease_slot().read() is None
    assert process.wait(timeout=30) == 0


def test_a_writer_gives_up_after_its_wait_while_another_machine_writes(
    chroma_url: str, reader: Services, holder: tuple[subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    writer = _services(tmp_path / "writer-data", chroma_url, wait=1)
    heard: list[str] = []
    started = time.monotonic()
    with pytest.raises(LibraryBusy, match="超过 1 秒，本次没有写入任何内容"):
        writer.ingest([_docs(tmp_path)], on_wait=heard.append)
    assert time.monotonic() - started < 1 + 2 * SETTLE + 2
    assert heard == [WAITING] and len(reader.documents()) == 1


def test_the_lease_of_a_killed_writer_expires_and_is_taken_over(
    chroma_url: str, holder: tuple[subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    process, _ = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    writer = _services(tmp_path / "writer-data", chroma_url)
    heard: list[str] = []
    started = time.monotonic()
    report = writer.ingest([_docs(tmp_path)], on_wait=heard.append)
    took = time.monotonic() - started
    assert len(report.ingested) == 2 and heard == [WAITING]
    assert TTL <= took < TTL + 2 * SETTLE + 10  # one lease lifetime, not the whole wait
