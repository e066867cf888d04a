"""A full disk: a small tmpfs as the data dir (skipped where this machine cannot mount one)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

TEXT = "各单位要落实“三会一课”制度，党支部每月至少召开一次支部委员会会议，每季度召开一次党员大会。"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.decode().strip()}"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _run(data: Path, *args: str, min_free: str = "50") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data), "DANGJIAN_MIN_FREE_MB": min_free}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_full_disk_stops_the_ingest_with_one_line_and_a_rerun_after_freeing_space_resumes(
    small_disk: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(400):
        (docs / f"{n:03d}.txt").write_text(
            "\n".join(f"第{n}号文件第{k}段：{TEXT * 4}" for k in range(30)), encoding="utf-8"
        )
    data = small_disk / "data"

    refused = _run(data, "ingest", str(docs))  # 12 MB free < the 50 MB an ingest needs: nothing written
    assert (
        refused.returncode == 2 and "磁盘剩余空间不足" in refused.stderr and "Traceback" not in refused.stderr
    )

    full = _run(data, "ingest", str(docs), min_free="0")  # starts anyway, and the disk fills up
    assert full.returncode == 2 and "Traceback" not in full.stderr
    assert "磁盘空间不足" in full.stderr and "腾出空间后重新导入会从中断处继续" in full.stderr

    while_full = _run(data, "search", "三会一课", "--k", "1")
    assert (
        while_full.returncode == 2
        and "磁盘已满" in while_full.stderr
        and "Traceback" not in while_full.stderr
    )

    subprocess.run(["mount", "-o", "remount,size=512m", str(small_disk)], check=True)
    resumed = _run(data, "ingest", str(docs))
    assert resumed.returncode == 0, resumed.stderr
    assert "新增或更新" in resumed.stdout
    found = _run(data, "search", "三会一课", "--k", "1", "--json")
    assert found.returncode == 0 and "三会一课" in found.stdout
