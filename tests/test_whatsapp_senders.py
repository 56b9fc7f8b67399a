"""The in-process senders (collecting, console), OutboundMessage and build_sender's fallback."""

from __future__ import annotations

import io
import threading
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from agent.settings import Settings
from api.whatsapp.sender import CollectingSender, ConsoleSender, OutboundMessage, build_sender

PARTNER = "+15550001"


def test_outbound_message_normalises_and_validates_the_phone() -> None:
    assert OutboundMessage(to=f"whatsapp:{PARTNER}", body="x").to == PARTNER
    for bad in ("15550001", "+0123", "phone", ""):
        with pytest.raises(ValidationError):
            OutboundMessage(to=bad, body="x")


def test_collecting_sender_records_and_scripts_failures() -> None:
    sender = CollectingSender()
    sender.fail_next(503)
    sender.fail_next(400)

    retryable = sender.send(OutboundMessage(to=PARTNER, body="a"))
    permanent = sender.send(OutboundMessage(to=PARTNER, body="b"))
    ok = sender.send(OutboundMessage(to=PARTNER, body="c"))

    assert (retryable.ok, retryable.retryable, retryable.status_code) == (False, True, 503)
    assert (permanent.ok, permanent.retryable, permanent.status_code) == (False, False, 400)
    assert ok.ok and ok.sid is not None
    assert [m.body for m in sender.sent] == ["c"]
    assert [m.body for m in sender.attempts] == ["a", "b", "c"]


def test_collecting_sender_is_thread_safe() -> None:
    sender = CollectingSender()

    def send_many(worker: int) -> None:
        for i in range(200):
            sender.send(OutboundMessage(to=PARTNER, body=f"{worker}-{i}"))

    threads = [threading.Thread(target=send_many, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({m.body for m in sender.sent}) == 8 * 200


def test_console_sender_prints_the_message() -> None:
    stream = io.StringIO()
    message = OutboundMessage(to=PARTNER, body="Session 2: pricing", media_url="https://x.test/a")

    result = ConsoleSender(stream).send(message)

    assert result.ok and result.sid
    printed = stream.getvalue()
    assert PARTNER in printed and "Session 2: pricing" in printed and "https://x.test/a" in printed


def test_build_sender_without_credentials_is_console() -> None:
    assert isinstance(build_sender(Settings()), ConsoleSender)
    partial = SimpleNamespace(twilio_account_sid="AC1", twilio_auth_token=None)
    assert isinstance(build_sender(partial), ConsoleSender)
