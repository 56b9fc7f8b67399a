"""The real Twilio client (via TwilioSender) against a local fake API, plus the local senders."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from api.whatsapp.sender import (
    OutboundMessage,
    TwilioSender,
    build_sender,
)
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import clear_proxies

PARTNER = "+15550001"
FROM = "+14155238886"


@pytest.fixture(autouse=True)
def _no_proxy_or_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback calls must not go through a proxy configured on the test machine."""
    clear_proxies(monkeypatch)


@pytest.fixture
def fake() -> Iterator[FakeTwilioAPI]:
    with FakeTwilioAPI(account_sid="AC" + "a1" * 16, auth_token="secret-token") as api:
        yield api


def sender_for(fake: FakeTwilioAPI, timeout_s: float = 3, token: str | None = None) -> TwilioSender:
    token = token or fake.auth_token
    return TwilioSender(
        fake.account_sid, token, FROM, api_base_url=fake.base_url, timeout_s=timeout_s
    )


def test_send_reaches_the_fake_with_whatsapp_addresses_and_basic_auth(fake: FakeTwilioAPI) -> None:
    result = sender_for(fake).send(OutboundMessage(to=PARTNER, body="Welcome, Asha!"))

    assert result.ok and not result.retryable and result.error is None
    [message] = fake.messages
    assert result.sid == message.sid and message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.to, message.from_, message.body) == (
        f"whatsapp:{PARTNER}",
        f"whatsapp:{FROM}",
        "Welcome, Asha!",
    )
    assert message.media_urls == []
    [attempt] = fake.attempts
    assert attempt.path == f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    assert attempt.auth == (fake.account_sid, "secret-token")


def test_media_url_is_sent_and_prefixed_from_number_is_not_doubled(fake: FakeTwilioAPI) -> None:
    sender = TwilioSender(
        fake.account_sid, fake.auth_token, "whatsapp:" + FROM, api_base_url=fake.base_url + "/"
    )
    url = "https://example.com/deck.pdf"
    result = sender.send(OutboundMessage(to=PARTNER, body="Session 1 slides", media_url=url))

    assert result.ok
    [message] = fake.messages
    assert message.media_urls == [url]
    assert message.from_ == f"whatsapp:{FROM}"


def test_messages_are_recorded_in_acceptance_order(fake: FakeTwilioAPI) -> None:
    sender = sender_for(fake)
    for part in ("part 1", "part 2", "part 3"):
        assert sender.send(OutboundMessage(to=PARTNER, body=part)).ok

    assert [m.body for m in fake.messages] == ["part 1", "part 2", "part 3"]
    times = [m.accepted_at for m in fake.messages]
    assert times == sorted(times)


@pytest.mark.parametrize(("status", "code"), [(503, 20503), (429, 20429), (500, 20500)])
def test_rate_limits_and_server_errors_are_retryable(
    fake: FakeTwilioAPI, status: int, code: int
) -> None:
    fake.fail_next(status)
    sender = sender_for(fake)

    failed = sender.send(OutboundMessage(to=PARTNER, body="hello"))
    assert not failed.ok and failed.retryable
    assert (failed.status_code, failed.error_code) == (status, code)
    assert fake.messages == []

    # The fault was scripted for one request only: the retry goes through.
    assert sender.send(OutboundMessage(to=PARTNER, body="hello")).ok
    assert len(fake.messages) == 1


def test_rejected_recipient_is_permanent(fake: FakeTwilioAPI) -> None:
    fake.fail_for("+15550002", 400)
    sender = sender_for(fake)

    rejected = sender.send(OutboundMessage(to="+15550002", body="hello"))
    assert not rejected.ok and not rejected.retryable and rejected.status_code == 400
    assert rejected.error is not None and "21211" in rejected.error
    assert sender.send(OutboundMessage(to=PARTNER, body="hello")).ok
    assert [m.to for m in fake.messages] == [f"whatsapp:{PARTNER}"]


