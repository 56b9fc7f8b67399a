"""Replies the fake Twilio accepted, per partner phone, with asyncio wake-ups for the partners."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from evals.fakes.twilio_api import FakeMessage


@dataclass(frozen=True)
class Received:
    """One reply as the partner got it: text and when Twilio accepted it (monotonic)."""

    text: str
    at: float


class ReplyBook:
    """Collects accepted messages from fake-Twilio handler threads; partners await them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._by_phone: dict[str, list[Received]] = defaultdict(list)
        self._events: dict[str, asyncio.Event] = {}
        self.last_at = 0.0

    def on_message(self, message: FakeMessage) -> None:
        """The fake Twilio's callback (any thread): file the reply and wake its partner."""
        phone = message.to.removeprefix("whatsapp:")
        with self._lock:
            self._by_phone[phone].append(Received(message.body, message.accepted_at))
            self.last_at = message.accepted_at
        self._loop.call_soon_threadsafe(self._wake, phone)

    def _wake(self, phone: str) -> None:
        event = self._events.get(phone)
        if event is not None:
            event.set()

    def received(self, phone: str, start: int = 0) -> list[Received]:
        """The phone's replies from index `start`, in acceptance order."""
        with self._lock:
            return list(self._by_phone[phone][start:])

    def count(self, phone: str) -> int:
        """How many replies the phone got so far."""
        with self._lock:
            return len(self._by_phone[phone])

    async def wait_for_more(self, phone: str, seen: int, deadline: float) -> bool:
        """Wait until the phone has more than `seen` replies; False at the deadline."""
        event = self._events.setdefault(phone, asyncio.Event())
        while self.count(phone) <= seen:
            event.clear()
            if self.count(phone) > seen:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return self.count(phone) > seen
        return True

    async def settle(self, quiet_s: float, limit_s: float) -> None:
        """Wait until no reply arrived for `quiet_s` (late duplicates land), at most `limit_s`."""
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            with self._lock:
                last = self.last_at
            if time.monotonic() - last >= quiet_s:
                return
            await asyncio.sleep(min(quiet_s / 4, 0.25))
