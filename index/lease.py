"""One writer per library across machines: a lease record in the Chroma server.

With a Chroma server, writers on different machines have different data dirs, so the lock file
(index/writer.py) cannot see them. The library's write lease is one record in a collection of its
own on the server, naming its holder (host, pid, a random part), a heartbeat count and a time to
live. The holder renews it every ttl/3 from a background thread; a waiter that sees the same
record unchanged for its ttl, on its own clock, takes it over (so a killed writer holds the library
for one ttl at most, and machines need no synchronised clocks). Readers never look at it.

Chroma has no compare-and-swap, so acquiring is: read; if free, expired or ours, write our name;
wait the settle time; read again; we hold the lease only if it still names us. Two writers that both
read "free" both write, and the last write wins: each re-reads after the settle time, after both
writes have landed, so exactly one sees its own name. The residual race: a writer paused between
its read and its write for longer than the settle time (a suspended machine, a stalled network)
writes over a lease that another has already confirmed, and both write. The gap between the two
calls is a few milliseconds, so a settle time of seconds (DANGJIAN_WRITE_SETTLE_SECONDS) closes it
in practice; likewise a holder whose heartbeat stalls for a whole ttl loses the lease while still
writing, so the ttl (DANGJIAN_WRITE_LEASE_SECONDS) is far above any heartbeat delay. A renewal
that finds another name stops renewing and never writes over it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import NamedTuple, Protocol


class LeaseRecord(NamedTuple):
    """The lease as stored: who holds it, how many times it was renewed, seconds it lives unrenewed."""

    holder: str
    beat: int
    ttl: float


class LeaseSlot(Protocol):
    """Where the record lives (index/vector_store.py keeps it in the Chroma server)."""

    def read(self) -> LeaseRecord | None: ...

    def write(self, record: LeaseRecord) -> None: ...

    def clear(self, holder: str) -> None:
        """Delete the record if it names `holder`."""


def holder_name() -> str:
    """Unique among every process of every machine: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ServerLease:
    """The library's write lease: `acquire` before a write, `release` after it."""

    def __init__(self, slot: LeaseSlot, ttl: float, settle: float) -> None:
        self.slot = slot
        self.ttl = ttl
        self.settle = settle
        self.holder = holder_name()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def acquire(self, deadline: float, on_wait: Callable[[], object]) -> bool:
        """Take the lease by time.monotonic() `deadline`; call `on_wait` while another holds it."""
        seen: tuple[LeaseRecord, float] | None = None  # another's record and since when it is unchanged
        while True:
            record = self.slot.read()
            now = time.monotonic()
            if record is not None and record.holder != self.holder:
                if seen is None or seen[0] != record:
                    seen = (record, now)
                if now - seen[1] < record.ttl:  # renewed within its ttl: its holder is alive
                    if now >= deadline:
                        return False
                    on_wait()
                    time.sleep(min(self.settle, deadline - now))
                    continue
            self.slot.write(LeaseRecord(self.holder, 0, self.ttl))
            time.sleep(self.settle)
            confirmed = self.slot.read()
            if confirmed is not None and confirmed.holder == self.holder:
                self._stop.clear()
                self._heartbeat = threading.Thread(target=self._renew, name="write-lease", daemon=True)
                self._heartbeat.start()
                return True
            if time.monotonic() >= deadline:
                return False

    def _renew(self) -> None:
        beat = 0
        while not self._stop.wait(self.ttl / 3):
            try:
                record = self.slot.read()
                if record is None or record.holder != self.holder:
                    return  # lost (see the module docstring): never write over another holder
                beat += 1
                self.slot.write(LeaseRecord(self.holder, beat, self.ttl))
            except Exception:  # noqa: BLE001 - a failed renewal is retried at the next beat
                continue

    def release(self) -> None:
        """Stop renewing and delete the record if it is still ours."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
            self._heartbeat = None
        self.slot.clear(self.holder)
