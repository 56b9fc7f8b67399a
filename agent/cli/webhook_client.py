"""Talk to Genie's Twilio webhook exactly as Twilio does: form fields, signed with the token."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from twilio.request_validator import RequestValidator

WEBHOOK_PATH = "/api/webhook/twilio"
SANDBOX_NUMBER = "whatsapp:+14155238886"


class HttpResponse(Protocol):
    """The part of an httpx response the client reads."""

    status_code: int
    text: str

    def json(self) -> Any:
        """The decoded JSON body."""
        ...


class HttpClient(Protocol):
    """An httpx.Client (or Starlette's TestClient) with a timeout configured."""

    def post(self, url: str, *, data: dict[str, str], headers: dict[str, str]) -> Any:
        """POST a form."""
        ...

    def get(self, url: str, *, headers: dict[str, str]) -> Any:
        """GET a URL."""
        ...


class WebhookError(RuntimeError):
    """The server refused a request; the message says what to check."""


class SignatureRefused(WebhookError):
    """The server does not accept our signature: a different auth token or URL."""


class WebhookClient:
    """Posts signed WhatsApp messages to a server and reads back their replies."""

    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        auth_token: str | None,
        *,
        public_base_url: str | None = None,
        to_number: str | None = None,
        account_sid: str | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        # The server checks signatures against PUBLIC_BASE_URL when set, else its own URL.
        self.signed_base = (public_base_url or base_url).rstrip("/")
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.to_number = to_number or SANDBOX_NUMBER
        self.account_sid = account_sid or "AC" + "0" * 32

    def _headers(self, path: str, params: dict[str, str]) -> dict[str, str]:
        if self.validator is None:
            return {}
        signature = self.validator.compute_signature(self.signed_base + path, params)
        return {"X-Twilio-Signature": signature}

    def form(self, phone: str, text: str, name: str | None, sid: str) -> dict[str, str]:
        """The fields Twilio posts for an inbound WhatsApp text."""
        phone = phone if phone.startswith("+") else f"+{phone}"
        fields = {
            "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid,
            "From": f"whatsapp:{phone}", "To": self.to_number, "Body": text, "NumMedia": "0",
            "NumSegments": "1", "WaId": phone.removeprefix("+"), "SmsStatus": "received",
            "MessageType": "text", "ApiVersion": "2010-04-01",
        }  # fmt: skip
        if name:
            fields["ProfileName"] = name
        return fields

    def send(self, phone: str, text: str, name: str | None = None) -> str:
        """Deliver one message to the webhook; returns its MessageSid."""
        sid = "SM" + uuid.uuid4().hex
        params = self.form(phone, text, name, sid)
        response = self.http.post(
            self.base_url + WEBHOOK_PATH, data=params, headers=self._headers(WEBHOOK_PATH, params)
        )
        if response.status_code == 403:
            raise SignatureRefused(
                "the server refused the signature: use the server's TWILIO_AUTH_TOKEN and "
                "PUBLIC_BASE_URL (or TWILIO_VALIDATE_SIGNATURE=false on a local server)"
            )
        if response.status_code != 200:
            raise WebhookError(
                f"webhook answered HTTP {response.status_code}: {response.text[:200]}"
            )
        return sid

    def replies(self, message_sid: str) -> dict[str, Any] | None:
        """{processed, parts[...]} for a message, or None when the server hides that endpoint."""
        path = f"/api/dev/replies/{message_sid}"
        response = self.http.get(self.base_url + path, headers=self._headers(path, {}))
        if response.status_code == 404 and "unknown message" not in response.text:
            return None
        if response.status_code != 200:
            raise WebhookError(f"replies endpoint answered HTTP {response.status_code}")
        body: dict[str, Any] = response.json()
        return body
