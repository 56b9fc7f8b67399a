"""The real Twilio client (via TwilioSender) against a local fake API, plus the local senders."""

from __future__ import annotations

import socket
import time
from types import SimpleNamespace

import pytest

from api.whatsapp.sender import (
    OutboundMessage,
    TwilioSender,
    build_sender,
)
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.whatsapp_helpers import AUTH_TOKEN

pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback calls to the fakes

PARTNER = "+15550001"
FROM = "+14155238886"


def sender_for(
    fake_twilio: FakeTwilioAPI, timeout_s: float = 3, token: str | None = None
) -> TwilioSender:
    token = token or fake_twilio.auth_token
    return TwilioSender(
        fake_twilio.account_sid, token, FROM, api_base_url=fake_twilio.base_url, timeout_s=timeout_s
    )


def test_send_reaches_the_fake_with_whatsapp_addresses_and_basic_auth(
    fake_twilio: FakeTwilioAPI,
) -> None:
    result = sender_for(fake_twilio).send(OutboundMessage(to=PARTNER, body="Welcome, Asha!"))

    assert result.ok and not result.retryable and result.error is None
    [message] = fake_twilio.messages
    assert result.sid == message.sid and message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.to, message.from_, message.body) == (
        f"whatsapp:{PARTNER}",
        f"whatsapp:{FROM}",
        "Welcome, Asha!",
    )
    assert message.media_urls == []
    [attempt] = fake_twilio.attempts
    assert attempt.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert attempt.auth == (fake_twilio.account_sid, AUTH_TOKEN)


def test_media_url_is_sent_and_prefixed_from_number_is_not_doubled(
    fake_twilio: FakeTwilioAPI,
) -> None:
    sender = TwilioSender(
        fake_twilio.account_sid,
        fake_twilio.auth_token,
        "whatsapp:" + FROM,
        api_base_url=fake_twilio.base_url + "/",
    )
    url = "https://example.com/deck.pdf"
    result = sender.send(OutboundMessage(to=PARTNER, body="Session 1 slides", media_url=url))

    assert result.ok
    [message] = fake_twilio.messages
    assert message.media_urls == [url]
    assert message.from_ == f"whatsapp:{FROM}"


def test_messages_are_recorded_in_acceptance_order(fake_twilio: FakeTwilioAPI) -> None:
    sender = sender_for(fake_twilio)
    for part in ("part 1", "part 2", "part 3"):
        assert sender.send(OutboundMessage(to=PARTNER, body=part)).ok

    assert [m.body for m in fake_twilio.messages] == ["part 1", "part 2", "part 3"]
    times = [m.accepted_at for m in fake_twilio.messages]
    assert times == sorted(times)


@pytest.mark.parametrize(("status", "code"), [(503, 20503), (429, 20429), (500, 20500)])
def test_rate_limits_and_server_errors_are_retryable(
    fake_twilio: FakeTwilioAPI, status: int, code: int
) -> None:
    fake_twilio.fail_next(status)
    sender = sender_for(fake_twilio)

    failed = sender.send(OutboundMessage(to=PARTNER, body="hello"))
    assert not failed.ok and failed.retryable
    assert (failed.status_code, failed.error_code) == (status, code)
    assert fake_twilio.messages == []

    # The fault was scripted for one request only: the retry goes through.
    assert sender.send(OutboundMessage(to=PARTNER, body="hello")).ok
    assert len(fake_twilio.messages) == 1


def test_rejected_recipient_is_permanent(fake_twilio: FakeTwilioAPI) -> None:
    fake_twilio.fail_for("+15550002", 400)
    sender = sender_for(fake_twilio)

    rejected = sender.send(OutboundMessage(to="+15550002", body="hello"))
    assert not rejected.ok and not rejected.retryable and rejected.status_code == 400
    assert rejected.error is not None and "21211" in rejected.error
    assert sender.send(OutboundMessage(to=PARTNER, body="hello")).ok
    assert [m.to for m in fake_twilio.messages] == [f"whatsapp:{PARTNER}"]


