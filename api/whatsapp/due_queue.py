"""A thread-safe queue of phones with work to do, each queued once, handed out when due."""

from __future__ import annotations

import heapq
import threading
import time


class DueQueue:
    """Phones waiting for a worker; a phone queued twice keeps its earlier due time."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, str]] = []
        self._due: dict[str, float] = {}
        self._closed = False

    def put(self, phone: str, delay_s: float = 0.0) -> None:
        """Queue the phone to be handed out after `delay_s` seconds."""
        at = time.monotonic() + max(0.0, delay_s)
        with self._cond:
            current = self._due.get(phone)
            if self._closed or (current is not None and current <= at):
                return
            self._due[phone] = at
            heapq.heappush(self._heap, (at, phone))
            self._cond.notify()

    def get(self, timeout_s: float) -> str | None:
        """The next due phone, or None after `timeout_s` or once closed."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not self._closed:
                # Entries superseded by an earlier put for the same phone are skipped.
                while self._heap and self._due.get(self._heap[0][1]) != self._heap[0][0]:
                    heapq.heappop(self._heap)
                now = time.monotonic()
                if self._heap and self._heap[0][0] <= now:
                    _, phone = heapq.heappop(self._heap)
                    del self._due[phone]
                    return phone
                if now >= deadline:
                    return None
                wake = min(deadline, self._heap[0][0]) if self._heap else deadline
                self._cond.wait(wake - now)
        return None

    def close(self) -> None:
        """Wake every waiting worker; later puts are ignored."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._due)
