"""Plain data records shared by every store and the conversation engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

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
    # Optional extensions, stored as extra Training_KB fields (SQLite: the `extras` JSON
    # column). Each feature validates its own shape where it loads KB files.
    questions: list[str] = Field(default_factory=list)  # example questions (retrieval)
    quiz: dict[str, Any] | None = None  # knowledge check after the session
    translations: dict[str, dict[str, Any]] = Field(default_factory=dict)  # lang -> fields
    media: list[dict[str, Any]] = Field(default_factory=list)  # ordered media items


# TrainingSession fields that are optional extensions of the original Training_KB shape.
SESSION_EXTRAS = ("questions", "quiz", "translations", "media")


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
    # Extensions (SQLite: the `extras` JSON column; MongoDB: camelCase fields).
    language: str | None = None  # IETF tag, e.g. "en", "hi"; None = the default language
    timezone: str | None = None  # IANA name set by an admin; None = derived from the phone
    opted_out: bool = False  # said STOP: no proactive messages
    opted_out_at: datetime | None = None
    pending: str | None = None  # a question Genie asked and awaits (e.g. "confirm_restart")
    quiz: dict[str, Any] | None = None  # the quiz in progress, if any
    # Bumped by every write: a turn commits only if nobody wrote since it read (compare-and-set).
    version: int = 0


# Progress fields beyond the original Training_Progress shape.
PROGRESS_EXTRAS = ("language", "timezone", "opted_out", "opted_out_at", "pending", "quiz")


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
    language: str | None = None
    timezone: str | None = None
    opted_out: bool | None = None
    opted_out_at: datetime | None = None
    pending: str | None = None
    quiz: dict[str, Any] | None = None

    def explicit_fields(self) -> dict[str, object]:
        """The plain fields this update sets; an explicit None clears a field, except flags."""
        fields = self.model_dump(
            exclude_unset=True, exclude={"add_completed", "reset_completed", "clear_completed_at"}
        )
        return {
            k: v
            for k, v in fields.items()
            if v is not None or k not in ("in_training_mode", "training_started", "opted_out")
        }


Who = Literal["partner", "genie"]


class ChatOptions(BaseModel):
    """The buttons or list rows a reply offered, kept so the transcript can show them."""

    kind: Literal["buttons", "list"]
    titles: list[str] = Field(min_length=1, max_length=10)
    button: str | None = None  # the list's opening button ("Sessions")


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
    options: ChatOptions | None = None  # a Genie line's buttons or list (text says the same)
