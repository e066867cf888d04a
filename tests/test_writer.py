"""One writer per library: real processes against one data dir, the lock held or contended for real."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from filelock import FileLock

from app.cli import INTERRUPTED
from app.services import build_services
from index.writer import LOCK_FILE, WAITING
from tests.conftest import ROOT, make_settings

PARAGRAPH = (
    "各单位要落实“三会一课”制度，党支部每月至少召开一次支部委员会会议，第{n}号文件第{i}段要求按时报送材料。"
)


def _folder(root: Path, name: str, files: int) -> Path:
    folder = root / name
    folder.mkdir()
    for n in range(files):
        body = "\n".join(f"{k}、第{k}部分\n" + PARAGRAPH.format(n=n, i=k) * 3 for k in "一二三")
        (folder / f"{name}{n:03d}.md").write_text(f"# {name}第{n}号通知\n{body}\n", encoding="utf-8")
    return folder


def _ingest(data_dir: Path, *paths: Path, wait: float = 600) -> subprocess.Popen[str]:
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data_dir), "DANGJIAN_WRITE_WAIT_SECONDS": str(wait)}
    args = [sys.executable, "-m", "app", "ingest", *map(str, paths)]
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_second_writer_waits_with_a_line_and_then_writes(tmp_path: Path) -> None:
    docs = _folder(tmp_path, "甲", 3)
    data = tmp_path / "data"
    data.mkdir()
    held = FileLock(str(data / LOCK_FILE))
    held.acquire()
    writer = _ingest(data, docs)
    time.sleep(8)  # long enough for the process to start, import and reach the lock
    assert writer.poll() is None  # waiting, not writing
    held.release()
    out, err = writer.communicate(timeout=180)
    assert writer.returncode == 0, err
    assert WAITING in err and "完成：新增或更新 3 个文档" in out


def test_a_writer_gives_up_after_its_wait_without_writing(tmp_path: Path) -> None:
    docs = _folder(tmp_path, "乙", 2)
    data = tmp_path / "data"
    data.mkdir()
    with FileLock(str(data / LOCK_FILE)):
        out, err = _ingest(data, docs, wait=1).communicate(timeout=180)
    assert "错误：另一个导入占用这个文件库已超过 1 秒，本次没有写入任何内容" in err
    assert not build_services(make_settings(data)).store.count()


def test_two_ingests_at_once_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    first, second = _folder(tmp_path, "丙", 300), _folder(tmp_path, "丁", 300)
    data = tmp_path / "data"
    writers = [_ingest(data, first), _ingest(data, second)]
    for writer in writers:
        _, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
    alone = build_services(make_settings(tmp_path / "alone"))
    alone.ingest([first, second])
    store = build_services(make_settings(data)).store
    assert store.count() == alone.store.count() > 0
    got = store._passages.get(include=["embeddings"])  # every passage has its vector
    assert len(got["ids"]) == len(set(got["ids"])) == store.count()
    assert all(vector is not None and len(vector) for vector in got["embeddings"])
    assert len(store.list_documents()) == 600


def test_ctrl_c_says_in_chinese_that_a_rerun_resumes_and_it_does(tmp_path: Path) -> None:
    docs = _folder(tmp_path, "戊", 300)
    data = tmp_path / "data"
    log = tmp_path / "stderr.txt"
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data)}
    with log.open("w") as err:
        writer = subprocess.Popen(
            [sys.executable, "-m", "app", "ingest", str(docs)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            # as from a terminal: a SIGINT disposition of "ignore" left in this process by an earlier test
            # would be inherited, and Python then never raises KeyboardInterrupt
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + 120
        while (
            not re.search(r"\b[1-9]\d*/300\b", log.read_text(encoding="utf-8", errors="replace"))
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)  # until files are being written (tqdm shows "?个文件/s" before the first)
        writer.send_signal(signal.SIGINT)
        writer.communicate(timeout=120)
    said = log.read_text(encoding="utf-8")
    assert writer.returncode == 130 and INTERRUPTED in said and "Aborted" not in said, said[-1500:]
    rerun = _ingest(data, docs)
    _, err_text = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err_text
    assert len(build_services(make_settings(data)).store.list_documents()) == 300
