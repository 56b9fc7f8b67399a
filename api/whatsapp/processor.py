"""Turn each partner's inbox into replies, one message at a time, in arrival order."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from agent.languages import from_script
from agent.messages import Inbound, Reply
from agent.splitter import WHATSAPP_LIMIT, split_message
from api.logging_setup import log_context, mask_phone
from api.whatsapp.lease_keeper import LeaseKeeper
from api.whatsapp.lease_loop import Step, drain
from api.whatsapp.persist import persist_after_effect
from api.whatsapp.rate_limit import RateLimit, Verdict
from prompts import message, use_language
from store.messaging import InboundRecord, MessagingStore, OutboundPart

log = logging.getLogger("genie.whatsapp")


class MessageHandler(Protocol):
    """The brain: Engine.handle_message."""

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """Replies to one message."""
        ...


def to_inbound(record: InboundRecord) -> Inbound:
    """The engine's view of an inbox entry."""
    return Inbound(
        phone=record.phone,
        text=record.text,
        profile_name=record.profile_name,
        message_id=record.message_sid,
        media_urls=record.media_urls,
        received_at=record.received_at,
    )


def to_parts(replies: list[Reply]) -> list[OutboundPart]:
    """Outbox parts for the replies; text over WhatsApp's 1,600 characters is split."""
    parts: list[OutboundPart] = []
    for reply in replies:
        if not reply.text.strip() and not reply.media_url:
            continue
        texts = split_message(reply.text) if len(reply.text) > WHATSAPP_LIMIT else [reply.text]
        for i, text in enumerate(texts):
            parts.append(OutboundPart(body=text, media_url=reply.media_url if i == 0 else None))
    return parts


class InboundProcessor:
    """Processes one phone's unprocessed messages under its lease, then hands replies on."""

    def __init__(
        self,
        messaging: MessagingStore,
        handler: MessageHandler,
        on_replies: Callable[[str], None],
        *,
        rate_limit: RateLimit,
        lease_s: float,
        stopping: threading.Event,
        keeper: LeaseKeeper | None = None,
    ) -> None:
        self.messaging = messaging
        self.handler = handler
        self.on_replies = on_replies
        self.rate_limit = rate_limit
        self.lease_s = lease_s
        self.stopping = stopping
        self.keeper = keeper

    def process_phone(self, phone: str) -> None:
        """Answer the phone's messages in order; returns at once if another worker has them."""
        drain(
            self.messaging,
            f"inbox:{phone}",
            self.lease_s,
            lambda: self._step(phone),
            lambda: self.messaging.next_unprocessed(phone) is not None,
            self.keeper,
        )

    def _step(self, phone: str) -> Step:
        if self.stopping.is_set():
            return Step.WAIT
        record = self.messaging.next_unprocessed(phone)
        if record is None:
            return Step.IDLE
        with log_context(record.message_sid):
            parts = self._reply(record)
            # Marking processed and enqueuing the reply is one atomic step: no loss, no repeat.
            saved = persist_after_effect(
                lambda: self.messaging.complete_inbound(record.message_sid, parts),
                "a turn's replies", self.lease_s / 2, self.stopping,
            )  # fmt: skip
            if saved:
                log.info("processed message from %s: %d reply parts", mask_phone(phone), len(parts))
                if parts:
                    self.on_replies(phone)
            else:
                log.warning("message was already processed by another worker; reply dropped")
        return Step.WORKED

    def _reply(self, record: InboundRecord) -> list[OutboundPart]:
        # Notices sent without the engine follow the script the partner wrote in.
        with use_language(from_script(to_inbound(record).text)):
            return self._reply_in_language(record)

    def _reply_in_language(self, record: InboundRecord) -> list[OutboundPart]:
        verdict = self.rate_limit.verdict(self.messaging, record)
        if verdict is Verdict.DROP:
            log.info("rate limit: message from %s ignored", mask_phone(record.phone))
            return []
        if verdict is Verdict.NOTICE:
            log.info("rate limit: %s told to slow down", mask_phone(record.phone))
            return [OutboundPart(body=message("rate_limited"))]
        try:
            replies = self.handler.handle_message(to_inbound(record))
        except Exception:
            # A bug must not wedge the partner's queue: apologise and move on.
            log.exception("engine failed on a message from %s", mask_phone(record.phone))
            replies = [Reply(text=message("store_unavailable"))]
        return to_parts(replies)
