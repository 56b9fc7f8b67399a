"""The Twilio webhook on the real app: signatures (real RequestValidator), inputs, answers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from agent.engine import Engine
from agent.messages import Inbound, Reply
from api.logging_setup import JsonFormatter
from api.main import create_app
from api.whatsapp.sender import CollectingSender
from prompts import message
from store.factory import open_store
from store.messaging import MessagingStore
from tests.whatsapp_helpers import (
    AUTH_TOKEN,
    PUBLIC,
    WEBHOOK,
    EchoHandler,
    TrackingHandler,
    new_sid,
    post_signed,
    sign,
    twilio_form,
    wa_settings,
    wait_until,
)

PHONE = "+919876543210"


def start(tmp_path: Path, engine: Any = None, **overrides: Any) -> tuple[TestClient, CollectingSender]:
    """An app on a seeded SQLite file, replies collected in memory; `with client:` runs it."""
    settings = wa_settings(tmp_path, **overrides)
    store = open_store(settings)
    sender = CollectingSender()
    app = create_app(settings=settings, store=store, engine=engine or Engine(store), sender=sender)
    return TestClient(app), sender


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, CollectingSender]]:
    client, sender = start(tmp_path)
    with client:
        yield client, sender


def messaging(client: TestClient) -> MessagingStore:
    store: MessagingStore = client.app.state.messaging  # type: ignore[attr-defined]
    return store


def texts_to(sender: CollectingSender, phone: str = PHONE) -> list[str]:
    return [m.body for m in sender.sent if m.to == phone]


# -- signatures --
def test_a_signed_message_is_recorded_answered_with_empty_twiml_and_replied_to(
    app: tuple[TestClient, CollectingSender],
) -> None:
    client, sender = app
    form = twilio_form(PHONE, "I am a new partner", name="Asha Rao")
    response = post_signed(client, form)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.endswith("<Response/>") and response.headers["x-request-id"]
    record = messaging(client).get_inbound(form["MessageSid"])
    assert record is not None and (record.phone, record.profile_name) == (PHONE, "Asha Rao")
    wait_until(lambda: len(texts_to(sender)) >= 2, what="the welcome")
    assert "Welcome to the partner programme, Asha!" in texts_to(sender)[0]


@pytest.mark.parametrize(
    "case",
    ["tampered body", "wrong url", "missing header", "wrong token", "signed for proxy-side url"],
)
def test_unprovable_requests_get_403_and_nothing_is_stored(
    app: tuple[TestClient, CollectingSender], case: str
) -> None:
    client, sender = app
    form = twilio_form(PHONE, "I am a new partner")
    url = PUBLIC + WEBHOOK
    headers = {"X-Twilio-Signature": sign(url, form)}
    if case == "tampered body":
        form = {**form, "Body": "restart"}
    elif case == "wrong url":
        headers["X-Twilio-Signature"] = sign("https://evil.example.com" + WEBHOOK, form)
    elif case == "missing header":
        headers = {}
    elif case == "wrong token":
        headers["X-Twilio-Signature"] = sign(url, form, token="another-accounts-token")
    else:  # what the app sees behind the proxy is not what Twilio signed
        headers["X-Twilio-Signature"] = sign("http://testserver" + WEBHOOK, form)

    response = client.post(WEBHOOK, data=form, headers=headers)

    assert response.status_code == 403
    assert messaging(client).get_inbound(form["MessageSid"]) is None
    assert messaging(client).phones_with_unprocessed() == []
    time.sleep(0.05)  # nothing may be sent either, not even late
    assert sender.attempts == []


def test_the_query_string_is_part_of_the_signed_url(app: tuple[TestClient, CollectingSender]) -> None:
    client, _ = app
    path = WEBHOOK + "?tenant=acme%20corp&x=1"
    form = twilio_form(PHONE, "menu")
    assert post_signed(client, form, path=path).status_code == 200
    unsigned_query = twilio_form(PHONE, "menu")
    response = post_signed(client, unsigned_query, path=path, signed_url=PUBLIC + WEBHOOK)
    assert response.status_code == 403


def test_without_public_base_url_the_request_url_is_checked(tmp_path: Path) -> None:
    client, _ = start(tmp_path, public_base_url=None)
    with client:
        form = twilio_form(PHONE, "menu")
        assert post_signed(client, form, signed_url="http://testserver" + WEBHOOK).status_code == 200
        assert post_signed(client, twilio_form(PHONE, "menu")).status_code == 403


def test_shared_key_signatures_use_the_signing_secret_and_algorithm(tmp_path: Path) -> None:
    client, _ = start(tmp_path, twilio_webhook_signing_secret="shared-key-secret")
    with client:
        form = twilio_form(PHONE, "menu")
        validator = RequestValidator("shared-key-secret")
        signature = validator.compute_signature(PUBLIC + WEBHOOK, form, "HMAC_SHA256")
        headers = {
            "X-Twilio-Signature": signature,
            "X-Twilio-Webhooks-Signature-Settings": "key=KS123,algorithm=HMAC_SHA256",
        }
        assert client.post(WEBHOOK, data=form, headers=headers).status_code == 200
        headers["X-Twilio-Signature"] = sign(PUBLIC + WEBHOOK, form)  # auth token, SHA1
        assert client.post(WEBHOOK, data=form, headers=headers).status_code == 403


def test_without_an_auth_token_every_request_is_refused(tmp_path: Path) -> None:
    client, _ = start(tmp_path, twilio_auth_token=None)
    with client:
        assert post_signed(client, twilio_form(PHONE, "menu")).status_code == 403


def test_validation_off_accepts_unsigned_requests_with_a_loud_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, sender = start(tmp_path, twilio_validate_signature=False)
    with caplog.at_level(logging.WARNING, logger="genie.whatsapp"), client:
        form = twilio_form(PHONE, "I am a new partner")
        assert client.post(WEBHOOK, data=form).status_code == 200
        wait_until(lambda: bool(texts_to(sender)), what="a reply")
    assert any("accepts requests from ANYONE" in r.getMessage() for r in caplog.records)


def test_status_callbacks_are_signature_checked_and_recorded(
    app: tuple[TestClient, CollectingSender],
) -> None:
    client, sender = app
    inbound = twilio_form(PHONE, "menu")
    post_signed(client, inbound)
    wait_until(lambda: bool(sender.sent), what="a reply")
    parts = messaging(client).parts_for(inbound["MessageSid"])
    wait_until(lambda: messaging(client).parts_for(inbound["MessageSid"])[0].sent_sid is not None)
    sent_sid = messaging(client).parts_for(inbound["MessageSid"])[0].sent_sid
    assert parts and sent_sid
    status = {"MessageSid": sent_sid, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}
    path = WEBHOOK + "/status"
    assert client.post(path, data=status).status_code == 403
    assert post_signed(client, status, path=path).status_code == 204
    part = messaging(client).parts_for(inbound["MessageSid"])[0]
    assert part.delivery_status == "delivered"


# -- what arrives --
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Body": "", "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/m/1.jpg"}, "media_only"),
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

    client, sender = start(tmp_path, engine=SlowBrain())
    with client:
        started = time.perf_counter()
        assert post_signed(client, twilio_form(PHONE, "tell me more")).status_code == 200
        assert time.perf_counter() - started < 1.0
        assert sender.sent == []
        release.set()
        wait_until(lambda: texts_to(sender) == ["echo: tell me more"], what="the slow reply")


def test_rate_limit_answers_politely_once_and_spares_the_brain(tmp_path: Path) -> None:
    brain = TrackingHandler(EchoHandler())
    client, sender = start(tmp_path, engine=brain, rate_limit_messages=2)
    with client:
        for i in range(5):
            assert post_signed(client, twilio_form(PHONE, f"msg {i}")).status_code == 200
        wait_until(lambda: messaging(client).phones_with_unprocessed() == [], what="processing")
        wait_until(lambda: len(sender.sent) == 3, what="three replies")
    assert texts_to(sender) == ["echo: msg 0", "echo: msg 1", message("rate_limited")]
    assert brain.calls[PHONE] == ["msg 0", "msg 1"]


def test_logs_mask_phones_and_leave_bodies_out_at_info(
    app: tuple[TestClient, CollectingSender], caplog: pytest.LogCaptureFixture
) -> None:
    client, sender = app
    secret_text = "my secret question about commissions"
    with caplog.at_level(logging.INFO):
        post_signed(client, twilio_form(PHONE, secret_text))
        wait_until(lambda: bool(sender.sent), what="a reply")
    lines = [JsonFormatter().format(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert any("***3210" in line for line in lines)
    assert not any(PHONE in line or "9876543210" in line for line in lines)
    assert not any(secret_text in line for line in lines)


# -- operating --
def test_health_readiness_and_the_dev_replies_endpoint(app: tuple[TestClient, CollectingSender]) -> None:
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
    assert client.get(unknown, headers={"X-Twilio-Signature": sign(PUBLIC + unknown, {})}).status_code == 404


def test_readiness_fails_when_twilio_is_half_configured(tmp_path: Path) -> None:
    client, _ = start(tmp_path, twilio_account_sid="AC" + "1" * 32)
    with client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["missing_settings"] == ["TWILIO_WHATSAPP_FROM"]
    assert AUTH_TOKEN not in response.text