def test_wrong_credentials_are_permanent(fake: FakeTwilioAPI) -> None:
    result = sender_for(fake, token="wrong").send(OutboundMessage(to=PARTNER, body="hi"))

    assert not result.ok and not result.retryable
    assert (result.status_code, result.error_code) == (401, 20003)
    assert fake.attempts[0].auth == (fake.account_sid, "wrong")


def test_body_over_1600_chars_is_a_permanent_21617(fake: FakeTwilioAPI) -> None:
    sender = sender_for(fake)

    too_long = sender.send(OutboundMessage(to=PARTNER, body="x" * 1601))
    assert not too_long.ok and not too_long.retryable
    assert (too_long.status_code, too_long.error_code) == (400, 21617)
    assert sender.send(OutboundMessage(to=PARTNER, body="x" * 1600)).ok
    assert [len(m.body) for m in fake.messages] == [1600]


def test_fail_next_count_fails_that_many_requests(fake: FakeTwilioAPI) -> None:
    fake.fail_next(503, count=2)
    sender = sender_for(fake)

    results = [sender.send(OutboundMessage(to=PARTNER, body=str(i))) for i in range(3)]

    assert [r.ok for r in results] == [False, False, True]
    assert [a.status for a in fake.attempts] == [503, 503, 201]
    assert [m.body for m in fake.messages] == ["2"]


def test_timeout_is_retryable_and_bounded(fake: FakeTwilioAPI) -> None:
    fake.delay_next(5.0)
    started = time.monotonic()

    result = sender_for(fake, timeout_s=0.3).send(OutboundMessage(to=PARTNER, body="slow"))

    assert time.monotonic() - started < 2.0
    assert not result.ok and result.retryable and result.status_code is None
    assert result.error is not None and "Timeout" in result.error


def test_a_timed_out_send_can_still_be_accepted_late(fake: FakeTwilioAPI) -> None:
    """Why the outbox must tolerate duplicates: Twilio may accept after the client gave up."""
    fake.delay_next(0.4)

    result = sender_for(fake, timeout_s=0.1).send(OutboundMessage(to=PARTNER, body="late"))

    assert result.retryable
    deadline = time.monotonic() + 3
    while not fake.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [m.body for m in fake.messages] == ["late"]


def test_unreachable_api_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sender = TwilioSender("AC1", "t", FROM, api_base_url=f"http://127.0.0.1:{closed_port}")

    result = sender.send(OutboundMessage(to=PARTNER, body="hi"))

    assert not result.ok and result.retryable and result.error is not None


def test_twilio_edge_setting_does_not_redirect_a_custom_base_url(
    fake: FakeTwilioAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")

    assert sender_for(fake, timeout_s=1).send(OutboundMessage(to=PARTNER, body="hi")).ok


def test_build_sender_with_credentials_sends_through_twilio(fake: FakeTwilioAPI) -> None:
    settings = SimpleNamespace(
        twilio_account_sid=fake.account_sid,
        twilio_auth_token=fake.auth_token,
        twilio_whatsapp_from=FROM,
        twilio_api_base_url=fake.base_url,
        twilio_timeout_s=2.0,
    )
    sender = build_sender(settings)

    assert isinstance(sender, TwilioSender)
    assert sender.send(OutboundMessage(to=PARTNER, body="hi")).ok
    assert [m.to for m in fake.messages] == [f"whatsapp:{PARTNER}"]


def test_build_sender_asks_twilio_for_status_callbacks_on_the_public_url(
    fake: FakeTwilioAPI,
) -> None:
    settings = SimpleNamespace(
        twilio_account_sid=fake.account_sid,
        twilio_auth_token=fake.auth_token,
        twilio_whatsapp_from=FROM,
        twilio_api_base_url=fake.base_url,
        twilio_timeout_s=3,
        public_base_url="https://genie.example.com/",
    )
    assert build_sender(settings).send(OutboundMessage(to=PARTNER, body="hi")).ok
    [attempt] = fake.attempts
    assert attempt.form["StatusCallback"] == ["https://genie.example.com/api/webhook/twilio/status"]
