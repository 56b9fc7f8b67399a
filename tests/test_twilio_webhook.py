"""The Twilio webhook on the real app: signatures checked with the real RequestValidator."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from api.whatsapp.sender import CollectingSender
from store.messaging import MessagingStore
from tests.whatsapp_helpers import (
    PUBLIC,
    WEBHOOK,
    bodies_to,
    messaging_of,
    post_signed,
    sign,
    start_app,
    twilio_form,
    wait_until,
)

PHONE = "+919876543210"


def messaging(client: TestClient) -> MessagingStore:
    """The app's messaging store."""
    return messaging_of(client)


def texts_to(sender: CollectingSender, phone: str = PHONE) -> list[str]:
    """Bodies sent to the partner."""
    return bodies_to(sender, phone)


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


def test_the_query_string_is_part_of_the_signed_url(
    app: tuple[TestClient, CollectingSender],
) -> None:
    client, _ = app
    path = WEBHOOK + "?tenant=acme%20corp&x=1"
    form = twilio_form(PHONE, "menu")
    assert post_signed(client, form, path=path).status_code == 200
    unsigned_query = twilio_form(PHONE, "menu")
    response = post_signed(client, unsigned_query, path=path, signed_url=PUBLIC + WEBHOOK)
    assert response.status_code == 403


def test_without_public_base_url_the_request_url_is_checked(tmp_path: Path) -> None:
    client, _ = start_app(tmp_path, public_base_url=None)
    with client:
        form = twilio_form(PHONE, "menu")
        assert (
            post_signed(client, form, signed_url="http://testserver" + WEBHOOK).status_code == 200
        )
        assert post_signed(client, twilio_form(PHONE, "menu")).status_code == 403


def test_shared_key_signatures_use_the_signing_secret_and_algorithm(tmp_path: Path) -> None:
    client, _ = start_app(tmp_path, twilio_webhook_signing_secret="shared-key-secret")
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
    client, _ = start_app(tmp_path, twilio_auth_token=None)
    with client:
        assert post_signed(client, twilio_form(PHONE, "menu")).status_code == 403


def test_validation_off_accepts_unsigned_requests_with_a_loud_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, sender = start_app(tmp_path, twilio_validate_signature=False)
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
