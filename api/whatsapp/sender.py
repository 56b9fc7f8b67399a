"""Outbound WhatsApp senders: the Sender protocol, Twilio, console and in-memory collectors."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import uuid
from typing import Any, Protocol, TextIO

import requests
from pydantic import BaseModel, field_validator, model_validator
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.rest import Client

from api.whatsapp.twilio_http import PooledTwilioHttpClient
from api.whatsapp.twilio_messages import MessagesEndpoint

logger = logging.getLogger(__name__)

WHATSAPP_PREFIX = "whatsapp:"
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")


class OutboundMessage(BaseModel):
    """One message to send to a partner; `to` is E.164 (a `whatsapp:` prefix is stripped).

    With `content_sid` it is an approved WhatsApp template (Twilio Content API): Twilio gets
    the SID and `content_variables` (a JSON object as a string) and no body; `body` then only
    says how the send reads in logs and on the console.
    """

    to: str
    body: str
    media_url: str | None = None
    content_sid: str | None = None
    content_variables: str | None = None

    @model_validator(mode="after")
    def _template_fields(self) -> OutboundMessage:
        if self.content_variables is not None:
            if not self.content_sid:
                raise ValueError("content_variables without content_sid (Twilio error 21654)")
            check_content_variables(self.content_variables)
        return self

    @field_validator("to", mode="before")
    @classmethod
    def _normalise_phone(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().removeprefix(WHATSAPP_PREFIX)
            if not _E164.match(value):
                raise ValueError(f"not an E.164 phone number: {value!r}")
        return value


def check_content_variables(raw: str) -> dict[str, str]:
    """The template variables of a JSON string; ValueError when Twilio would refuse them."""
    try:
        variables = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"content_variables is not JSON: {exc}") from exc
    if not isinstance(variables, dict):
        raise ValueError("content_variables must be a JSON object")
    for key, value in variables.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"template variable {key!r} is empty (Twilio error 21656)")
    return variables


class SendResult(BaseModel):
    """What happened to one send; `retryable` tells the outbox whether trying again can help."""

    ok: bool
    sid: str | None = None
    retryable: bool = False
    error: str | None = None
    status_code: int | None = None
    error_code: int | None = None


class Sender(Protocol):
    """Anything that can deliver an OutboundMessage."""

    def send(self, message: OutboundMessage) -> SendResult:
        """Deliver one message; never raises for delivery failures."""
        ...


def new_message_sid() -> str:
    """A Twilio-shaped message SID: "SM" followed by 32 hex digits."""
    return "SM" + uuid.uuid4().hex


def is_retryable_status(status: int) -> bool:
    """Rate limits and server errors are transient; other 4xx will fail the same way again."""
    return status == 429 or status >= 500


class CollectingSender:
    """Keeps sent messages in memory (thread-safe); failures can be scripted for tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[OutboundMessage] = []
        self._attempts: list[OutboundMessage] = []
        self._scripted: list[SendResult] = []

    @property
    def sent(self) -> list[OutboundMessage]:
        """A snapshot of the successfully sent messages, in send order."""
        with self._lock:
            return list(self._sent)

    @property
    def attempts(self) -> list[OutboundMessage]:
        """A snapshot of every send attempt, failed ones included."""
        with self._lock:
            return list(self._attempts)

    def fail_next(self, status: int = 503, count: int = 1, error_code: int | None = None) -> None:
        """Make the next `count` sends fail with HTTP `status` (retryable when 429 or 5xx)."""
        retryable = is_retryable_status(status)
        failure = SendResult(
            ok=False, retryable=retryable, error=f"scripted {status}", status_code=status,
            error_code=error_code,
        )  # fmt: skip
        with self._lock:
            self._scripted.extend([failure] * count)

    def send(self, message: OutboundMessage) -> SendResult:
        """Record the message, or return the next scripted failure."""
        with self._lock:
            self._attempts.append(message)
            if self._scripted:
                return self._scripted.pop(0)
            self._sent.append(message)
        return SendResult(ok=True, sid=new_message_sid(), status_code=201)


