"""A heartbeat for per-phone leases: one thread renews every lease this process's workers hold."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from store.messaging import MessagingStore

log = logging.getLogger("genie.whatsapp")


@dataclass
class HeldLease:
    """A lease a worker holds: when it was last renewed, and whether a renewal found it gone."""

    key: str
    owner: str
    renewed_at: float
    lost: bool = False


class LeaseKeeper:
    """Renews held leases every third of their TTL, so a lease can be short yet outlive a turn.

    A short lease bounds how long a crashed process blocks its partners (TTL plus one sweep);
    the heartbeat keeps a slow turn (a 13 s LLM answer) from losing its lease to another worker.
    """

    def __init__(self, store: MessagingStore, ttl_s: float) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.renew_every_s = ttl_s / 3
        self._tick_s = min(self.renew_every_s / 2, 1.0)
        self._held: dict[int, HeldLease] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wa-lease-keeper", daemon=True)

    def start(self) -> None:
        """Start the heartbeat thread."""
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop the heartbeat (bounded wait)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout_s)

    @property
    def alive(self) -> bool:
        """True while the heartbeat runs."""
        return self._thread.is_alive()

    @contextmanager
    def holding(self, key: str, owner: str) -> Iterator[HeldLease]:
        """Renew the lease `key` (just acquired by `owner`) until the block ends."""
        lease = HeldLease(key, owner, time.monotonic())
        with self._lock:
            self._held[id(lease)] = lease
        try:
            yield lease
        finally:
            with self._lock:
                self._held.pop(id(lease), None)

    def needs_renewal(self, lease: HeldLease) -> bool:
        """True when the heartbeat has fallen behind (stopped, or the store was unavailable)."""
        return time.monotonic() - lease.renewed_at > self.ttl_s / 2

    def renew(self, lease: HeldLease) -> bool:
        """Renew one lease now; False (and marked lost) when another owner has it."""
        renewed_at = time.monotonic()
        if self.store.renew_lease(lease.key, lease.owner, self.ttl_s):
            lease.renewed_at = renewed_at
            return True
        lease.lost = True
        return False

    def renew_due(self) -> None:
        """Renew every held lease whose last renewal is a third of the TTL old."""
        with self._lock:
            held = list(self._held.values())
        due = time.monotonic() - self.renew_every_s
        for lease in held:
            if lease.renewed_at > due or lease.lost:
                continue
            try:
                # A worker may have given the lease up meanwhile (with its last write).
                if not self.renew(lease) and self._holds(lease):
                    log.warning("lease %s was taken over by another worker", lease.key)
            except Exception as exc:  # store down: the next tick (or the worker) tries again
                log.warning("could not renew lease %s: %s", lease.key, exc)

    def _holds(self, lease: HeldLease) -> bool:
        with self._lock:
            return id(lease) in self._held

    def _run(self) -> None:
        while not self._stop.wait(self._tick_s):
            self.renew_due()
