"""The transport-neutral inbound message and outbound reply handled by the engine."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from agent.interactive import Interactive
from store.models import utcnow


class Inbound(BaseModel):
    """A message from a partner, whatever channel it came through."""

    phone: str
    text: str = ""
    profile_name: str | None = None
    message_id: str | None = None
    media_urls: list[str] = Field(default_factory=list)
    payload: str | None = None  # a tapped button's or list row's payload (WhatsApp)
    received_at: datetime = Field(default_factory=utcnow)


class Reply(BaseModel):
    """One outgoing WhatsApp message (≤ 1,600 characters), optionally with media."""

    text: str
    media_url: str | None = None
    interactive: Interactive | None = None  # buttons or a list; the text says the same
