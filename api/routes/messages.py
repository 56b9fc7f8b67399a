"""A JSON endpoint to talk to the engine as a partner: {phone, name, text} in, replies out.

Off by default (MESSAGES_API_ENABLED); when on, it needs a bearer token, and each message goes
through the same inbox as WhatsApp's: the same per-partner order and lease, the same rate limit,
the same transcript. Its replies come back in the HTTP answer and are not sent on WhatsApp.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from agent.messages import Reply
from api.deps import SettingsDep, WhatsAppDep
from api.messages_auth import MessagesClient
from api.whatsapp.rate_limit import RATE_LIMITED
from api.whatsapp.turn_results import API_SID_PREFIX
from store.messaging import NewInbound

router = APIRouter(prefix="/api", tags=["messages"])


class MessageIn(BaseModel):
    """A partner message."""

    phone: str = Field(min_length=3, max_length=32, pattern=r"^\+?[0-9]{3,20}$")
    name: str | None = Field(default=None, max_length=100)
    text: str = Field(max_length=4096)


class MessageOut(BaseModel):
    """The replies Genie gives, in order."""

    replies: list[Reply]
    intent: str
    session: int | None


@router.post("/messages")
def post_message(
    body: MessageIn, _client: MessagesClient, service: WhatsAppDep, settings: SettingsDep
) -> MessageOut:
    """Queue the message in the partner's inbox, wait for its turn, and return the replies."""
    phone = body.phone if body.phone.startswith("+") else f"+{body.phone}"
    sid = f"{API_SID_PREFIX}{uuid.uuid4().hex}"
    results = service.processor.results
    results.expect(sid)
    inbound = NewInbound(message_sid=sid, phone=phone, text=body.text, profile_name=body.name)
    service.messaging.record_inbound(inbound)
    service.notify_inbound(phone)
    result = results.wait(sid, settings.messages_api_timeout_s)
    if result is None:
        # The message is in the inbox and will be answered; the transcript will show it.
        raise HTTPException(504, "The message was queued but not answered in time")
    if result.source == RATE_LIMITED:
        raise HTTPException(429, "Too many messages for this partner; this one was skipped")
    return MessageOut(replies=result.replies, intent=result.intent.value, session=result.session)
