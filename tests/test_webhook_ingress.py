"""The thin Twilio webhook routes: content types, the fast signature check, limits, test seam."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from api.deps import get_messaging
from api.logging_setup import configure_logging
from api.whatsapp.sender import CollectingSender
from api.whatsapp.signature import signature_matches
from store.base import StoreUnavailable
from store.messaging import NewInbound
from store.sqlite_messaging import SQLiteMessagingStore
from tests.whatsapp_helpers import (
    AUTH_TOKEN,
    PUBLIC,
    WEBHOOK,
    messaging_of,
    post_signed,
    sign,
    twilio_form,
)

PHONE = "+919876543210"


# -- content types --
@pytest.mark.parametrize("path", [WEBHOOK, WEBHOOK + "/status"])
def test_a_body_that_is_not_urlencoded_gets_415_and_nothing_is_stored(
    app: tuple[TestClient, CollectingSender], path: str
) -> None:
    client, _ = app
    form = twilio_form(PHONE, "menu")
    headers = {"X-Twilio-Signature": sign(PUBLIC + path, form)}
    as_json = client.post(path, json=form, headers=headers)
    as_multipart = client.post(path, data=form, files={"f": ("a.txt", b"x")}, headers=headers)
    for response in (as_json, as_multipart):
        assert response.status_code == 415
        assert "application/x-www-form-urlencoded" in response.json()["detail"]
    assert messaging_of(client).get_inbound(form["MessageSid"]) is None


def test_a_charset_parameter_is_accepted(app: tuple[TestClient, CollectingSender]) -> None:
    client, _ = app
    form = twilio_form(PHONE, "menu")
    headers = {
        "X-Twilio-Signature": sign(PUBLIC + WEBHOOK, form),
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    }
    response = client.post(WEBHOOK, content=urlencode(form), headers=headers)
    assert response.status_code == 200
    assert messaging_of(client).get_inbound(form["MessageSid"]) is not None


def test_blank_fields_and_non_ascii_text_are_part_of_the_signature(
    app: tuple[TestClient, CollectingSender],
) -> None:
    client, _ = app
    form = {**twilio_form(PHONE, "अगला सत्र ✓"), "MediaContentType0": "", "Latitude": ""}
    assert post_signed(client, form).status_code == 200
    record = messaging_of(client).get_inbound(form["MessageSid"])
    assert record is not None and record.text == "अगला सत्र ✓"
    without_blanks = {k: v for k, v in form.items() if v}
    signature = sign(PUBLIC + WEBHOOK, without_blanks)
    response = client.post(WEBHOOK, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_too_many_fields_get_400(app: tuple[TestClient, CollectingSender]) -> None:
    client, _ = app
    body = "&".join(f"f{i}=" for i in range(1001))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post(WEBHOOK, content=body, headers=headers).status_code == 400


def test_a_signed_but_oversized_body_gets_413_not_parsed(
    app: tuple[TestClient, CollectingSender],
) -> None:
    client, _ = app
    form = twilio_form(PHONE, "x" * 70_000)  # over MAX_BODY_BYTES (64 KiB)
    response = post_signed(client, form)
    assert response.status_code == 413 and "65536 bytes" in response.json()["detail"]
    assert messaging_of(client).get_inbound(form["MessageSid"]) is None


# -- the fast signature check agrees with twilio's RequestValidator --
@pytest.mark.parametrize(
    "url",
    [
        "https://genie.example.com/api/webhook/twilio",
        "https://genie.example.com:443/api/webhook/twilio?tenant=a%20b",
        "http://genie.example.com:80/api/webhook/twilio",
        "https://genie.example.com:8443/api/webhook/twilio",
    ],
)
@pytest.mark.parametrize("algorithm", ["HMAC_SHA1", "HMAC_SHA256"])
def test_signature_matches_agrees_with_request_validator(url: str, algorithm: str) -> None:
    validator = RequestValidator(AUTH_TOKEN)
    fields = [("Body", "नमस्ते & hi"), ("A", "2"), ("A", "1"), ("A", "1"), ("Blank", "")]
    multi = _MultiDict(fields)
    digest = {"HMAC_SHA1": "sha1", "HMAC_SHA256": "sha256"}[algorithm]
    signed_for = [url, url.replace(":443", "").replace(":80", ""), "https://evil.example.com/x"]
    for signed_url in signed_for:
        for form in (multi, _MultiDict(fields[:2])):
            signature = validator.compute_signature(signed_url, form, algorithm)
            expected = validator.validate(url, multi, signature, algorithm)
            assert signature_matches(AUTH_TOKEN, url, fields, signature, digest) is expected
    assert not signature_matches(AUTH_TOKEN, url, fields, "", digest)


class _MultiDict(dict[str, str]):
    """What RequestValidator reads a repeated field from (getall), as Flask's MultiDict."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs

    def getall(self, name: str) -> list[str]:
        """Every value of the field."""
        return [v for k, v in self.pairs if k == name]


