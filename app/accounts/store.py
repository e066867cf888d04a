"""Accounts, grants and the audit trail of a shared server, in one SQLite file beside the libraries.

Passwords are hashed with Argon2id (argon2-cffi); a name gets LOCK_AFTER wrong passwords in a row and is
then locked for LOCK_MINUTES, whoever tries. A login is a random session token that expires; the browser
keeps it as a cookie and the file keeps only its SHA-256. The audit table is append-only: SQLite triggers refuse any
UPDATE or DELETE on it, so not even this code can rewrite what was recorded.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.libraries import SHARED
from ingest.errors import DangjianError

LOCK_AFTER = 5  # wrong passwords in a row
LOCK_MINUTES = 15
MIN_PASSWORD = 8  # characters
FILE = "accounts.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, hash TEXT NOT NULL, role TEXT NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, user TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS grants (user TEXT NOT NULL, library TEXT NOT NULL, PRIMARY KEY (user, library));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, user TEXT NOT NULL,
    action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
"""


class Role(StrEnum):
    """What an account may do: 党员 ask and read, 党务干部 also upload and delete, 管理员 everything."""

    ADMIN = "管理员"
    STAFF = "党务干部"
    MEMBER = "党员"


class Action(StrEnum):
    """What the audit trail records."""

    LOGIN = "登录"
    LOGIN_FAILED = "登录失败"
    LOGOUT = "退出"
    UPLOAD = "上传"
    DELETE = "删除"
    GRANT = "授权"
    REVOKE = "取消授权"
    ADD_USER = "新建账号"
    PASSWORD = "重设密码"


@dataclass(frozen=True)
class User:
    name: str
    role: Role


@dataclass(frozen=True)
class AuditEntry:
    at: float
    user: str
    action: str
    target: str
    detail: str


class LockedOut(DangjianError):
    """Too many wrong passwords: the name is locked for a while."""


class Accounts:
    """The account file of one server (the main data dir); every call opens and closes it (several
    Streamlit sessions and CLI processes share it)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._hasher = PasswordHasher()
        folder.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    def add_user(self, name: str, password: str, role: Role, by: str) -> User:
        name = name.strip()
        if not name:
            raise DangjianError("账号名不能为空。")
        _check_password(password)
        with self._db() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise DangjianError(f"账号“{name}”已存在。")
            db.execute(
                "INSERT INTO users (name, hash, role) VALUES (?, ?, ?)",
                (name, self._hasher.hash(password), role),
            )
        self.record(by, Action.ADD_USER, name, role)
        return User(name, role)

    def set_password(self, name: str, password: str, by: str) -> None:
        """A new password, and the lock lifted (how an administrator helps a locked-out user)."""
        _check_password(password)
        with self._db() as db:
            changed = db.execute(
                "UPDATE users SET hash = ?, failed = 0, locked_until = 0 WHERE name = ?",
                (self._hasher.hash(password), name),
            ).rowcount
        if not changed:
            raise DangjianError(f"没有账号“{name}”。")
        self.record(by, Action.PASSWORD, name)

    def user(self, name: str) -> User | None:
        with self._db() as db:
            row = db.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], Role(row[1])) if row else None

    def users(self) -> list[User]:
        with self._db() as db:
            rows = db.execute("SELECT name, role FROM users ORDER BY name").fetchall()
        return [User(n, Role(r)) for n, r in rows]

    def login(self, name: str, password: str, now: float | None = None) -> User | None:
        """The user when the password is right; None when not. LockedOut while the name is locked."""
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute(
                "SELECT hash, role, failed, locked_until FROM users WHERE name = ?", (name,)
            ).fetchone()
        if row is not None and row[3] > now:
            minutes = max(1, round((row[3] - now) / 60))
            raise LockedOut(
                f"密码连续输错 {LOCK_AFTER} 次，账号已锁定，请 {minutes} 分钟后再试或请管理员重设密码。"
            )
        if row is None or not self._verified(row[0], password):
            if row is not None:
                failed = row[2] + 1
                locked = now + LOCK_MINUTES * 60 if failed >= LOCK_AFTER else 0.0
                with self._db() as db:
                    db.execute(
                        "UPDATE users SET failed = ?, locked_until = ? WHERE name = ?",
                        (0 if locked else failed, locked, name),
                    )
            self.record(name, Action.LOGIN_FAILED, name)
            return None
        with self._db() as db:
            db.execute("UPDATE users SET failed = 0, locked_until = 0 WHERE name = ?", (name,))
        self.record(name, Action.LOGIN, name)
        return User(name, Role(row[1]))

    def _verified(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def open_session(self, name: str, hours: float, now: float | None = None) -> str:
        """A new login's token (kept by the browser as a cookie); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        expires = (time.time() if now is None else now) + hours * 3600
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires <= ?", (time.time() if now is None else now,))
            db.execute(
                "INSERT INTO sessions (token, user, expires) VALUES (?, ?, ?)",
                (_digest(token), name, expires),
            )
        return token

    def session_user(self, token: str, now: float | None = None) -> User | None:
        """The account a token logs in, while it has not expired and the account exists."""
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute(
                "SELECT u.name, u.role FROM sessions s JOIN users u ON u.name = s.user "
                "WHERE s.token = ? AND s.expires > ?",
                (_digest(token), now),
            ).fetchone()
        return User(row[0], Role(row[1])) if row else None

    def close_session(self, token: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE token = ?", (_digest(token),))

    def grant(self, name: str, library: str, by: str) -> None:
        if self.user(name) is None:
            raise DangjianError(f"没有账号“{name}”。")
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO grants (user, library) VALUES (?, ?)", (name, library))
        self.record(by, Action.GRANT, name, library)

    def revoke(self, name: str, library: str, by: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM grants WHERE user = ? AND library = ?", (name, library))
        self.record(by, Action.REVOKE, name, library)

    def granted(self, name: str) -> list[str]:
        """The libraries granted to the account, the shared one always first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT library FROM grants WHERE user = ? ORDER BY library", (name,)
            ).fetchall()
        return [SHARED, *(r[0] for r in rows if r[0] != SHARED)]

    def may_read(self, user: User, library: str, known: list[str]) -> bool:
        """An administrator reads every library; anyone else the shared one and those granted."""
        return library in known and (user.role is Role.ADMIN or library in self.granted(user.name))

    def may_write(self, user: User, library: str, known: list[str]) -> bool:
        """Upload and delete: an administrator anywhere; a 党务干部 in a library granted by name (the
        shared library included only when granted); a 党员 nowhere."""
        if user.role is Role.ADMIN:
            return library in known
        if user.role is Role.STAFF:
            with self._db() as db:
                row = db.execute(
                    "SELECT 1 FROM grants WHERE user = ? AND library = ?", (user.name, library)
                ).fetchone()
            return row is not None and library in known
        return False

    def record(self, user: str, action: Action, target: str, detail: str = "") -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO audit (at, user, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                (time.time(), user, action, target, detail),
            )

    def trail(self, limit: int = 500) -> list[AuditEntry]:
        """The latest entries, newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT at, user, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [AuditEntry(*row) for row in rows]


def _digest(token: str) -> str:
    """What is stored of a session token: a stolen account file logs nobody in."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DangjianError(f"密码至少 {MIN_PASSWORD} 个字符。")
