"""Signed Twilio webhook posts with Twilio's at-least-once retries (same MessageSid)."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

from evals.bench.http_client import HTTPError, KeepAliveConnection

WEBHOOK_PATH = "/api/webhook/twilio"
TWILIO_TIMEOUT_S = 15.0  # Twilio gives up on a webhook after 15 s
MAX_ATTEMPTS = 8
BACKOFF_S = (0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0)


@dataclass
class Ack:
    """How the webhook answered one message: latency of the accepted attempt, retries, status."""

    ok: bool
    latency_s: float
    attempts: int
    status: int | None
    error: str | None = None


def new_message_sid() -> str:
    """A Twilio-shaped inbound SID ("SM" + 32 hex digits)."""
    return "SM" + uuid.uuid4().hex


class WebhookClient:
    """Posts partner messages to the service processes in turn, signed like Twilio signs them."""

    def __init__(
        self, urls: list[str], public_base_url: str, account_sid: str, auth_token: str, to: str
    ) -> None:
        self._urls = urls
        self._next = itertools.count()
        self._signed_url = public_base_url.rstrip("/") + WEBHOOK_PATH
        self._validator = RequestValidator(auth_token)
        self._account_sid, self._to = account_sid, to
        # One kept-alive connection per (sender, process), as a partner never has two in flight.
        self._connections: dict[tuple[str, str], KeepAliveConnection] = {}

    def form(self, sid: str, phone: str, name: str, text: str) -> dict[str, str]:
        """The form fields Twilio posts for an inbound WhatsApp text."""
        return {
            "MessageSid": sid, "SmsMessageSid": sid, "AccountSid": self._account_sid,
            "From": f"whatsapp:{phone}", "To": f"whatsapp:{self._to}", "Body": text,
            "ProfileName": name, "WaId": phone.removeprefix("+"), "NumMedia": "0",
            "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
        }  # fmt: skip

    async def post(self, form: dict[str, str]) -> Ack:
        """Deliver one message, retrying errors and timeouts like Twilio (bounded).

        Round robin over the processes, as a load balancer would; a retry goes to the next
        process after the one that failed (a load balancer's "next upstream"), so an attempt
        never lands on a process that just refused it while another one is up.
        """
        signature = self._validator.compute_signature(self._signed_url, form)
        headers = {"X-Twilio-Signature": signature}
        error: str | None = None
        status: int | None = None
        first = next(self._next)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            base = self._urls[(first + attempt - 1) % len(self._urls)]
            key = (form["From"], base)
            connection = self._connections.setdefault(key, KeepAliveConnection(base))
            started = time.monotonic()
            try:
                status = await connection.post_form(WEBHOOK_PATH, form, headers, TWILIO_TIMEOUT_S)
                if status < 300:
                    return Ack(True, time.monotonic() - started, attempt, status)
                error = f"HTTP {status}"
                if status < 500 and status != 429:
                    return Ack(False, time.monotonic() - started, attempt, status, error)
            except HTTPError as exc:
                error = str(exc)
            if attempt < MAX_ATTEMPTS:
                await asyncio.sleep(BACKOFF_S[attempt - 1])
        return Ack(False, 0.0, MAX_ATTEMPTS, status, error)

    async def close(self) -> None:
        """Close the HTTP connections."""
        for connection in self._connections.values():
            connection.close()
