"""Conversations a secretary can come back to, kept in SQLite beside the data (history.sqlite3).

Each conversation belongs to its owner: the account with accounts on, else LOCAL (the one user of a
single machine). Only the questions are kept, in order: reopening a conversation asks them again,
follow-ups included, so its answers cite the library as it is now and nothing stale is shown as current.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FILE = "history.sqlite3"
LOCAL = "本机"
TITLE_CHARS = 30  # a conversation is listed by its first question's beginning
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    conversation TEXT NOT NULL, n INTEGER NOT NULL, question TEXT NOT NULL, PRIMARY KEY (conversation, n)
);
"""


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    updated: float
    questions: tuple[str, ...]


class History:
    """One server's conversations; every call opens and closes the file (several sessions share it)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILE
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(self, owner: str, conversation: str, question: str) -> None:
        """Add a question to the owner's conversation (begun by its first question)."""
        now = time.time()
        with self._db() as db:
            taken = db.execute("SELECT owner FROM conversations WHERE id = ?", (conversation,)).fetchone()
            if taken is not None and taken[0] != owner:
                return  # another owner's id: never written into
            db.execute(
                "INSERT INTO conversations (id, owner, title, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET updated = excluded.updated",
                (conversation, owner, question[:TITLE_CHARS], now),
            )
            n = db.execute(
                "SELECT COALESCE(MAX(n), 0) + 1 FROM questions WHERE conversation = ?", (conversation,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO questions (conversation, n, question) VALUES (?, ?, ?)",
                (conversation, n, question),
            )

    def conversations(self, owner: str, limit: int = 20) -> list[Conversation]:
        """The owner's conversations, the latest first, each with its questions in order."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, title, updated FROM conversations WHERE owner = ? ORDER BY updated DESC LIMIT ?",
                (owner, limit),
            ).fetchall()
            return [
                Conversation(
                    cid,
                    title,
                    updated,
                    tuple(
                        q
                        for (q,) in db.execute(
                            "SELECT question FROM questions WHERE conversation = ? ORDER BY n", (cid,)
                        )
                    ),
                )
                for cid, title, updated in rows
            ]

    def delete(self, owner: str, conversation: str) -> None:
        """Forget one of the owner's conversations (another owner's is left alone)."""
        with self._db() as db:
            if db.execute(
                "DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation, owner)
            ).rowcount:
                db.execute("DELETE FROM questions WHERE conversation = ?", (conversation,))
