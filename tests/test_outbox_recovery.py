"""Crash recovery of the outbox and inbox, and the app sending through Twilio when configured."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.whatsapp.sender import TwilioSender
from store.messaging import OutboundPart, PartStatus
from store.sqlite_messaging import SQLiteMessagingStore
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import ACCOUNT, FROM, PHONE, receive, service, settled
from tests.whatsapp_helpers import post_signed, twilio_form, wa_settings, wait_until

pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback calls to the fakes


def test_saved_but_unsent_parts_and_unprocessed_messages_survive_a_crash(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    # State a crashed process leaves behind: a reply saved but not sent (its outbox lease still
    # held by the dead worker), a message recorded but not processed, a part that was being sent
    # for the last allowed time.
    saved = receive(messaging_db, None, "saved")
    messaging_db.complete_inbound(
        saved, [OutboundPart(body="saved 1"), OutboundPart(body="saved 2")]
    )
    leased_at = time.monotonic()
    messaging_db.acquire_lease(f"outbox:{PHONE}", "dead-worker", 0.3)
    unprocessed = receive(messaging_db, None, "never processed", phone="+15550002")
    exhausted = receive(messaging_db, None, "exhausted", phone="+15550003")
    messaging_db.complete_inbound(exhausted, [OutboundPart(body="in flight at the crash")])
    for _ in range(4):
        messaging_db.record_attempt(exhausted, 0)

    svc = service(messaging_db, fake_twilio)
    svc.start()
    wait_until(
        lambda: (
            settled(messaging_db, saved, 2)
            and settled(messaging_db, unprocessed)
            and settled(messaging_db, exhausted)
        ),
        what="recovery",
    )
    svc.stop()
    resent = [m for m in fake_twilio.messages if m.to == f"whatsapp:{PHONE}"]
    assert [m.body for m in resent] == ["saved 1", "saved 2"]
    assert resent[0].accepted_at - leased_at >= 0.3  # only once the dead worker's lease expired
    assert [p.status for p in messaging_db.parts_for(unprocessed)] == [PartStatus.SENT]
    [gave_up] = messaging_db.parts_for(exhausted)
    assert gave_up.status is PartStatus.FAILED and gave_up.attempts == 4
    assert "in flight at the crash" not in [m.body for m in fake_twilio.messages]


def test_the_app_sends_through_twilio_when_configured(
    tmp_path: Path, fake_twilio: FakeTwilioAPI
) -> None:
    settings = wa_settings(
        tmp_path, twilio_account_sid=ACCOUNT, twilio_whatsapp_from=f"whatsapp:{FROM}",
        twilio_api_base_url=fake_twilio.base_url,
    )  # fmt: skip
    with TestClient(create_app(settings=settings)) as client:
        assert isinstance(client.app.state.sender, TwilioSender)  # type: ignore[attr-defined]
        assert client.get("/readyz").json()["sender"] == "twilio"
        assert post_signed(client, twilio_form(PHONE, "I am a new partner")).status_code == 200
        wait_until(lambda: len(fake_twilio.messages) >= 2, what="the welcome via Twilio")
    assert fake_twilio.messages[0].to == f"whatsapp:{PHONE}"
    assert "Welcome to the partner programme, Asha!" in fake_twilio.messages[0].body
    assert fake_twilio.messages[1].media_urls  # session content with a media URL goes out as media
