"""The storage interface of the WhatsApp transport: inbox, per-phone leases, outbox, statuses."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from store.models import utcnow

if TYPE_CHECKING:
    from store.turns import TurnWrite


class NewInbound(BaseModel):
    """An inbound WhatsApp message as received, before it gets its place in the inbox."""

    message_sid: str
    phone: str
    text: str = ""
    profile_name: str | None = None
    media_urls: list[str] = Field(default_factory=list)
    # The payload of a tapped button or list row (Twilio's ButtonPayload / ListId), if any.
    payload: str | None = Field(default=None, max_length=200)
    received_at: datetime = Field(default_factory=utcnow)


class InboundRecord(NewInbound):
    """An inbox entry; `seq` orders one phone's messages by arrival."""

    seq: int
    processed: bool = False


class OutboundPart(BaseModel):
    """One WhatsApp message of a reply, as the worker hands it to the outbox."""

    body: str
    media_url: str | None = None
    # A WhatsApp template (Twilio Content API): sent instead of `body`, which then only says
    # how the send reads in logs and transcripts. Variables are a JSON object as a string.
    content_sid: str | None = None
    content_variables: str | None = None


class PartStatus(StrEnum):
    """Where an outbox part is: waiting (first try or retry), accepted by Twilio, or given up."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxPart(OutboundPart):
    """A stored reply part: part `n` (0-based) of the reply to inbound `message_sid`."""

    message_sid: str
    n: int
    phone: str
    seq: int
    status: PartStatus = PartStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    sent_sid: str | None = None
    error: str | None = None
    delivery_status: str | None = None


class IdleRelease(NamedTuple):
    """A lease to give up in the same write that settles the last of a phone's work.

    The store releases it only when the phone has no work of that kind left (no unprocessed
    message, no pending part), checked in that write: a producer's insert then either comes
    before it (the holder sees the work and keeps going) or after it (the lease is free for
    whoever the producer wakes), so nothing waits for the recovery sweep.
    """

    key: str
    owner: str
    ttl_s: float  # to take the lease back where the store cannot check and release at once


class SentThen(NamedTuple):
    """What mark_sent_then did after marking the part sent."""

    attempts: int  # the attempt count of the next part (0 when none was given or found)
    released: bool  # the lease was given up: the phone had no pending part left


class StatusUpdate(NamedTuple):
    """One delivery status callback as Twilio posted it, for a part sent as `sent_sid`."""

    sent_sid: str
    status: str
    error_code: str | None = None


# Twilio's order of a message's statuses: a callback that arrives late (delivered after read)
# must not move the part back. Equal ranks: the later callback wins.
STATUS_RANK = {
    "accepted": 0, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "read": 5,
}  # fmt: skip


def status_rank(status: str) -> int:
    """Where `status` comes in a message's life (unknown ones first, so anything replaces them)."""
    return STATUS_RANK.get(status, -1)


class PartsClaim(NamedTuple):
    """A phone's pending parts, read with its outbox lease as claim_parts took it."""

    parts: list[OutboxPart]  # as stored before the claim
    counted: int  # the first part's attempt count after the claim counted it; 0: not counted


