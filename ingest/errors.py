"""The small vocabulary of errors that users see.

The CLI turns each into one line and an exit code; the pages into `st.error`.
Messages are Chinese because they are shown to Party-affairs staff as they are.
"""

from __future__ import annotations


class DangjianError(Exception):
    """Base class: anything raised with a message fit to show a user."""


class UnsupportedFile(DangjianError):
    """Users see this when a file's type is not one we can read (we never guess it is text)."""


class UnreadableFile(DangjianError):
    """Users see this when a file of a known type is broken, empty, encrypted or mis-encoded."""


class IndexMissing(DangjianError):
    """Users see this when they search before anything has been ingested into the data dir."""


class DiskFull(DangjianError):
    """Users see this when the disk holding the library is (nearly) full: the ingest stops at once,
    keeping what it wrote; a rerun after freeing space resumes."""


class ModelUnavailable(DangjianError):
    """Users see this when the configured embedding model cannot be loaded offline."""
