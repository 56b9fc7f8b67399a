"""The Twilio webhook on the real app: odd inputs, fast answers, rate limit, logs, operations."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.messages import Inbound, Reply
from api.logging_setup import JsonFormatter
from api.main import create_app
from api.whatsapp.sender import CollectingSender, ConsoleSender
from prompts import message
from store.messaging import MessagingStore
from tests.whatsapp_helpers import (
    AUTH_TOKEN,
    PUBLIC,
    WEBHOOK,
    EchoHandler,
    TrackingHandler,
    bodies_to,
    messaging_of,
    new_sid,
    post_signed,
    sign,
    start_app,
    twilio_form,
    wa_settings,
    wait_until,
)

PHONE = "+919876543210"


def messaging(client: TestClient) -> MessagingStore:
    """The app's messaging store."""
    return messaging_of(client)


def texts_to(sender: CollectingSender, phone: str = PHONE) -> list[str]:
    """Bodies sent to the partner."""
    return bodies_to(sender, phone)


# -- what arrives --
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"Body": "", "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/m/1.jpg"},
            "media_only",
        ),
        ({"Body": "   "}, "empty_message"),
        ({"Body": "x" * 3000}, "too_long"),
    ],
)
def test_odd_messages_get_a_sensible_reply(
    app: tuple[TestClient, CollectingSender], fields: dict[str, str], expected: str
) -> None:
    client, sender = app
    form = twilio_form(PHONE, "") | fields
    assert post_signed(client, form).status_code == 200
    wait_until(lambda: bool(texts_to(sender)), what="a reply")
    assert texts_to(sender) == [message(expected, limit=2000)]
    record = messaging(client).get_inbound(form["MessageSid"])
    assert record is not None and record.media_urls == (
        ["https://api.twilio.com/m/1.jpg"] if expected == "media_only" else []
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"From": "+15550001"},  # SMS, not WhatsApp
        {"From": "whatsapp:not-a-phone"},
        {"MessageSid": "", "SmsMessageSid": ""},
        {"MessageSid": "x'; drop table", "SmsMessageSid": ""},
    ],
)
def test_signed_requests_that_are_not_whatsapp_messages_are_ignored(
    app: tuple[TestClient, CollectingSender], fields: dict[str, str]
) -> None:
    client, sender = app
    sid = new_sid()
    form = twilio_form(PHONE, "hello", sid=sid) | fields
    response = post_signed(client, form)
    assert response.status_code == 200 and response.text.endswith("<Response/>")
    time.sleep(0.05)  # nothing may be processed or sent, not even late
    assert messaging(client).get_inbound(sid) is None and messaging(client).next_part(PHONE) is None
    assert sender.attempts == []


def test_the_webhook_answers_fast_while_the_llm_is_slow(tmp_path: Path) -> None:
    release = threading.Event()

    class SlowBrain(EchoHandler):
        def handle_message(self, inbound: Inbound) -> list[Reply]:
            release.wait(10)  # a 30 s LLM turn, cut short by the test
            return super().handle_message(inbound)

    client, sender = start_app(tmp_path, engine=SlowBrain())
    with client:
        started = time.perf_counter()
        assert post_signed(client, twilio_form(PHONE, "tell me more")).status_code == 200
        assert time.perf_counter() - started < 1.0
        assert sender.sent == []
        release.set()
        wait_until(lambda: texts_to(sender) == ["echo: tell me more"], what="the slow reply")


def test_rate_limit_answers_politely_once_and_spares_the_brain(tmp_path: Path) -> None:
    brain = TrackingHandler(EchoHandler())
    client, sender = start_app(
        tmp_path, engine=brain, rate_limit_messages=2, rate_limit_window_s=1.5
    )
    with client:
        for i in range(5):
            assert post_signed(client, twilio_form(PHONE, f"msg {i}")).status_code == 200
        # The latest message of the flood waits for the window, then is answered.
        wait_until(lambda: len(sender.sent) == 4, what="four replies")
        wait_until(lambda: messaging(client).phones_with_unprocessed() == [], what="processing")
        store = client.app.state.store  # type: ignore[attr-defined]
        said = [(c.text, c.source) for c in store.chat_history(PHONE) if c.who == "partner"]
    assert texts_to(sender) == [
        "echo: msg 0", "echo: msg 1", message("rate_limited"), "echo: msg 4"
    ]  # fmt: skip
    assert brain.calls[PHONE] == ["msg 0", "msg 1", "msg 4"]
    # Nothing vanishes: the held-back messages are in the transcript with their fate.
    assert said == [("msg 2", "rate_limited"), ("msg 3", "rate_limited")]


def test_logs_mask_phones_and_leave_bodies_out_at_info(
    app: tuple[TestClient, CollectingSender], caplog: pytest.LogCaptureFixture
) -> None:
    client, sender = app
    secret_text = "my secret question about commissions"
    # Explicit: other code (e.g. the evals CLI) may have quietened the "genie" loggers.
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="genie"):
        post_signed(client, twilio_form(PHONE, secret_text))
        wait_until(lambda: bool(sender.sent), what="a reply")
    lines = [JsonFormatter().format(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert any("***3210" in line for line in lines)
    assert not any(PHONE in line or "9876543210" in line for line in lines)
    assert not any(secret_text in line for line in lines)


# -- operating --
def test_health_readiness_and_the_dev_replies_endpoint(
    app: tuple[TestClient, CollectingSender],
) -> None:
    client, sender = app
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["sender"] == "CollectingSender"
    assert ready["sender_configured"] is True and ready["signature_validation"] is True

    form = twilio_form(PHONE, "I am a new partner")
    post_signed(client, form)
    path = f"/api/dev/replies/{form['MessageSid']}"
    assert client.get(path).status_code == 403
    headers = {"X-Twilio-Signature": sign(PUBLIC + path, {})}
    wait_until(lambda: client.get(path, headers=headers).json()["processed"], what="processing")
    wait_until(lambda: len(sender.sent) >= 2, what="the replies")
    body = client.get(path, headers=headers).json()
    assert [p["body"] for p in body["parts"]] == texts_to(sender)
    unknown = f"/api/dev/replies/{new_sid()}"
    assert (
        client.get(unknown, headers={"X-Twilio-Signature": sign(PUBLIC + unknown, {})}).status_code
        == 404
    )


def test_readiness_fails_when_twilio_is_half_configured(tmp_path: Path) -> None:
    client, _ = start_app(tmp_path, twilio_account_sid="AC" + "1" * 32)
    with client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["missing_settings"] == ["TWILIO_WHATSAPP_FROM"]
    assert AUTH_TOKEN not in response.text


def test_without_twilio_credentials_replies_are_printed_so_it_works_offline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = wa_settings(tmp_path, twilio_auth_token=None, twilio_validate_signature=False)
    with TestClient(create_app(settings=settings)) as client:
        assert isinstance(client.app.state.sender, ConsoleSender)  # type: ignore[attr-defined]
        assert (
            client.post(WEBHOOK, data=twilio_form(PHONE, "I am a new partner")).status_code == 200
        )
        wait_until(lambda: "Welcome to the partner programme" in capsys.readouterr().out)