class ConsoleSender:
    """Prints messages instead of sending them: the default when Twilio is not configured."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, message: OutboundMessage) -> SendResult:
        """Log and print the message; always succeeds."""
        media = f" [media: {message.media_url}]" if message.media_url else ""
        logger.info("WhatsApp to %s (console, not sent): %d chars", message.to, len(message.body))
        # Resolve stdout at call time so pytest's capsys and redirections see the output.
        stream = self._stream or sys.stdout
        # One write call, so concurrent sends do not interleave mid-message.
        stream.write(f"--> {message.to}{media}\n{message.body}\n\n")
        stream.flush()
        return SendResult(ok=True, sid=new_message_sid())


class TwilioSender:
    """Sends through the real Twilio REST client, optionally pointed at another API base URL."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_base_url: str | None = None,
        timeout_s: float = 10,
        status_callback: str | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self._client = Client(
            account_sid, auth_token, http_client=PooledTwilioHttpClient(timeout=timeout_s)
        )
        if api_base_url:
            # Domain.absolute_url joins base_url.strip("/") with "/2010-04-01/Accounts/...".
            self._client.api.base_url = api_base_url.rstrip("/")
            # TWILIO_EDGE/TWILIO_REGION would rewrite the host into "<host>.<edge>.<region>...".
            self._client.edge = None
            self._client.region = None
        self._messages = MessagesEndpoint(self._client)
        self._from = WHATSAPP_PREFIX + from_number.removeprefix(WHATSAPP_PREFIX)
        self._status_callback = status_callback

    def send(self, message: OutboundMessage) -> SendResult:
        """Create the message at Twilio; classify any failure instead of raising."""
        try:
            sid = self._messages.create(self._form(message))
        except (TwilioRestException, TwilioServiceException) as exc:
            return _http_failure(exc)
        except requests.RequestException as exc:
            # Timeouts and connection errors; after a read timeout Twilio may still have sent it.
            error = f"network: {type(exc).__name__}: {exc}"
            return SendResult(ok=False, retryable=True, error=error)
        except TwilioException as exc:
            return SendResult(ok=False, retryable=True, error=f"twilio client: {exc}")
        except ValueError as exc:
            # A 2xx with an unreadable body: the message was probably accepted, so do not resend.
            return SendResult(ok=False, retryable=False, error=f"unreadable Twilio response: {exc}")
        return SendResult(ok=True, sid=sid, status_code=201)

    def _form(self, message: OutboundMessage) -> dict[str, Any]:
        """The Messages API parameters, in the order the library's `messages.create` sends them."""
        # A template goes without body or media (Twilio refuses both with a content_sid).
        template = message.content_sid is not None
        form: dict[str, Any] = {"To": WHATSAPP_PREFIX + message.to}
        if self._status_callback:
            form["StatusCallback"] = self._status_callback
        if message.content_variables:
            form["ContentVariables"] = message.content_variables
        form["From"] = self._from
        if not template:
            form["Body"] = message.body
            if message.media_url:
                form["MediaUrl"] = [message.media_url]
        if message.content_sid:
            form["ContentSid"] = message.content_sid
        return form


def _http_failure(exc: TwilioRestException | TwilioServiceException) -> SendResult:
    """A SendResult for an HTTP error answer (plain text: the exception's str adds TTY colours)."""
    detail = exc.msg if isinstance(exc, TwilioRestException) else f"{exc.title} {exc.detail or ''}"
    return SendResult(
        ok=False,
        retryable=is_retryable_status(exc.status),
        error=f"HTTP {exc.status} (code {exc.code}): {detail}".rstrip(),
        status_code=exc.status,
        error_code=exc.code,
    )


def build_sender(settings: object) -> Sender:
    """TwilioSender when Twilio credentials and sender number are set, else ConsoleSender."""
    sid = getattr(settings, "twilio_account_sid", None)
    token = getattr(settings, "twilio_auth_token", None)
    from_number = getattr(settings, "twilio_whatsapp_from", None)
    if not (sid and token and from_number):
        return ConsoleSender()
    base_url = getattr(settings, "twilio_api_base_url", None)
    timeout_s = float(getattr(settings, "twilio_timeout_s", None) or 10)
    public = getattr(settings, "public_base_url", None)
    callback = f"{public.rstrip('/')}/api/webhook/twilio/status" if public else None
    return TwilioSender(
        sid, token, from_number, api_base_url=base_url, timeout_s=timeout_s,
        status_callback=callback,
    )  # fmt: skip
