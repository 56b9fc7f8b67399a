"""At most N model calls in flight per process, and a shared pause after the provider says 429."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_COOLDOWN_S = 8.0


class LLMBusy(RuntimeError):
    """No model call slot freed up within the turn's time budget."""


class LLMGate:
    """A semaphore over model calls plus a cool-down after rate-limit answers (bounded backoff).

    The OpenAI client already retries a 429 once after its Retry-After; the gate makes the
    other turns of this process hold back too, doubling the pause on each further 429 up to
    MAX_COOLDOWN_S, and resetting it after a call succeeds.
    """

    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._cooldown_s = 0.0

    @contextmanager
    def call(self, budget_s: float) -> Iterator[None]:
        """Hold a slot for one model call; LLMBusy when none frees up within `budget_s`."""
        deadline = time.monotonic() + max(budget_s, 0.0)
        with self._lock:
            pause_s = self._paused_until - time.monotonic()
        if pause_s > 0:
            if time.monotonic() + pause_s >= deadline:
                raise LLMBusy(f"model rate-limited; paused for {pause_s:.1f} s")
            time.sleep(pause_s)
        if not self._slots.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            raise LLMBusy(f"all {self.concurrency} model call slots busy")
        try:
            yield
        finally:
            self._slots.release()

    def rate_limited(self) -> None:
        """The provider answered 429: pause new calls (1 s, doubling, at most MAX_COOLDOWN_S)."""
        with self._lock:
            self._cooldown_s = min(MAX_COOLDOWN_S, max(1.0, self._cooldown_s * 2))
            self._paused_until = time.monotonic() + self._cooldown_s

    def succeeded(self) -> None:
        """A call went through: the next 429 starts the backoff from 1 s again."""
        with self._lock:
            self._cooldown_s = 0.0
