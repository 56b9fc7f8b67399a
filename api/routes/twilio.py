"""Twilio's WhatsApp webhooks: inbound messages and delivery status callbacks.

Plain Starlette routes, the hottest path of the service: FastAPI's dependency solving and
form parsing cost more CPU than recording the message, and create_app serves them through
api.lean_entry (the app's middleware without FastAPI's generic layers). They read what they need
through api.deps.resolve (so app.dependency_overrides still apply) and check the signature with
api.whatsapp.signature.signed_form (415, 400 or 403 as JSON, like FastAPI's errors).
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.deps import get_app_settings, get_messaging, get_whatsapp, resolve
from api.logging_setup import mask_phone, note_on_request_line
from api.whatsapp.inbound_form import IgnoredMessage, parse_inbound
from api.whatsapp.inbox_insert import record_inbound
from api.whatsapp.outbox import GiveUpHook
from api.whatsapp.signature import signed_form
from api.whatsapp.status_write import Backlog, record_status
from store.base import StoreUnavailable
from store.messaging import STATUS_RANK, MessagingStore, StatusUpdate

WEBHOOK_PATH = "/api/webhook/twilio"
log = logging.getLogger("genie.whatsapp")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def empty_twiml() -> Response:
    """Twilio's "nothing to say now": replies go out later through the REST API."""
    return Response(EMPTY_TWIML, media_type="application/xml")


async def inbound_message(request: Request) -> Response:
    """Record the message once (by MessageSid), queue it for the workers, answer at once."""
    form = await signed_form(request, await resolve(request, get_app_settings))
    messaging = await resolve(request, get_messaging)
    try:
        message = parse_inbound(form)
    except IgnoredMessage as exc:
        log.info("webhook ignored: %s", exc)
        return empty_twiml()
    try:
        new = await record_inbound(messaging, message)
    except StoreUnavailable as exc:
        # A 5xx makes Twilio log error 11200 (and retry where retries are configured).
        log.error("could not record message %s: %s", message.message_sid, exc)
        return Response(status_code=503)
    if not new:
        log.info("duplicate delivery of %s ignored", message.message_sid)
        return empty_twiml()
    if log.isEnabledFor(logging.INFO):
        note = (
            f"received {message.message_sid} from {mask_phone(message.phone)}: "
            f"{len(message.text)} chars, {len(message.media_urls)} media"
        )
        note_on_request_line(request.scope, note, log)
    log.debug("body of %s: %r", message.message_sid, message.text)
    (await resolve(request, get_whatsapp)).notify_inbound(message.phone)
    return empty_twiml()


async def delivery_status(request: Request) -> Response:
    """Record a delivery status callback (sent, delivered, read, failed ...) for a sent part,
    together with the others waiting (api/whatsapp/status_write.py); answer once committed."""
    form = await signed_form(request, await resolve(request, get_app_settings))
    messaging = await resolve(request, get_messaging)
    sid = form.get("MessageSid", "")
    status = form.get("MessageStatus", "").lower()
    if not sid or status not in STATUS_RANK:
        log.info("status callback ignored: sid %r, status %r", sid[:40], status[:20])
        return Response(status_code=204)
    error_code = form.get("ErrorCode") or None
    try:
        matched = await record_status(messaging, StatusUpdate(sid, status, error_code))
    except (StoreUnavailable, Backlog) as exc:
        log.error("could not record status of %s: %s", sid, exc)
        return Response(status_code=503)
    level = logging.WARNING if status in ("failed", "undelivered") else logging.INFO
    if log.isEnabledFor(level):
        error = f" (error {error_code})" if error_code else ""
        log.log(level, "status %s for %s%s", status, sid, error)
    if not matched:
        log.info("status for %s matched no outbox part (sent by something else?)", sid)
    elif status in ("failed", "undelivered"):
        # Twilio mostly reports 63016 (outside the 24-h window) here, not in the send's answer.
        hook = getattr(request.app.state, "on_delivery_failed", None)
        if hook is not None:
            await run_in_threadpool(_tell_hook, hook, messaging, sid, status, error_code)
    return Response(status_code=204)


def _tell_hook(
    hook: GiveUpHook, messaging: MessagingStore, sid: str, status: str, code: str | None
) -> None:
    """Hand the failed part to the hook (the reminders' 63016 fallback); never raises."""
    try:
        part = messaging.part_by_sent_sid(sid)
        if part is not None:
            number = int(code) if code and code.isdigit() else None
            hook(part, number, f"delivery {status} (error {code})")
    except Exception:  # the status is recorded; Twilio must not retry the callback for this
        log.exception("delivery-failure hook failed for %s", sid)


routes = [
    Route(WEBHOOK_PATH, inbound_message, methods=["POST"]),
    Route(WEBHOOK_PATH + "/status", delivery_status, methods=["POST"]),
]
