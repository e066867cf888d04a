"""Accounts for a server several units share: who may read and write which library, and what they did.

- `store`: accounts (Argon2id-hashed passwords, lock-out), grants per library, the append-only audit trail;
- `session`: the web page's login, its expiry, and the one check every page makes before it shows anything.
Off by default: a single local user never sees a login.
"""

from app.accounts.store import Accounts, Action, AuditEntry, LockedOut, Role, User

__all__ = ["Accounts", "Action", "AuditEntry", "LockedOut", "Role", "User"]
