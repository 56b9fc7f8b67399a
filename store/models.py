"""Plain data records shared by every store and the conversation engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class TrainingSession(BaseModel):
    """One training session of the knowledge base (a row of Training_KB)."""

    s_no: int = Field(ge=1)
    heading: str = Field(min_length=1)
    content: str = Field(min_length=1)
    media_url: str | None = None


class Progress(BaseModel):
    """A partner's training progress (a document of Training_Progress)."""

    phone: str
    name: str | None = None
    current_section: int | None = None
    completed_sections: list[int] = Field(default_factory=list)
    in_training_mode: bool = False
    training_started: bool = False
    started_at: datetime | None = None
    completed_at: datetime | None = None
    last_updated: datetime | None = None
    created_at: datetime | None = None


class ProgressUpdate(BaseModel):
    """One atomic change to a partner's progress; unset fields are left alone.

    Stores apply it in a single atomic operation (upserting the record), so two
    concurrent updates to one partner never lose each other's changes.
    """

    name: str | None = None
    current_section: int | None = None
    in_training_mode: bool | None = None
    training_started: bool | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    clear_completed_at: bool = False
    add_completed: list[int] = Field(default_factory=list)
    reset_completed: bool = False

    def explicit_fields(self) -> dict[str, object]:
        """The plain fields this update sets; an explicit None clears a field, except flags."""
        fields = self.model_dump(
            exclude_unset=True, exclude={"add_completed", "reset_completed", "clear_completed_at"}
        )
        return {
            k: v
            for k, v in fields.items()
            if v is not None or k not in ("in_training_mode", "training_started")
        }


Who = Literal["partner", "genie"]


class ChatEntry(BaseModel):
    """One line of a partner's chat history, tagged with the session it belongs to."""

    phone: str
    who: Who
    text: str
    time: datetime = Field(default_factory=utcnow)
    intent: str | None = None
    session: int | None = None
    source: str | None = None  # how the turn was understood: keyword, fuzzy, llm, fallback
    message_id: str | None = None  # the WhatsApp MessageSid of the turn this line belongs to
