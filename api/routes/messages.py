"""A JSON endpoint to talk to the engine directly: {phone, name, text} in, replies out."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from agent.messages import Inbound, Reply
from api.deps import EngineDep

router = APIRouter(prefix="/api", tags=["messages"])


class MessageIn(BaseModel):
    """A partner message."""

    phone: str = Field(min_length=3, max_length=32, pattern=r"^\+?[0-9]{3,20}$")
    name: str | None = Field(default=None, max_length=100)
    text: str = Field(max_length=4096)


class MessageOut(BaseModel):
    """The replies Genie would send, in order."""

    replies: list[Reply]
    intent: str
    session: int | None


@router.post("/messages")
def post_message(body: MessageIn, engine: EngineDep) -> MessageOut:
    """Handle one message with the real engine and storage, and return the replies."""
    phone = body.phone if body.phone.startswith("+") else f"+{body.phone}"
    result = engine.handle(Inbound(phone=phone, text=body.text, profile_name=body.name))
    return MessageOut(replies=result.replies, intent=result.intent.value, session=result.session)
