"""Accounts, grants and the audit trail of a shared server, in one SQLite file beside the libraries.

Passwords are hashed with Argon2id (argon2-cffi). Wrong passwords slow down whoever sends them, not the
account: after FREE_TRIES in a row for one name from one client address, that address waits FIRST_WAIT
seconds, doubling with each further miss up to LONGEST_WAIT, while the same name logs in from anywhere
else (so nobody can lock a colleague out by guessing); an administrator lifts the wait (`dangjian user
unlock`). An unknown name is checked against a dummy hash, so it takes as long as a real one to refuse
and a login's timing does not tell which names exist. A login is a random session token that expires; the browser
keeps it as a cookie and the file keeps only its SHA-256. The audit trail (app/accounts/audit.py) is append-only
and hash-chained: triggers refuse any UPDATE, DELETE or out-of-order INSERT, and a row changed by another
client breaks the chain, which `dangjian audit --verify` and the 操作记录 page report.
"""

from __future__ import annotations

import functools
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

from app.accounts import audit
from app.accounts.audit import AuditEntry
from app.libraries import SHARED
from ingest.errors import DangjianError

FREE_TRIES = 5  # wrong passwords in a row, for one name from one address, before it must wait
FIRST_WAIT = 30.0  # seconds; doubles with every further wrong password
LONGEST_WAIT = 15 * 60.0
MIN_PASSWORD = 8  # characters
FILE = "accounts.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, hash TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    name TEXT NOT NULL, client TEXT NOT NULL, failed INTEGER NOT NULL, wait_until REAL NOT NULL,
    PRIMARY KEY (name, client)
);
CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, user TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tickets (
    ticket TEXT PRIMARY KEY, user TEXT NOT NULL, retires TEXT NOT NULL, expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS grants (user TEXT NOT NULL, library TEXT NOT NULL, PRIMARY KEY (user, library));
"""
_REPORTED: set[Path] = set()  # files whose missing audit triggers this process has recorded already


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
    UNLOCK = "解除等待"


@dataclass(frozen=True)
class User:
    name: str
    role: Role


class LockedOut(DangjianError):
    """Too many wrong passwords for a name from this address: it waits a while before trying again."""


@functools.cache
def _dummy_hash() -> str:
    """What an unknown name's password is checked against: the same work as a real account's."""
    return PasswordHasher().hash(secrets.token_urlsafe(16))


class Accounts:
    """The account file of one server (the main data dir); every call opens and closes it (several
    Streamlit sessions and CLI processes share it)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._hasher = PasswordHasher()
        self._dummy = _dummy_hash()
        folder.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)
        with self._writing() as db:
            missing = audit.prepare(db)
            if missing and self.path not in _REPORTED:
                _REPORTED.add(self.path)
                audit.report_missing(db, missing, str(self.path))

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A transaction holding the write lock from its start, so two processes never chain the
        audit trail from the same last row."""
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
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
        """A new password, and every wait on the name lifted."""
        _check_password(password)
        with self._db() as db:
            changed = db.execute(
                "UPDATE users SET hash = ? WHERE name = ?", (self._hasher.hash(password), name)
            ).rowcount
            db.execute("DELETE FROM attempts WHERE name = ?", (name,))
        if not changed:
            raise DangjianError(f"没有账号“{name}”。")
        self.record(by, Action.PASSWORD, name)

    def unlock(self, name: str, by: str) -> int:
        """Lift the waits wrong passwords put on a name, from every address; how many were lifted."""
        with self._db() as db:
            lifted = db.execute("DELETE FROM attempts WHERE name = ?", (name,)).rowcount
        self.record(by, Action.UNLOCK, name)
        return lifted

    def user(self, name: str) -> User | None:
        with self._db() as db:
            row = db.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], Role(row[1])) if row else None

    def users(self) -> list[User]:
        with self._db() as db:
            rows = db.execute("SELECT name, role FROM users ORDER BY name").fetchall()
        return [User(n, Role(r)) for n, r in rows]

    def login(self, name: str, password: str, client: str = "", now: float | None = None) -> User | None:
        """The user when the password is right; None when not (or no such name: the same work and the same
        answer). LockedOut while this client address must wait for this name (see the module docstring)."""
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute("SELECT hash, role FROM users WHERE name = ?", (name,)).fetchone()
            tried = db.execute(
                "SELECT failed, wait_until FROM attempts WHERE name = ? AND client = ?", (name, client)
            ).fetchone()
        if tried is not None and tried[1] > now:
            raise LockedOut(
                f"密码已连续输错 {tried[0]} 次，请 {max(1, round(tried[1] - now))} 秒后再试"
                "（只限这台电脑；也可请管理员解除）。"
            )
        if not self._verified(row[0] if row else self._dummy, password) or row is None:
            failed = (tried[0] if tried else 0) + 1
            wait = 0.0 if failed < FREE_TRIES else min(LONGEST_WAIT, FIRST_WAIT * 2 ** (failed - FREE_TRIES))
            with self._db() as db:
                db.execute(
                    "INSERT OR REPLACE INTO attempts (name, client, failed, wait_until) VALUES (?, ?, ?, ?)",
                    (name, client, failed, now + wait),
                )
            self.record(name, Action.LOGIN_FAILED, name, client)
            return None
        with self._db() as db:
            db.execute("DELETE FROM attempts WHERE name = ? AND client = ?", (name, client))
        self.record(name, Action.LOGIN, name, client)
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

    def issue_ticket(self, token: str, seconds: float, now: float | None = None) -> str:
        """A one-time ticket the browser exchanges for its cookie (app/accounts/cookie.py); redeeming it
        opens a new session and retires `token` (the one the login form gave this tab)."""
        now = time.time() if now is None else now
        user = self.session_user(token, now)
        if user is None:
            raise DangjianError("登录已失效，请重新登录。")
        ticket = secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute("DELETE FROM tickets WHERE expires <= ?", (now,))
            db.execute(
                "INSERT INTO tickets (ticket, user, retires, expires) VALUES (?, ?, ?, ?)",
                (_digest(ticket), user.name, _digest(token), now + seconds),
            )
        return ticket

    def redeem_ticket(self, ticket: str, now: float | None = None) -> str | None:
        """The account a ticket was issued for, once, while it has not expired; None otherwise."""
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute(
                "SELECT user, retires, expires FROM tickets WHERE ticket = ?", (_digest(ticket),)
            ).fetchone()
            db.execute("DELETE FROM tickets WHERE ticket = ?", (_digest(ticket),))
            if row is None or row[2] <= now:
                return None
            db.execute("DELETE FROM sessions WHERE token = ?", (row[1],))
        return str(row[0])

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
        with self._writing() as db:
            audit.append(db, user, action, target, detail)

    def trail(self, limit: int = 500) -> list[AuditEntry]:
        """The latest entries, newest first."""
        with self._db() as db:
            return audit.trail(db, limit)

    def verify_trail(self) -> audit.Verdict:
        """Whether the audit trail is whole: its triggers present, its chain unbroken, no gap."""
        with self._db() as db:
            return audit.verify(db)

    def restore_trail_protection(self, by: str) -> list[str]:
        """Recreate missing audit triggers (an administrator's decision, recorded); their names."""
        with self._writing() as db:
            restored = audit.restore_triggers(db)
            if restored:
                audit.append(db, by, audit.RESTORED, "audit", "、".join(restored))
        return restored


def _digest(token: str) -> str:
    """What is stored of a session token: a stolen account file logs nobody in."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DangjianError(f"密码至少 {MIN_PASSWORD} 个字符。")
