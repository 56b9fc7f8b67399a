"""Read Twilio's inbound WhatsApp webhook form into a NewInbound for the inbox."""

from __future__ import annotations

import re
from collections.abc import Mapping

from store.messaging import NewInbound

WHATSAPP_FROM = re.compile(r"^whatsapp:(\+[1-9]\d{6,14})$")
_MESSAGE_SID = re.compile(r"^[A-Za-z]{2}[0-9A-Za-z]{10,62}$")
MAX_STORED_CHARS = 5000  # the engine answers anything over its own limit with "too long"
MAX_MEDIA = 10  # WhatsApp allows one attachment, Twilio's form up to 10
MAX_NAME_CHARS = 100
MAX_PAYLOAD_CHARS = 200  # Twilio's limit for a list row id; Genie's payloads are far shorter


class IgnoredMessage(ValueError):
    """The request is signed but is not a WhatsApp message we can answer."""


def parse_inbound(form: Mapping[str, str]) -> NewInbound:
    """The message in a Twilio webhook form; raises IgnoredMessage with the reason otherwise."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    if not _MESSAGE_SID.match(sid):
        raise IgnoredMessage("no valid MessageSid")
    sender = WHATSAPP_FROM.match(form.get("From", "").strip())
    if sender is None:
        raise IgnoredMessage("From is not a whatsapp:+E.164 address")
    payload, title = _tap(form)
    return NewInbound(
        message_sid=sid,
        phone=sender.group(1),
        # A tap's Body is the button's title; the title fields stand in if it ever is empty,
        # so the transcript shows what the partner tapped.
        text=(form.get("Body") or title)[:MAX_STORED_CHARS],
        profile_name=(form.get("ProfileName") or "").strip()[:MAX_NAME_CHARS] or None,
        media_urls=_media_urls(form),
        payload=payload,
    )


def _tap(form: Mapping[str, str]) -> tuple[str | None, str]:
    """(payload, title) of a tapped quick-reply button (ButtonPayload, ButtonText) or list
    row (ListId, ListTitle); (None, "") for a typed message."""
    for id_field, title_field in (("ButtonPayload", "ButtonText"), ("ListId", "ListTitle")):
        payload = (form.get(id_field) or "").strip()
        if payload:
            return payload[:MAX_PAYLOAD_CHARS], (form.get(title_field) or "").strip()
    return None, ""


def _media_urls(form: Mapping[str, str]) -> list[str]:
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        count = 0
    urls = (form.get(f"MediaUrl{i}", "") for i in range(min(max(count, 0), MAX_MEDIA)))
    return [url for url in urls if url.startswith(("https://", "http://"))]
