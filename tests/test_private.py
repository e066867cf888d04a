"""Private by default: whatever the shell's umask, what dangjian creates is its account's alone, and a
data dir left open to other users is named in one line when `ingest` or `serve` starts."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.private import open_to_others

NOTICE = "第一条 党支部每月召开一次支部委员会会议。\n"


@pytest.fixture
def lax_shell() -> Iterator[None]:
    """A shell umask that lets others read (022, the usual default), put back after."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _run(data: Path, *args: str, stdin: str = "") -> str:
    result = CliRunner().invoke(cli, ["--data-dir", str(data), *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_libraries_accounts_and_uploads_are_created_for_the_owner_only(
    tmp_path: Path, lax_shell: None
) -> None:
    (tmp_path / "notice.txt").write_text(NOTICE, encoding="utf-8")
    data = tmp_path / "data"
    _run(data, "ingest", str(tmp_path / "notice.txt"))
    _run(data, "library", "create", "组织部")
    _run(data, "user", "add", "admin", "--role", "管理员", stdin="correct-horse-9\ncorrect-horse-9\n")
    created = [data, *data.rglob("*")]
    assert len(created) > 10 and (data / "accounts" / "accounts.sqlite3") in created
    loose = [p for p in created if stat.S_IMODE(p.lstat().st_mode) & 0o077]
    assert loose == []
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_a_data_dir_others_may_read_is_named_in_one_line(tmp_path: Path, lax_shell: None) -> None:
    (tmp_path / "notice.txt").write_text(NOTICE, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # made by hand, before dangjian ran
    out = _run(data, "ingest", str(tmp_path / "notice.txt"))
    warning = [line for line in out.splitlines() if line.startswith("警告：")]
    assert warning == [f"警告：{data}本机其他用户也能读取（权限 755）；请运行 chmod -R go-rwx {data} 收回。"]
    os.chmod(data, 0o700)
    assert open_to_others(data) == []
    assert "警告：" not in _run(data, "ingest", str(tmp_path / "notice.txt"))
