"""Developer endpoint for `genie chat --url`: the replies to one message, as they are sent."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import MessagingDep, SenderDep, SettingsDep
from api.whatsapp.sender import TwilioSender
from api.whatsapp.signature import VerifiedForm

router = APIRouter(prefix="/api/dev", tags=["dev"])


class PartOut(BaseModel):
    """One reply part and how far it got."""

    n: int
    body: str
    media_url: str | None
    status: str
    attempts: int
    error: str | None


class RepliesOut(BaseModel):
    """Whether the message was processed yet, and its reply parts in order."""

    message_sid: str
    processed: bool
    parts: list[PartOut]


@router.get("/replies/{message_sid}")
async def replies(
    message_sid: str,
    _signed: VerifiedForm,
    settings: SettingsDep,
    sender: SenderDep,
    messaging: MessagingDep,
) -> RepliesOut:
    """Signed like a webhook; only without a real Twilio sender unless DEV_ENDPOINTS is set."""
    if isinstance(sender, TwilioSender) and not settings.dev_endpoints:
        raise HTTPException(status_code=404)
    record = await run_in_threadpool(messaging.get_inbound, message_sid)
    if record is None:
        raise HTTPException(status_code=404, detail="unknown message")
    parts = await run_in_threadpool(messaging.parts_for, message_sid)
    return RepliesOut(
        message_sid=message_sid,
        processed=record.processed,
        parts=[PartOut(**p.model_dump(include=set(PartOut.model_fields))) for p in parts],
    )
