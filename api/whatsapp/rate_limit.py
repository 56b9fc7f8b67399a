"""Per-partner rate limit over the inbox: N messages per window, then one polite notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from agent.intents import Intent
from agent.messages import Reply
from prompts import message
from store.messaging import InboundRecord, MessagingStore
from store.models import ChatEntry, Who, utcnow
from store.turns import TurnWrite

RATE_LIMITED = "rate_limited"  # the transcript source of a message the limit held back


class Verdict(StrEnum):
    """What to do with one message."""

    ALLOW = "allow"  # within the limit: answer it
    NOTICE = "notice"  # the first one over: say politely to slow down
    DROP = "drop"  # further ones: recorded as skipped, so a flood cannot spend the LLM budget;
    # the latest one waits and is answered once the window allows


@dataclass(frozen=True)
class RateLimit:
    """At most `messages` per partner in any `window_s` seconds, counted at arrival."""

    messages: int = 20
    window_s: float = 60.0

    def verdict(self, store: MessagingStore, record: InboundRecord) -> Verdict:
        """Judge a message by how many of the partner's messages arrived in the window up to it."""
        since = record.received_at - timedelta(seconds=self.window_s)
        count = store.count_recent(record.phone, since, record.seq)
        if count <= self.messages:
            return Verdict.ALLOW
        return Verdict.NOTICE if count == self.messages + 1 else Verdict.DROP

    def wait_s(self, store: MessagingStore, record: InboundRecord) -> float:
        """0 when the window now allows answering `record`, else how long to wait to look again."""
        since = utcnow() - timedelta(seconds=self.window_s)
        if store.count_recent(record.phone, since, record.seq) <= self.messages:
            return 0.0
        return min(self.window_s, max(1.0, self.window_s / 6))


def limited_turn(record: InboundRecord, verdict: Verdict) -> tuple[TurnWrite, list[Reply]]:
    """The turn of a held-back message: its transcript lines (source "rate_limited") and the
    notice for the first one over the limit; nothing a partner sends goes unrecorded."""
    replies = [Reply(text=message("rate_limited"))] if verdict is Verdict.NOTICE else []

    def line(who: Who, text: str, at: datetime | None = None) -> ChatEntry:
        return ChatEntry(
            phone=record.phone, who=who, text=text or "(no text)", time=at or utcnow(),
            intent=Intent.OTHER.value, source=RATE_LIMITED, message_id=record.message_sid,
        )  # fmt: skip

    lines = [line("partner", record.text, record.received_at)]
    lines += [line("genie", r.text) for r in replies]
    return TurnWrite(key=record.message_sid, phone=record.phone, lines=lines), replies
