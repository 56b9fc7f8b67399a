"""The fake Twilio's status callbacks: signed, in Twilio's order, off the request path, counted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from api.whatsapp.sender import OutboundMessage, TwilioSender
from evals.fakes.http_base import LocalFake
from evals.fakes.twilio_api import FakeTwilioAPI
from evals.fakes.twilio_status import StatusCallbacks

SID, TOKEN = "AC" + "1" * 32, "status-token"
PUBLIC = "https://genie.example.com/api/webhook/twilio/status"
PHONE = "+919876543210"


class _Receiver(LocalFake):
    """A service stand-in that records every status callback and answers `status`."""

    posts: ClassVar[list[tuple[str, dict[str, str], str]]] = []
    answer: ClassVar[int] = 204

    def __init__(self) -> None:
        _Receiver.posts = []
        super().__init__(_Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        _Receiver.posts.append(
            (self.path, dict(parse_qsl(raw)), self.headers["X-Twilio-Signature"])
        )
        self.send_response(_Receiver.answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    _Receiver.answer = 204
    with _Receiver() as server:
        yield server


def _send(twilio: FakeTwilioAPI, count: int, callback: str | None = PUBLIC) -> None:
    sender = TwilioSender(SID, TOKEN, "+14155238886", twilio.base_url, status_callback=callback)
    for i in range(count):
        assert sender.send(OutboundMessage(to=PHONE, body=f"part {i}")).ok


def _wait(callbacks: StatusCallbacks, done: int) -> dict[str, int]:
    assert callbacks.settle(5)
    deadline = time.monotonic() + 5
    while sum(callbacks.counts[k] for k in ("acked", "failed")) < done:
        assert time.monotonic() < deadline, callbacks.counts
        time.sleep(0.01)
    return callbacks.counts


def _post_all(
    receiver: _Receiver, per_message: int, messages: int
) -> tuple[dict[str, int], list[str]]:
    """Send `messages` through the fake with callbacks on; the counts and the accepted SIDs."""
    route = lambda url: url.replace("https://genie.example.com", receiver.base_url)  # noqa: E731
    callbacks = StatusCallbacks(SID, TOKEN, per_message, route, delay_s=0.0)
    with FakeTwilioAPI(SID, TOKEN) as twilio:
        twilio.status_callbacks = callbacks
        _send(twilio, messages)
        counts = _wait(callbacks, per_message * messages)
    callbacks.close()
    return counts, [m.sid for m in twilio.messages]


def test_each_message_gets_signed_callbacks_in_twilios_order(receiver: _Receiver) -> None:
    counts, sids = _post_all(receiver, 3, 2)
    assert counts == {"sent": 6, "acked": 6, "failed": 0, "dropped": 0}
    validator = RequestValidator(TOKEN)
    by_sid: dict[str, list[str]] = {}
    for path, form, signature in _Receiver.posts:
        assert path == "/api/webhook/twilio/status"
        assert validator.validate(PUBLIC, form, signature)  # signed for the public URL
        assert form["AccountSid"] == SID and form["To"] == f"whatsapp:{PHONE}"
        by_sid.setdefault(form["MessageSid"], []).append(form["MessageStatus"])
    assert sorted(by_sid) == sorted(sids)
    assert all(statuses == ["sent", "delivered", "read"] for statuses in by_sid.values())


def test_no_status_callback_url_means_no_callbacks(receiver: _Receiver) -> None:
    callbacks = StatusCallbacks(SID, TOKEN, 2, lambda _url: receiver.base_url, delay_s=0.0)
    with FakeTwilioAPI(SID, TOKEN) as twilio:
        twilio.status_callbacks = callbacks
        _send(twilio, 2, callback=None)
        assert callbacks.settle(5)
    callbacks.close()
    assert callbacks.counts["sent"] == 0 and _Receiver.posts == []


def test_refused_callbacks_count_as_failed(receiver: _Receiver) -> None:
    _Receiver.answer = 503
    counts, _sids = _post_all(receiver, 2, 1)
    assert counts == {"sent": 2, "acked": 0, "failed": 2, "dropped": 0}


def test_a_full_queue_drops_instead_of_holding_the_api_answer(receiver: _Receiver) -> None:
    route = lambda url: url.replace("https://genie.example.com", receiver.base_url)  # noqa: E731
    # One worker waits out a long delay on the first message; the queue holds one more.
    callbacks = StatusCallbacks(SID, TOKEN, 2, route, workers=1, queue_size=1, delay_s=30)
    with FakeTwilioAPI(SID, TOKEN) as twilio:
        twilio.status_callbacks = callbacks
        started = time.monotonic()
        _send(twilio, 4)
        assert time.monotonic() - started < 5  # the API answered without waiting
        deadline = time.monotonic() + 5
        while callbacks.counts["dropped"] < 4:  # 2 messages × 2 statuses did not fit
            assert time.monotonic() < deadline, callbacks.counts
            time.sleep(0.01)
    callbacks.close()
    assert callbacks.counts["dropped"] == 4


def test_per_message_is_checked() -> None:
    with pytest.raises(ValueError, match="per_message"):
        StatusCallbacks(SID, TOKEN, 4)