def sendable(part: OutboxPart, now: datetime, max_attempts: int) -> bool:
    """True when the part is due and has attempts left: its next attempt may be counted."""
    return as_utc(part.next_attempt_at) <= now and part.attempts < max_attempts


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime (BSON and SQLite hand back naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@runtime_checkable
class MessagingStore(Protocol):
    """Durable state for receiving and sending WhatsApp messages, safe across processes."""

    # -- inbox --
    def record_inbound(self, message: NewInbound) -> bool:
        """Store a message once per MessageSid; False when it was already recorded (a retry)."""
        ...

    def next_unprocessed(self, phone: str) -> InboundRecord | None:
        """The phone's oldest unprocessed message (arrival order), or None."""
        ...

    def get_inbound(self, message_sid: str) -> InboundRecord | None:
        """One inbox entry by MessageSid."""
        ...

    def count_recent(self, phone: str, since: datetime, up_to_seq: int) -> int:
        """How many of the phone's messages up to `up_to_seq` arrived after `since`."""
        ...

    def complete_inbound(self, message_sid: str, parts: list[OutboundPart]) -> bool:
        """Mark processed and enqueue its reply parts in one atomic step; False if already done."""
        ...

    def count_unprocessed_after(self, phone: str, seq: int) -> int:
        """How many of the phone's unprocessed messages arrived after `seq`."""
        ...

    def commit_turn(self, turn: TurnWrite) -> bool:
        """Write a whole turn (progress, chat lines, processed mark, reply parts) atomically.

        False when the turn's key was committed before; TurnConflict (nothing written) when
        the progress changed since the turn read it. See store/turns.py.
        """
        ...

    def commit_turn_releasing(self, turn: TurnWrite, lease: IdleRelease) -> tuple[bool, bool]:
        """commit_turn, and in the same write give up `lease` when the turn's phone has no
        unprocessed message left; (committed, released)."""
        ...

    def phones_with_unprocessed(self, limit: int = 1000) -> list[str]:
        """Phones that have unprocessed messages (for the recovery sweep)."""
        ...

    def enqueue_proactive(self, key: str, phone: str, part: OutboundPart) -> bool:
        """Queue a message Genie starts (a reminder) as part 0 of `key`, after the phone's
        queued replies; False when `key` was queued before (so a retry never sends twice)."""
        ...

    # -- leases: one owner per key across threads and processes --
    def acquire_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease when free, expired or already ours; True when we hold it now."""
        ...

    def renew_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Extend our lease; False when it is no longer ours."""
        ...

    def release_lease(self, key: str, owner: str) -> None:
        """Give up our lease (no effect when someone else holds it)."""
        ...

    # -- outbox --
    def next_part(self, phone: str) -> OutboxPart | None:
        """The phone's first pending part in (arrival, part) order, due or not."""
        ...

    def pending_parts(self, phone: str, limit: int = 20) -> list[OutboxPart]:
        """The phone's first `limit` pending parts in (arrival, part) order, due or not (one
        read for a whole reply; the lease holder works through them in that order)."""
        ...

    def parts_for(self, message_sid: str) -> list[OutboxPart]:
        """The reply parts of one inbound message, in order."""
        ...

    def record_attempt(self, message_sid: str, n: int) -> int:
        """Count one more send attempt (before sending, so crashes count too); the new count."""
        ...

    def claim_parts(
        self, phone: str, lease: IdleRelease, limit: int, max_attempts: int
    ) -> PartsClaim | None:
        """acquire_lease, and in the same write read the phone's first `limit` pending parts
        and count an attempt on the first if it is sendable; None when another owner holds
        the lease."""
        ...

    def mark_sent(self, message_sid: str, n: int, sent_sid: str) -> None:
        """Twilio accepted the part."""
        ...

    def mark_sent_then(
        self, message_sid: str, n: int, sent_sid: str, phone: str,
        next_part: tuple[str, int] | None, lease: IdleRelease,
    ) -> SentThen:  # fmt: skip
        """mark_sent, and in the same write either count an attempt on `next_part` (the
        phone's next part, due now) or, without one, give up `lease` when the phone has no
        pending part left."""
        ...

    def mark_failed(self, message_sid: str, n: int, error: str) -> None:
        """Give up on the part for good."""
        ...

    def reschedule(self, message_sid: str, n: int, next_attempt_at: datetime, error: str) -> None:
        """Try the part again at `next_attempt_at`."""
        ...

    def phones_with_pending_parts(self, limit: int = 1000) -> list[str]:
        """Phones that have pending outbox parts (for the recovery sweep)."""
        ...

    def part_by_sent_sid(self, sent_sid: str) -> OutboxPart | None:
        """The part Twilio accepted under `sent_sid` (to act on a failed status), or None."""
        ...

    # -- delivery status callbacks --
    def record_status(self, sent_sid: str, status: str, error_code: str | None) -> bool:
        """Log a status callback and update the part sent with that SID; True when one matched."""
        ...

    def record_statuses(self, updates: list[StatusUpdate]) -> list[bool]:
        """record_status for several callbacks in one write, in order; per update, whether a
        part matched. A part keeps the status latest in Twilio's order (status_rank)."""
        ...

    # -- lifecycle --
    def ping(self) -> bool:
        """True when the database answers."""
        ...

    def close(self) -> None:
        """Release connections this store opened."""
        ...
