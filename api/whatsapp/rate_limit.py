"""Per-partner rate limit over the inbox: N messages per window, then one polite notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from store.messaging import InboundRecord, MessagingStore


class Verdict(StrEnum):
    """What to do with one message."""

    ALLOW = "allow"  # within the limit: answer it
    NOTICE = "notice"  # the first one over: say politely to slow down
    DROP = "drop"  # further ones: ignore, so a flood cannot spend the LLM budget


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
