"""Request and response bodies of the admin API, with the content validation rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, StringConstraints, field_validator

from store.models import ChatEntry, Progress, TrainingSession
from store.partner_list import PartnerSummary

S_NO_MAX = 999
HEADING_MAX = 200
CONTENT_MAX = 12_000  # about eight WhatsApp messages
MEDIA_URL_MAX = 2_000


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Heading = Annotated[str, _text(HEADING_MAX)]
Content = Annotated[str, _text(CONTENT_MAX)]
SessionNumber = Annotated[int, Field(ge=1, le=S_NO_MAX)]


class SessionBody(BaseModel):
    """A session's editable text: heading, content and an optional media URL."""

    heading: Heading
    content: Content
    media_url: str | None = Field(default=None, max_length=MEDIA_URL_MAX)

    @field_validator("media_url")
    @classmethod
    def _media_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        web = parts.scheme in ("http", "https") and bool(parts.netloc)
        if not web or any(c.isspace() for c in value):
            raise ValueError("media_url must be an http(s) URL, e.g. https://example.com/guide.pdf")
        return value


class SessionCreate(SessionBody):
    """A new session with its number (unique)."""

    s_no: SessionNumber


class PreviewBody(SessionBody):
    """Text to preview as WhatsApp messages, addressed to a partner name."""

    s_no: SessionNumber = 1
    name: str | None = Field(default=None, max_length=100)
    media: list[dict[str, Any]] | None = None  # None: the stored session's media items


class PreviewPart(BaseModel):
    """One WhatsApp message of the preview."""

    text: str
    media_url: str | None = None
    chars: int
    options: list[str] = Field(default_factory=list)  # button or list titles shown with it


class PreviewOut(BaseModel):
    """A session as the partner will receive it, split into WhatsApp parts."""

    parts: list[PreviewPart]


class ReorderBody(BaseModel):
    """Every current session number, in the new order; numbers are then reassigned in order."""

    order: list[int] = Field(min_length=1, max_length=S_NO_MAX)


class RestoreOut(BaseModel):
    """The session after an undo (None when the undo deleted it)."""

    s_no: int
    session: TrainingSession | None


class SessionProgress(BaseModel):
    """One session from a partner's point of view."""

    s_no: int
    heading: str
    state: str  # completed, current or open
    messages: int


class RateLimitView(BaseModel):
    """The per-partner message limit, and how many of this partner's messages it held back."""

    messages: int
    window_s: float
    held_back: int  # transcript lines with source "rate_limited" (the partner's own)


class PartnerDetail(BaseModel):
    """A partner's progress with one row per session."""

    partner: PartnerSummary
    sessions: list[SessionProgress]
    rate_limit: RateLimitView | None = None


class Transcript(BaseModel):
    """A partner's chat lines, oldest first: all of them, or one session's."""

    phone: str
    name: str | None
    session: int | None
    headings: dict[int, str]
    entries: list[ChatEntry]


class ResetOut(BaseModel):
    """A partner's progress after a reset."""

    progress: Progress


class EraseOut(BaseModel):
    """What an erasure deleted, per table or collection."""

    phone: str
    deleted: dict[str, int]
    erased_at: datetime
