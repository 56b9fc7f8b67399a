"""A turn as one unit of storage: progress change, chat lines and reply parts, all or nothing."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from store.messaging import OutboundPart
from store.models import ChatEntry, Progress, ProgressUpdate
from store.quiz_store import Feedback, QuizAnswer


class TurnConflict(RuntimeError):
    """The partner's progress changed after the turn read it; nothing was written."""


class TurnWrite(BaseModel):
    """Everything one turn writes; a store commits it atomically or not at all.

    `key` makes the commit idempotent (the inbound MessageSid, or a fresh id for channels
    without one): committing the same key twice writes nothing the second time.
    """

    key: str
    phone: str
    # The progress version the turn read (None: no record existed); the commit is a
    # compare-and-set against it, so a concurrent writer makes the turn retry, not corrupt.
    base_version: int | None = None
    progress: Progress | None = None  # the state after the turn; None = progress untouched
    lines: list[ChatEntry] = Field(default_factory=list)
    # Written with the turn, so a turn handled again after a failed commit records them once.
    quiz_answers: list[QuizAnswer] = Field(default_factory=list)
    feedback: list[Feedback] = Field(default_factory=list)
    # Set by the WhatsApp inbox: mark this inbound processed and enqueue `parts` with the turn.
    inbound_sid: str | None = None
    parts: list[OutboundPart] = Field(default_factory=list)


def merge_progress(current: Progress, update: ProgressUpdate, now: datetime) -> Progress:
    """The progress after applying `update` to `current` (the rule every store follows)."""
    completed = [] if update.reset_completed else list(current.completed_sections)
    completed = list(dict.fromkeys(completed + update.add_completed))
    fields = update.explicit_fields()
    if update.clear_completed_at:
        fields["completed_at"] = None
    return current.model_copy(
        update={**fields, "completed_sections": sorted(completed), "last_updated": now}
    )


def new_progress(phone: str, now: datetime) -> Progress:
    """The record a partner's first write creates."""
    return Progress(phone=phone, created_at=now, last_updated=now)
