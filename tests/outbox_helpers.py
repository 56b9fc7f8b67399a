"""Helpers for the outbox tests: a WhatsApp service on SQLite sending via the real client."""

from __future__ import annotations

from typing import Any

import pytest

from api.whatsapp.outbox import RetryPolicy
from api.whatsapp.sender import TwilioSender
from api.whatsapp.service import WhatsAppService
from store.messaging import NewInbound, PartStatus
from store.sqlite_messaging import SQLiteMessagingStore
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.whatsapp_helpers import AUTH_TOKEN, EchoHandler, new_sid

PHONE = "+15550001"
FROM = "+14155238886"
ACCOUNT = "AC" + "ab" * 16


def clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback calls must not go through a proxy configured on the test machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def twilio_sender(fake: FakeTwilioAPI, timeout_s: float = 3.0) -> TwilioSender:
    """The real sender, pointed at the fake."""
    return TwilioSender(ACCOUNT, AUTH_TOKEN, FROM, api_base_url=fake.base_url, timeout_s=timeout_s)


def service(
    db: SQLiteMessagingStore, fake: FakeTwilioAPI, handler: Any = None, **kw: Any
) -> WhatsAppService:
    """A small, fast service (not started) sending through the fake."""
    options: dict[str, Any] = {"workers": 2, "sender_workers": 2, "lease_s": 5.0}
    options |= {"sweep_interval_s": 0.1, "retry": RetryPolicy(4, 0.01, 0.05)} | kw
    sender = options.pop("sender", None) or twilio_sender(fake)
    return WhatsAppService(db, handler or EchoHandler(), sender, **options)


def receive(
    db: SQLiteMessagingStore, svc: WhatsAppService | None, text: str, phone: str = PHONE
) -> str:
    """Record an inbound message (as the webhook does) and tell the service; its MessageSid."""
    sid = new_sid()
    assert db.record_inbound(NewInbound(message_sid=sid, phone=phone, text=text))
    if svc is not None:
        svc.notify_inbound(phone)
    return sid


def settled(db: SQLiteMessagingStore, sid: str, count: int = 1) -> bool:
    """The reply to `sid` has `count` parts, none pending any more."""
    parts = db.parts_for(sid)
    return len(parts) == count and all(p.status is not PartStatus.PENDING for p in parts)
