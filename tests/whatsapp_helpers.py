"""Shared helpers for the WhatsApp transport tests: settings, signed Twilio forms, waiting."""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from agent.engine import Engine
from agent.messages import Inbound, Reply
from agent.settings import Settings
from api.main import create_app
from api.whatsapp.sender import CollectingSender
from store.factory import open_store
from store.messaging import MessagingStore

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://genie.example.com"
WEBHOOK = "/api/webhook/twilio"
FROM_NUMBER = "whatsapp:+14155238886"


def wa_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a fast, offline WhatsApp stack on a temp SQLite file."""
    values: dict[str, Any] = {
        "store": "sqlite",
        "sqlite_path": str(tmp_path / "genie.db"),
        "llm_provider": "none",
        "twilio_auth_token": AUTH_TOKEN,
        "public_base_url": PUBLIC,
        "whatsapp_sweep_interval_s": 0.2,
        "whatsapp_lease_s": 5.0,
        "outbox_backoff_base_s": 0.01,
        "outbox_backoff_max_s": 0.05,
        "log_format": "text",
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


def start_app(
    tmp_path: Path, engine: Any = None, **overrides: Any
) -> tuple[TestClient, CollectingSender]:
    """An app on a seeded SQLite file, replies collected in memory; `with client:` runs it."""
    settings = wa_settings(tmp_path, **overrides)
    store = open_store(settings)
    sender = CollectingSender()
    app = create_app(settings=settings, store=store, engine=engine or Engine(store), sender=sender)
    return TestClient(app), sender


def messaging_of(client: TestClient) -> MessagingStore:
    """The running app's messaging store."""
    store: MessagingStore = client.app.state.messaging  # type: ignore[attr-defined]
    return store


def bodies_to(sender: CollectingSender, phone: str) -> list[str]:
    """The bodies sent to one phone, in order."""
    return [m.body for m in sender.sent if m.to == phone]


def new_sid() -> str:
    """A Twilio-shaped MessageSid."""
    return "SM" + uuid.uuid4().hex


def twilio_form(
    phone: str, text: str, sid: str | None = None, name: str | None = "Asha"
) -> dict[str, str]:
    """The form Twilio posts for an inbound WhatsApp text message."""
    sid = sid or new_sid()
    form = {
        "MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{phone}", "To": FROM_NUMBER, "Body": text, "NumMedia": "0",
        "WaId": phone.removeprefix("+"), "SmsStatus": "received", "ApiVersion": "2010-04-01",
    }  # fmt: skip
    if name:
        form["ProfileName"] = name
    return form


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


def post_signed(
    client: TestClient, form: dict[str, str], path: str = WEBHOOK, signed_url: str | None = None
) -> Any:
    """POST the form to the app, signed for the public URL (or `signed_url`)."""
    signature = sign(signed_url or PUBLIC + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0, what: str = "") -> None:
    """Poll until `condition()` holds; fail the test after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or condition}")
        time.sleep(0.01)


class TrackingHandler:
    """Wraps a handler: records every call per phone and the most calls ever running at once."""

    def __init__(self, inner: Any, delay_s: float = 0.0) -> None:
        self.inner = inner
        self.delay_s = delay_s
        self.calls: dict[str, list[str]] = defaultdict(list)
        self.max_parallel: dict[str, int] = defaultdict(int)
        self._running: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """Delegate, keeping count."""
        with self._lock:
            self.calls[inbound.phone].append(inbound.text)
            self._running[inbound.phone] += 1
            running = self._running[inbound.phone]
            self.max_parallel[inbound.phone] = max(self.max_parallel[inbound.phone], running)
        try:
            if self.delay_s:
                time.sleep(self.delay_s)
            replies: list[Reply] = self.inner.handle_message(inbound)
            return replies
        finally:
            with self._lock:
                self._running[inbound.phone] -= 1


class EchoHandler:
    """A brain answering "echo: <text>" (in `parts` parts): predictable transport replies."""

    def __init__(self, parts: int = 1) -> None:
        self.parts = parts

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """One reply per part, numbered."""
        if self.parts == 1:
            return [Reply(text=f"echo: {inbound.text}")]
        return [Reply(text=f"echo {i + 1}/{self.parts}: {inbound.text}") for i in range(self.parts)]
