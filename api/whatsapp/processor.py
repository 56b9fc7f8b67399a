"""Turn each partner's inbox into replies, one message at a time, in arrival order."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol, cast, runtime_checkable

from agent.engine import TurnCommit
from agent.intents import Intent
from agent.languages import from_script
from agent.messages import Inbound, Reply
from agent.turns import TurnResult
from api.logging_setup import log_context, mask_phone
from api.whatsapp.lease_keeper import LeaseKeeper
from api.whatsapp.lease_loop import Step, drain
from api.whatsapp.persist import persist_after_effect
from api.whatsapp.rate_limit import RATE_LIMITED, RateLimit, Verdict, limited_turn
from api.whatsapp.reply_parts import InteractiveParts, to_parts
from api.whatsapp.turn_results import API_SID_PREFIX, TurnResults
from prompts import message, use_language
from store.base import StoreUnavailable
from store.messaging import IdleRelease, InboundRecord, MessagingStore, OutboundPart
from store.turns import TurnWrite

log = logging.getLogger("genie.whatsapp")


class MessageHandler(Protocol):
    """The brain: Engine.handle_message (and Engine.run_turn, which commits as one unit)."""

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """Replies to one message."""
        ...


@runtime_checkable
class TurnRunner(Protocol):
    """A handler that hands its turn to a commit (the Engine)."""

    def run_turn(self, inbound: Inbound, commit: TurnCommit) -> TurnResult:
        """Work out the turn and commit it as one unit."""
        ...


def replies_to_caller(message_sid: str) -> bool:
    """True for messages of the JSON API: their replies go back in the HTTP answer, not
    through WhatsApp (Twilio's MessageSids never contain a colon)."""
    return message_sid.startswith(API_SID_PREFIX)


def to_inbound(record: InboundRecord) -> Inbound:
    """The engine's view of an inbox entry."""
    return Inbound(
        phone=record.phone,
        text=record.text,
        profile_name=record.profile_name,
        message_id=record.message_sid,
        media_urls=record.media_urls,
        payload=record.payload,
        received_at=record.received_at,
    )


class InboundProcessor:
    """Processes one phone's unprocessed messages under its lease, then hands replies on."""

    def __init__(
        self,
        messaging: MessagingStore,
        handler: MessageHandler,
        on_replies: Callable[[str], None],
        *,
        schedule_inbound: Callable[[str, float], None] | None = None,
        to_model_lane: Callable[[str], None] | None = None,
        rate_limit: RateLimit,
        lease_s: float,
        stopping: threading.Event,
        keeper: LeaseKeeper | None = None,
        interactive: InteractiveParts | None = None,
    ) -> None:
        self.messaging = messaging
        self.handler = handler
        # A runtime Protocol check walks the protocol's members: once, not on every turn.
        self._runs_turns = isinstance(handler, TurnRunner)
        # Without it (tests, the JSON API) buttons and lists stay plain text.
        self.interactive = interactive
        self.on_replies = on_replies
        self.schedule_inbound = schedule_inbound or (lambda _phone, _delay_s: None)
        self.results = TurnResults()
        # Without a model lane, model turns run where they are (tests, single-lane use).
        self.to_model_lane = to_model_lane
        self.rate_limit = rate_limit
        self.lease_s = lease_s
        self.stopping = stopping
        self.keeper = keeper

    def process_phone(self, phone: str, fast_lane: bool = False) -> None:
        """Answer the phone's messages in order; returns at once if another worker has them.

        In the fast lane a message that needs the model is handed to the model lane (the
        same lease keeps the phone's order), so exact commands never wait behind model turns.
        """
        handoff: list[str] = []
        drain(
            self.messaging,
            f"inbox:{phone}",
            self.lease_s,
            lambda lease: self._step(phone, lease, handoff if fast_lane else None),
            lambda: self.messaging.next_unprocessed(phone) is not None,
            self.keeper,
        )
        if handoff and self.to_model_lane is not None:
            # After the lease is released, so the model lane's worker can take it at once.
            self.to_model_lane(phone)

    def _step(self, phone: str, lease: IdleRelease, handoff: list[str] | None = None) -> Step:
        if self.stopping.is_set():
            return Step.WAIT
        record = self.messaging.next_unprocessed(phone)
        if record is None:
            return Step.IDLE
        with log_context(record.message_sid):
            verdict = self.rate_limit.verdict(self.messaging, record)
            waits = not replies_to_caller(record.message_sid)  # an HTTP caller cannot wait
            if verdict is Verdict.DROP and waits and not self._later_message_exists(record):
                # The latest message of a flood is answered once the window allows.
                wait_s = self.rate_limit.wait_s(self.messaging, record)
                if wait_s > 0:
                    self.schedule_inbound(phone, wait_s)
                    return Step.WAIT
                verdict = Verdict.ALLOW
            if handoff is not None and verdict is Verdict.ALLOW and self._to_model_lane(record):
                handoff.append(record.message_sid)
                return Step.WAIT
            saved, released = self._turn(record, verdict, lease)
            if saved:
                log.info("processed message from %s (%s)", mask_phone(phone), verdict.value)
                self.on_replies(phone)
            else:
                log.warning("message was already processed by another worker; reply dropped")
        return Step.RELEASED if released else Step.WORKED

    def _to_model_lane(self, record: InboundRecord) -> bool:
        """True when the message needs the model and there is a model lane to hand it to."""
        needs = getattr(self.handler, "needs_llm", None)
        if needs is None or self.to_model_lane is None:
            return False
        return bool(needs(to_inbound(record)))

    def _language(self, record: InboundRecord) -> str | None:
        """The partner's language for a notice: the handler's answer, else the script's."""
        language_for = getattr(self.handler, "language_for", None)
        if language_for is not None:
            return str(language_for(record.phone, record.text))
        return from_script(record.text)

    def _later_message_exists(self, record: InboundRecord) -> bool:
        return self.messaging.count_unprocessed_after(record.phone, record.seq) > 0

    def _turn(
        self, record: InboundRecord, verdict: Verdict, lease: IdleRelease
    ) -> tuple[bool, bool]:
        """Handle and commit one message as one unit, releasing the lease with it when the
        phone has nothing else waiting: (saved, released); not saved when committed before."""
        if verdict is not Verdict.ALLOW:
            # Notices sent without the engine follow the partner's language.
            with use_language(self._language(record)):
                return self._commit_limited(record, verdict, lease)
        inbound = to_inbound(record)
        released = False
        try:
            if self._runs_turns:

                def commit(turn: TurnWrite, result: TurnResult) -> bool:
                    nonlocal released
                    saved, released = self._commit(
                        self._with_parts(turn, record, result.replies), lease
                    )
                    return saved

                result = cast(TurnRunner, self.handler).run_turn(inbound, commit)
                self.results.deliver(record.message_sid, result)
                return result.source != "replay", released
            replies = self.handler.handle_message(inbound)
        except StoreUnavailable:
            raise  # nothing was written: the message is handled again once the store is back
        except Exception:
            if released:  # failed after its commit, which gave the lease up: it stays given up
                log.exception("failed after committing a message from %s", mask_phone(record.phone))
                return True, True
            # A bug must not wedge the partner's queue: apologise and move on.
            log.exception("engine failed on a message from %s", mask_phone(record.phone))
            with use_language(self._language(record)):
                replies = [Reply(text=message("store_unavailable"))]
            self.results.deliver(record.message_sid, TurnResult(replies, Intent.OTHER, "error"))
        turn = TurnWrite(key=record.message_sid, phone=record.phone)
        return self._commit(self._with_parts(turn, record, replies), lease)

    def _commit(self, turn: TurnWrite, lease: IdleRelease) -> tuple[bool, bool]:
        """Commit (releasing the lease in that write when nothing else waits), riding out a
        short store outage: the commit is idempotent (keyed by the MessageSid), and retrying
        it is cheaper than working the turn out again (an LLM call)."""
        return persist_after_effect(
            lambda: self.messaging.commit_turn_releasing(turn, lease),
            "a turn", self.lease_s / 2, self.stopping,
        )  # fmt: skip

    def _with_parts(
        self, turn: TurnWrite, record: InboundRecord, replies: list[Reply]
    ) -> TurnWrite:
        parts: list[OutboundPart] = []
        if not replies_to_caller(record.message_sid):
            sends = self.interactive
            part_for = None if sends is None else lambda i: sends.part_for(i, record.received_at)
            parts = to_parts(replies, part_for)
        return turn.model_copy(update={"inbound_sid": record.message_sid, "parts": parts})

    def _commit_limited(
        self, record: InboundRecord, verdict: Verdict, lease: IdleRelease
    ) -> tuple[bool, bool]:
        """Record a rate-limited message with its fate; the first one over gets the notice."""
        log.info("rate limit: message from %s %s", mask_phone(record.phone), verdict.value)
        turn, replies = limited_turn(record, verdict)
        self.results.deliver(record.message_sid, TurnResult(replies, Intent.OTHER, RATE_LIMITED))
        return self._commit(self._with_parts(turn, record, replies), lease)
