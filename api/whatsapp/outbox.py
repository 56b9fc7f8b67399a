"""Deliver each partner's outbox in order, with bounded exponential backoff on transient errors."""

from __future__ import annotations

import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from pydantic import ValidationError

from api.logging_setup import log_context, mask_phone
from api.whatsapp.lease_keeper import LeaseKeeper
from api.whatsapp.lease_loop import Step, drain
from api.whatsapp.persist import persist_after_effect
from api.whatsapp.sender import OutboundMessage, Sender, SendResult
from store.messaging import IdleRelease, MessagingStore, OutboxPart, sendable
from store.models import utcnow

log = logging.getLogger("genie.whatsapp")

# Told about every part given up for good: (part, Twilio error code, error). Reminders use it
# to send their template when Twilio refuses the free-form text outside the 24-h window (63016).
GiveUpHook = Callable[[OutboxPart, int | None, str], None]
READ_AHEAD = 20  # pending parts read at once: a reply's parts, and then some


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per part, and the exponential delay between them (with ±20 % jitter, capped)."""

    max_attempts: int = 6
    base_s: float = 1.0
    max_s: float = 60.0

    def delay_s(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        delay = self.base_s * 2 ** max(0, attempts - 1)
        # Jitter spreads the retries of many partners after an outage.
        return min(self.max_s, delay * random.uniform(0.8, 1.2))


class _Tried(NamedTuple):
    """A settled send: the SID Twilio accepted the part under (None: given up), the attempt."""

    sent_sid: str | None
    attempts: int


@dataclass
class _Queue:
    """One phone's pending parts, read once per reply instead of once per part.

    Only the lease holder sends or settles them, so the list stays true while the lease is
    held; it is dropped whenever the lease is released (has_work runs after each release).
    `counted` is the first part's attempt count when the previous part's write recorded it.
    """

    parts: deque[OutboxPart] = field(default_factory=deque)
    counted: int = 0

    def clear(self) -> None:
        """Forget what was read."""
        self.parts.clear()
        self.counted = 0


class OutboxDeliverer:
    """Sends one phone's pending parts under its lease: part n+1 only after n is settled."""

    def __init__(
        self,
        messaging: MessagingStore,
        sender: Sender,
        schedule: Callable[[str, float], None],
        *,
        policy: RetryPolicy,
        lease_s: float,
        stopping: threading.Event,
        keeper: LeaseKeeper | None = None,
        on_give_up: GiveUpHook | None = None,
    ) -> None:
        self.messaging = messaging
        self.on_give_up = on_give_up
        self.sender = sender
        self.schedule = schedule
        self.policy = policy
        self.lease_s = lease_s
        self.stopping = stopping
        self.keeper = keeper

    def deliver_phone(self, phone: str) -> None:
        """Send what is due for the phone; returns at once if another worker has it."""
        queue = _Queue()

        def claim(lease: IdleRelease) -> bool:
            limit, max_attempts = READ_AHEAD, self.policy.max_attempts
            claimed = self.messaging.claim_parts(phone, lease, limit, max_attempts)
            if claimed is None:
                return False
            queue.parts, queue.counted = deque(claimed.parts), claimed.counted
            return True

        def has_work() -> bool:
            queue.clear()
            return self.messaging.next_part(phone) is not None

        drain(
            self.messaging, f"outbox:{phone}", self.lease_s,
            lambda lease: self._step(phone, queue, lease), has_work, self.keeper, claim,
        )  # fmt: skip

    def _step(self, phone: str, queue: _Queue, lease: IdleRelease) -> Step:
        if self.stopping.is_set():
            return Step.WAIT
        if not queue.parts:
            queue.parts.extend(self.messaging.pending_parts(phone, READ_AHEAD))
            if not queue.parts:
                return Step.IDLE
        part = queue.parts[0]
        wait_s = (part.next_attempt_at - utcnow()).total_seconds()
        if wait_s > 0:
            self.schedule(phone, wait_s)
            return Step.WAIT
        queue.parts.popleft()
        counted, queue.counted = queue.counted, 0
        with log_context(part.message_sid):
            tried = self._send(part, counted)
            if tried is None:
                queue.clear()  # rescheduled: the next step reads it again, with its new due time
            elif tried.sent_sid is not None:
                return self._mark_sent(part, tried, queue, lease)
        return Step.WORKED

    def _send(self, part: OutboxPart, counted: int) -> _Tried | None:
        """Try the part once (its attempt `counted` already, else counted now); None when it
        was rescheduled."""
        sid, n, to = part.message_sid, part.n, mask_phone(part.phone)
        if part.attempts >= self.policy.max_attempts:
            # Only reachable when a crash interrupted the last attempt.
            self._fail(part, f"gave up after {part.attempts} attempts; last error: {part.error}")
            return _Tried(None, part.attempts)
        attempts = counted or self.messaging.record_attempt(sid, n)
        try:
            outbound = OutboundMessage(
                to=part.phone, body=part.body, media_url=part.media_url,
                content_sid=part.content_sid, content_variables=part.content_variables,
            )  # fmt: skip
        except ValidationError as exc:
            self._fail(part, f"invalid message: {exc.errors()[0]['msg']}")
            return _Tried(None, attempts)
        result = self._try_send(outbound)
        if result.ok:
            return _Tried(result.sid or "unknown", attempts)
        if result.retryable and attempts < self.policy.max_attempts:
            delay_s = self.policy.delay_s(attempts)
            at = utcnow() + timedelta(seconds=delay_s)
            self.messaging.reschedule(sid, n, at, result.error or "unknown error")
            log.warning(
                "send of part %d to %s failed (attempt %d/%d), retry in %.2f s: %s",
                n + 1, to, attempts, self.policy.max_attempts, delay_s, result.error,
            )  # fmt: skip
            return None
        self._fail(part, result.error or "unknown error", result.error_code)
        return _Tried(None, attempts)

    def _mark_sent(
        self, part: OutboxPart, tried: _Tried, queue: _Queue, lease: IdleRelease
    ) -> Step:
        """Save the accepted send, and in that same write count the attempt on the next part
        when it is due, or give the lease up when nothing is left: one write per part."""
        following = queue.parts[0] if queue.parts else None
        if following is not None and not sendable(following, utcnow(), self.policy.max_attempts):
            following = None
        then = persist_after_effect(
            lambda: self.messaging.mark_sent_then(
                part.message_sid, part.n, tried.sent_sid or "unknown", part.phone,
                (following.message_sid, following.n) if following else None, lease,
            ),
            "a sent part", self.lease_s / 2, self.stopping,
        )  # fmt: skip
        queue.counted = then.attempts
        to = mask_phone(part.phone)
        log.info("sent part %d to %s (attempt %d)", part.n + 1, to, tried.attempts)
        return Step.RELEASED if then.released else Step.WORKED

    def _try_send(self, outbound: OutboundMessage) -> SendResult:
        try:
            return self.sender.send(outbound)
        except Exception as exc:  # a sender must not raise; if one does, treat it as transient
            log.exception("sender raised")
            return SendResult(ok=False, retryable=True, error=f"sender raised: {exc!r}")

    def _fail(self, part: OutboxPart, error: str, error_code: int | None = None) -> None:
        self.messaging.mark_failed(part.message_sid, part.n, error)
        log.error("gave up on part %d to %s: %s", part.n + 1, mask_phone(part.phone), error)
        if self.on_give_up is not None:
            try:
                self.on_give_up(part, error_code, error)
            except Exception:  # the part is settled either way; the hook's owner logs its own
                log.exception("give-up hook failed for part %d of %s", part.n + 1, part.message_sid)