# -- the test seam: dependency overrides still apply to the plain routes --
def test_dependency_overrides_reach_the_webhook(app: tuple[TestClient, CollectingSender]) -> None:
    client, _ = app

    class DownInbox:
        def record_inbound(self, message: NewInbound) -> bool:
            raise StoreUnavailable("down for the test")

    client.app.dependency_overrides[get_messaging] = lambda: DownInbox()  # type: ignore[attr-defined]
    try:
        assert post_signed(client, twilio_form(PHONE, "menu")).status_code == 503
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert post_signed(client, twilio_form(PHONE, "menu")).status_code == 200


# -- one log line per webhook, no uvicorn access line --
def test_an_accepted_webhook_logs_one_line_with_status_duration_and_message(
    app: tuple[TestClient, CollectingSender], caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = app
    form = twilio_form(PHONE, "menu")
    # Whatever levels earlier tests left: the note is built only when genie.whatsapp is at INFO.
    with (
        caplog.at_level(logging.INFO, logger="genie.http"),
        caplog.at_level(logging.INFO, logger="genie.whatsapp"),
    ):
        assert post_signed(client, form).status_code == 200
    lines = [r.getMessage() for r in caplog.records if form["MessageSid"] in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].startswith("POST /api/webhook/twilio -> 200 in ")
    assert lines[0].endswith(f"received {form['MessageSid']} from ***3210: 4 chars, 0 media")


def test_uvicorn_access_lines_are_not_even_built() -> None:
    configure_logging("INFO", "text")
    assert not logging.getLogger("uvicorn.access").hasHandlers()


def test_the_twilio_clients_request_lines_show_only_at_debug() -> None:
    twilio_log = logging.getLogger("twilio.http_client")
    configure_logging("INFO", "text")
    assert not twilio_log.isEnabledFor(logging.INFO)
    configure_logging("DEBUG", "text")
    assert twilio_log.isEnabledFor(logging.DEBUG)
    configure_logging("INFO", "text")


# -- SQLite: the insert runs on the event loop only when it need not wait --
def test_try_record_inbound_never_waits(tmp_path: Path) -> None:
    store = SQLiteMessagingStore(tmp_path / "inbox.db")
    try:
        first = NewInbound(message_sid="SM" + "1" * 32, phone=PHONE, text="hi")
        assert store.try_record_inbound(first) is True
        assert store.try_record_inbound(first) is False  # a retry of the same MessageSid
        second = NewInbound(message_sid="SM" + "2" * 32, phone=PHONE, text="again")
        held, release = threading.Event(), threading.Event()

        def hold_the_lock() -> None:
            with store._lock:
                held.set()
                release.wait(5)

        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        held.wait(5)
        assert store.try_record_inbound(second) is None  # another thread writes
        release.set()
        holder.join()
        other = sqlite3.connect(tmp_path / "inbox.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writes
        started = time.monotonic()
        assert store.try_record_inbound(second) is None
        assert time.monotonic() - started < 1.0  # not the 5 s busy timeout
        other.execute("ROLLBACK")
        other.close()
        assert store.try_record_inbound(second) is True
        assert store.get_inbound(second.message_sid) is not None
    finally:
        store.close()


# -- the ingress benchmark drives the real routes --
def test_the_ingress_benchmark_posts_accepted_webhooks(tmp_path: Path) -> None:
    import asyncio

    from evals.bench.ingress import call_app, ingress_app, ingress_settings, signed_bodies

    app = ingress_app(ingress_settings(str(tmp_path / "ingress.db"), "WARNING"))
    try:
        bodies = signed_bodies(20)
        statuses = [asyncio.run(call_app(app, body, signature)) for body, signature in bodies]
        assert statuses == [200] * 20 and app.state.whatsapp.notified == 20
        assert asyncio.run(call_app(app, bodies[0][0], b"forged")) == 403
    finally:
        app.state.messaging.close()
        app.state.store.close()
