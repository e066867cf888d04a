"""The audit trail: append-only and tamper-evident, in the accounts file.

Every row carries the SHA-256 of the previous row's hash and its own fields, so a row edited, removed or
slipped in by another SQLite client breaks the chain at that row. Triggers refuse UPDATE and DELETE, and
an INSERT whose id is not the next one (a reused id, REPLACE INTO, a skipped number). `verify` names the
first broken link, missing trigger or gap in one Chinese line. A trigger found missing when the file is
opened is recorded in the trail and logged, never silently recreated: that would hide that someone
removed it; an administrator restores them with `dangjian audit --restore-triggers`, which is recorded too.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

SYSTEM = "系统"  # who the trail names for what the program itself notices
TAMPERED = "审计异常"
RESTORED = "恢复保护"
_REFUSE = "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END"
TRIGGERS = {
    "audit_no_update": f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit {_REFUSE}",
    "audit_no_delete": f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit {_REFUSE}",
    "audit_next_id": "CREATE TRIGGER audit_next_id BEFORE INSERT ON audit "
    "WHEN NEW.id IS NULL OR NEW.id <> COALESCE((SELECT MAX(id) FROM audit), 0) + 1 " + _REFUSE,
}
_TABLE = """CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, user TEXT NOT NULL,
    action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',
    prev TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT ''
)"""
_FIELDS = "id, at, user, action, target, detail, prev, hash"


@dataclass(frozen=True)
class AuditEntry:
    at: float
    user: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: intact or not, and the line an administrator reads."""

    intact: bool
    line: str


def link(prev: str, row_id: int, at: float, user: str, action: str, target: str, detail: str) -> str:
    """A row's hash: the previous row's hash and every field of its own."""
    fields = "\x1f".join((prev, str(row_id), repr(float(at)), user, action, target, detail))
    return hashlib.sha256(fields.encode("utf-8")).hexdigest()


def prepare(db: sqlite3.Connection) -> list[str]:
    """Create the trail in a new file, or give an older one its chain columns and triggers; the names
    of the triggers missing from a file that already had a chain (not recreated: see the docstring)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(audit)")}
    if not columns:
        db.execute(_TABLE)
    elif "hash" not in columns:  # a trail from before the chain: its rows stay, unlinked, before it
        db.execute("ALTER TABLE audit ADD COLUMN prev TEXT NOT NULL DEFAULT ''")
        db.execute("ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT ''")
    else:
        return missing_triggers(db)
    present = set(_trigger_names(db))
    for name, statement in TRIGGERS.items():
        if name not in present:
            db.execute(statement)
    return []


def _trigger_names(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'")
    return [r[0] for r in rows]


def missing_triggers(db: sqlite3.Connection) -> list[str]:
    present = set(_trigger_names(db))
    return [name for name in TRIGGERS if name not in present]


def restore_triggers(db: sqlite3.Connection) -> list[str]:
    """Recreate the missing triggers; their names."""
    missing = missing_triggers(db)
    for name in missing:
        db.execute(TRIGGERS[name])
    return missing


def append(db: sqlite3.Connection, user: str, action: str, target: str, detail: str = "") -> None:
    """One row, linked to the last; the caller's transaction must hold the write lock (BEGIN IMMEDIATE)."""
    last = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    row_id, prev = (last[0] + 1, last[1]) if last else (1, "")
    at = time.time()
    db.execute(
        f"INSERT INTO audit ({_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row_id,
            at,
            user,
            action,
            target,
            detail,
            prev,
            link(prev, row_id, at, user, action, target, detail),
        ),
    )


def trail(db: sqlite3.Connection, limit: int) -> list[AuditEntry]:
    """The latest entries, newest first."""
    rows = db.execute(
        "SELECT at, user, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [AuditEntry(*row) for row in rows]


def verify(db: sqlite3.Connection) -> Verdict:
    """The first broken link, missing trigger or gap, else how many rows were checked."""
    missing = missing_triggers(db)
    if missing:
        return Verdict(
            False, f"审计记录的保护触发器 {'、'.join(missing)} 不见了：记录可能被绕过本程序改过或删过。"
        )
    last_id, last_hash, legacy, checked = 0, "", 0, 0
    for row_id, at, user, action, target, detail, prev, digest in db.execute(
        f"SELECT {_FIELDS} FROM audit ORDER BY id"
    ):
        if not checked and not digest:
            legacy, last_id = legacy + 1, row_id  # written before the chain existed
            continue
        if row_id != last_id + 1:
            return Verdict(False, f"审计记录第 {last_id + 1} 至 {row_id - 1} 条不见了：有记录被删除。")
        if prev != last_hash:
            return Verdict(False, f"审计记录第 {row_id} 条与前一条接不上：前一条被改过、删过或换过。")
        if digest != link(prev, row_id, at, user, action, target, detail):
            return Verdict(False, f"审计记录第 {row_id} 条的内容被改过（与它的校验值不符）。")
        last_id, last_hash, checked = row_id, digest, checked + 1
    older = f"（另有 {legacy} 条是启用校验前的旧记录）" if legacy else ""
    return Verdict(True, f"审计记录完整：{checked} 条逐条校验无误{older}。")


def report_missing(db: sqlite3.Connection, missing: list[str], where: str) -> None:
    """Record and log triggers found missing when the file was opened (the caller holds the lock)."""
    line = f"打开 {where} 时发现审计保护触发器缺失：{'、'.join(missing)}；未自动恢复，请管理员核查。"
    log.warning(line)
    append(db, SYSTEM, TAMPERED, "audit", line)
