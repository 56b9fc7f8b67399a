"""A turn's replies as outbox parts: text within WhatsApp's limit, buttons or lists as content.

The reply's text always goes as it is (the same words the console shows); the buttons or
list follow it as one more part: a Twilio content send (`content_sid` + `content_variables`,
no body). They are left out, and the text alone stands, when interactive messages are off,
when the template is not synced yet, or when the partner's message is too old for WhatsApp's
24-hour window (a list picker cannot start a conversation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from agent.interactive import Interactive
from agent.messages import Reply
from agent.splitter import WHATSAPP_LIMIT, split_message
from api.whatsapp.templates import content_for
from store.base import StoreUnavailable
from store.content_templates import TemplateRegistry
from store.messaging import OutboundPart, as_utc
from store.models import utcnow

log = logging.getLogger("genie.whatsapp")
# Under WhatsApp's 24 h, so a part retried for a while still goes inside the window.
IN_SESSION = timedelta(hours=23)
InteractivePart = Callable[[Interactive], OutboundPart | None]


def describe(interactive: Interactive) -> str:
    """How a content send reads in logs and the outbox: its options, in brackets."""
    titles = " · ".join(o.title for o in interactive.options)
    return f"[{interactive.kind}: {titles}]"


class InteractiveParts:
    """Turns `Reply.interactive` into an outbox part, or None for plain text."""

    def __init__(self, registry: TemplateRegistry | None, enabled: bool = True) -> None:
        self.registry = registry
        self.enabled = enabled and registry is not None

    def part_for(self, interactive: Interactive, received_at: datetime) -> OutboundPart | None:
        """The content part for the buttons or list answering a message received then."""
        if not self.enabled or self.registry is None:
            return None
        if utcnow() - as_utc(received_at) > IN_SESSION:
            return None
        try:
            send = content_for(interactive, self.registry)
        except StoreUnavailable as exc:  # the text still says it all: do not hold the turn
            log.warning("template registry unavailable, sending text only: %s", exc)
            return None
        if send is None:
            log.info("no synced template for this %s: text only", interactive.kind)
            return None
        return OutboundPart(
            body=describe(interactive),
            content_sid=send.content_sid,
            content_variables=send.content_variables,
        )


def to_parts(
    replies: list[Reply], interactive: InteractivePart | None = None
) -> list[OutboundPart]:
    """Outbox parts for the replies; text over WhatsApp's 1,600 characters is split. A reply's
    buttons or list follow its text as one more part when `interactive` makes one."""
    parts: list[OutboundPart] = []
    for reply in replies:
        if reply.text.strip() or reply.media_url:
            texts = split_message(reply.text) if len(reply.text) > WHATSAPP_LIMIT else [reply.text]
            for i, text in enumerate(texts):
                media = reply.media_url if i == 0 else None
                parts.append(OutboundPart(body=text, media_url=media))
        if reply.interactive is not None and interactive is not None:
            part = interactive(reply.interactive)
            if part is not None:
                parts.append(part)
    return parts
