"""Hand a turn's result to the HTTP request waiting for it (the JSON API's messages)."""

from __future__ import annotations

import threading

from agent.turns import TurnResult

API_SID_PREFIX = "api:"  # inbox ids of JSON API messages; Twilio's never contain a colon


class TurnResults:
    """Results of turns somebody waits for; others are not kept."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: set[str] = set()
        self._results: dict[str, TurnResult] = {}

    def expect(self, message_sid: str) -> None:
        """Keep the result of this message when it comes."""
        with self._cond:
            self._waiting.add(message_sid)

    def deliver(self, message_sid: str, result: TurnResult) -> None:
        """The message's turn is committed: wake whoever waits for it."""
        with self._cond:
            if message_sid in self._waiting:
                self._results[message_sid] = result
                self._cond.notify_all()

    def wait(self, message_sid: str, timeout_s: float) -> TurnResult | None:
        """The result, or None after `timeout_s`; the message is no longer expected after."""
        with self._cond:
            try:
                self._cond.wait_for(lambda: message_sid in self._results, timeout_s)
                return self._results.pop(message_sid, None)
            finally:
                self._waiting.discard(message_sid)