def test_wrong_credentials_are_permanent(fake_twilio: FakeTwilioAPI) -> None:
    result = sender_for(fake_twilio, token="wrong").send(OutboundMessage(to=PARTNER, body="hi"))

    assert not result.ok and not result.retryable
    assert (result.status_code, result.error_code) == (401, 20003)
    assert fake_twilio.attempts[0].auth == (fake_twilio.account_sid, "wrong")


def test_body_over_1600_chars_is_a_permanent_21617(fake_twilio: FakeTwilioAPI) -> None:
    sender = sender_for(fake_twilio)

    too_long = sender.send(OutboundMessage(to=PARTNER, body="x" * 1601))
    assert not too_long.ok and not too_long.retryable
    assert (too_long.status_code, too_long.error_code) == (400, 21617)
    assert sender.send(OutboundMessage(to=PARTNER, body="x" * 1600)).ok
    assert [len(m.body) for m in fake_twilio.messages] == [1600]


def test_fail_next_count_fails_that_many_requests(fake_twilio: FakeTwilioAPI) -> None:
    fake_twilio.fail_next(503, count=2)
    sender = sender_for(fake_twilio)

    results = [sender.send(OutboundMessage(to=PARTNER, body=str(i))) for i in range(3)]

    assert [r.ok for r in results] == [False, False, True]
    assert [a.status for a in fake_twilio.attempts] == [503, 503, 201]
    assert [m.body for m in fake_twilio.messages] == ["2"]


def test_timeout_is_retryable_and_bounded(fake_twilio: FakeTwilioAPI) -> None:
    fake_twilio.delay_next(5.0)
    started = time.monotonic()

    result = sender_for(fake_twilio, timeout_s=0.3).send(OutboundMessage(to=PARTNER, body="slow"))

    assert time.monotonic() - started < 2.0
    assert not result.ok and result.retryable and result.status_code is None
    assert result.error is not None and "Timeout" in result.error


def test_a_timed_out_send_can_still_be_accepted_late(fake_twilio: FakeTwilioAPI) -> None:
    """Why the outbox must tolerate duplicates: Twilio may accept after the client gave up."""
    fake_twilio.delay_next(0.4)

    result = sender_for(fake_twilio, timeout_s=0.1).send(OutboundMessage(to=PARTNER, body="late"))

    assert result.retryable
    deadline = time.monotonic() + 3
    while not fake_twilio.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [m.body for m in fake_twilio.messages] == ["late"]


def test_unreachable_api_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sender = TwilioSender("AC1", "t", FROM, api_base_url=f"http://127.0.0.1:{closed_port}")

    result = sender.send(OutboundMessage(to=PARTNER, body="hi"))

    assert not result.ok and result.retryable and result.error is not None


def test_twilio_edge_setting_does_not_redirect_a_custom_base_url(
    fake_twilio: FakeTwilioAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")

    assert sender_for(fake_twilio, timeout_s=1).send(OutboundMessage(to=PARTNER, body="hi")).ok


def test_build_sender_with_credentials_sends_through_twilio(fake_twilio: FakeTwilioAPI) -> None:
    settings = SimpleNamespace(
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_whatsapp_from=FROM,
        twilio_api_base_url=fake_twilio.base_url,
        twilio_timeout_s=2.0,
    )
    sender = build_sender(settings)

    assert isinstance(sender, TwilioSender)
    assert sender.send(OutboundMessage(to=PARTNER, body="hi")).ok
    assert [m.to for m in fake_twilio.messages] == [f"whatsapp:{PARTNER}"]


def test_build_sender_asks_twilio_for_status_callbacks_on_the_public_url(
    fake_twilio: FakeTwilioAPI,
) -> None:
    settings = SimpleNamespace(
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_whatsapp_from=FROM,
        twilio_api_base_url=fake_twilio.base_url,
        twilio_timeout_s=3,
        public_base_url="https://genie.example.com/",
    )
    assert build_sender(settings).send(OutboundMessage(to=PARTNER, body="hi")).ok
    [attempt] = fake_twilio.attempts
    assert attempt.form["StatusCallback"] == ["https://genie.example.com/api/webhook/twilio/status"]
