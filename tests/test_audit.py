"""The audit trail is tamper-evident: every way another SQLite client can change it is refused or found
by `dangjian audit --verify` (one Chinese line, exit code 1), on a real accounts file."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.accounts import Accounts, Action
from app.accounts.audit import TRIGGERS
from app.cli import cli


def _trail(tmp_path: Path) -> Accounts:
    accounts = Accounts(tmp_path / "data" / "accounts")
    for n in range(4):
        accounts.record("staff", Action.UPLOAD, f"{n}.txt", "组织部")
    return accounts


def _verify(tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "audit", "--verify"])
    return result.exit_code, result.output.strip()


def _tamper(accounts: Accounts, *statements: str) -> None:
    """What someone with the file and another SQLite client does."""
    with sqlite3.connect(accounts.path) as db:
        for statement in statements:
            db.execute(statement)


def test_an_untouched_trail_verifies(tmp_path: Path) -> None:
    _trail(tmp_path)
    code, line = _verify(tmp_path)
    assert code == 0 and line == "审计记录完整：4 条逐条校验无误。"


@pytest.mark.parametrize(
    "statement",
    [
        "REPLACE INTO audit (id, at, user, action, target) VALUES (2, 0, 'x', '上传', 'forged')",
        "INSERT INTO audit (id, at, user, action, target) VALUES (2, 0, 'x', '上传', 'forged')",
        "INSERT INTO audit (id, at, user, action, target) VALUES (9, 0, 'x', '上传', 'skipped')",
        "INSERT INTO audit (at, user, action, target) VALUES (0, 'x', '上传', 'unnumbered')",
        "UPDATE audit SET user = 'someone else' WHERE id = 2",
        "DELETE FROM audit WHERE id = 4",
    ],
)
def test_rewrites_through_sql_are_refused(tmp_path: Path, statement: str) -> None:
    accounts = _trail(tmp_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        _tamper(accounts, statement)
    assert _verify(tmp_path)[0] == 0


def test_a_dropped_trigger_and_a_delete_are_found(tmp_path: Path) -> None:
    accounts = _trail(tmp_path)
    _tamper(accounts, "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE id = 2")
    code, line = _verify(tmp_path)
    assert code == 1 and "audit_no_delete 不见了" in line
    restored = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "audit", "--restore-triggers"])
    assert "已重建触发器：audit_no_delete" in restored.output
    code, line = _verify(tmp_path)  # the triggers back, the deleted row still shows as a gap
    assert code == 1 and line == "审计记录第 2 至 2 条不见了：有记录被删除。"


def test_a_row_edited_by_another_client_with_the_trigger_put_back_is_found(tmp_path: Path) -> None:
    accounts = _trail(tmp_path)
    _tamper(
        accounts,
        "DROP TRIGGER audit_no_update",
        "UPDATE audit SET target = 'harmless.txt' WHERE id = 3",
        TRIGGERS["audit_no_update"],
    )
    assert _verify(tmp_path) == (1, "审计记录第 3 条的内容被改过（与它的校验值不符）。")


def test_a_row_replaced_whole_with_its_hash_recomputed_breaks_the_next_link(tmp_path: Path) -> None:
    from app.accounts.audit import link

    accounts = _trail(tmp_path)
    forged = link("", 1, 1.0, "x", "上传", "forged", "")
    _tamper(
        accounts,
        "DROP TRIGGER audit_no_delete",
        "DROP TRIGGER audit_next_id",
        "DELETE FROM audit WHERE id = 1",
        f"INSERT INTO audit (id, at, user, action, target, detail, prev, hash) "
        f"VALUES (1, 1.0, 'x', '上传', 'forged', '', '', '{forged}')",
        TRIGGERS["audit_no_delete"],
        TRIGGERS["audit_next_id"],
    )
    assert _verify(tmp_path) == (1, "审计记录第 2 条与前一条接不上：前一条被改过、删过或换过。")


def test_a_trigger_missing_at_start_is_recorded_and_logged_not_recreated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    accounts = _trail(tmp_path)
    _tamper(accounts, "DROP TRIGGER audit_no_update")
    with caplog.at_level(logging.WARNING):
        reopened = Accounts(tmp_path / "data" / "accounts")
    assert "audit_no_update" in caplog.text
    entry = reopened.trail(1)[0]
    assert (entry.user, entry.action) == ("系统", "审计异常") and "audit_no_update" in entry.detail
    assert _verify(tmp_path)[0] == 1  # still missing: an administrator decides


def test_a_trail_from_before_the_chain_keeps_its_rows_and_chains_the_new_ones(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "accounts"
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / "accounts.sqlite3") as db:
        db.execute(
            "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, user TEXT NOT NULL,"
            " action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')"
        )
        db.execute("INSERT INTO audit (at, user, action, target) VALUES (1.0, 'old', '登录', 'old')")
    accounts = Accounts(folder)
    accounts.record("new", Action.LOGIN, "new")
    assert [e.user for e in accounts.trail()] == ["new", "old"]
    assert _verify(tmp_path) == (0, "审计记录完整：1 条逐条校验无误（另有 1 条是启用校验前的旧记录）。")


def test_replace_into_with_its_trigger_dropped_and_put_back_is_found(tmp_path: Path) -> None:
    """REPLACE deletes the old row without firing the DELETE trigger: the missing trigger, and once it is
    back, the replaced row's hash, give it away."""
    accounts = _trail(tmp_path)
    _tamper(
        accounts,
        "DROP TRIGGER audit_next_id",
        "REPLACE INTO audit (id, at, user, action, target, detail, prev, hash) "
        "SELECT id, at, user, action, 'harmless.txt', detail, prev, hash FROM audit WHERE id = 2",
    )
    code, line = _verify(tmp_path)
    assert code == 1 and "audit_next_id 不见了" in line
    _tamper(accounts, TRIGGERS["audit_next_id"])
    assert _verify(tmp_path) == (1, "审计记录第 2 条的内容被改过（与它的校验值不符）。")
