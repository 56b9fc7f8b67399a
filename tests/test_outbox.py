"""The durable outbox through the real twilio REST client, against a local fake Twilio API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.messages import Inbound, Reply
from api.main import create_app
from api.whatsapp.outbox import RetryPolicy
from api.whatsapp.sender import TwilioSender
from api.whatsapp.service import WhatsAppService
from store.messaging import NewInbound, OutboundPart, PartStatus
from store.sqlite_messaging import SQLiteMessagingStore
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.whatsapp_helpers import (
    AUTH_TOKEN,
    EchoHandler,
    new_sid,
    post_signed,
    twilio_form,
    wa_settings,
    wait_until,
)

PHONE = "+15550001"
FROM = "+14155238886"
ACCOUNT = "AC" + "ab" * 16


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback calls must not go through a proxy configured on the test machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def fake() -> Iterator[FakeTwilioAPI]:
    with FakeTwilioAPI(account_sid=ACCOUNT, auth_token=AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SQLiteMessagingStore]:
    store = SQLiteMessagingStore(tmp_path / "genie.db")
    yield store
    store.close()


def twilio_sender(fake: FakeTwilioAPI, timeout_s: float = 3.0) -> TwilioSender:
    return TwilioSender(ACCOUNT, AUTH_TOKEN, FROM, api_base_url=fake.base_url, timeout_s=timeout_s)


def service(
    db: SQLiteMessagingStore, fake: FakeTwilioAPI, handler: object = None, **kw: object
) -> WhatsAppService:
    options: dict[str, object] = {"workers": 2, "sender_workers": 2, "lease_s": 5.0}
    options |= {"sweep_interval_s": 0.1, "retry": RetryPolicy(4, 0.01, 0.05)} | kw
    sender = options.pop("sender", None) or twilio_sender(fake)
    return WhatsAppService(db, handler or EchoHandler(), sender, **options)  # type: ignore[arg-type]


def receive(db: SQLiteMessagingStore, svc: WhatsAppService | None, text: str, phone: str = PHONE) -> str:
    sid = new_sid()
    assert db.record_inbound(NewInbound(message_sid=sid, phone=phone, text=text))
    if svc is not None:
        svc.notify_inbound(phone)
    return sid


def settled(db: SQLiteMessagingStore, sid: str, count: int = 1) -> bool:
    parts = db.parts_for(sid)
    return len(parts) == count and all(p.status is not PartStatus.PENDING for p in parts)


def test_replies_go_out_through_the_real_client_with_media(
    db: SQLiteMessagingStore, fake: FakeTwilioAPI
) -> None:
    class Brochure:
        def handle_message(self, inbound: Inbound) -> list[Reply]:
            return [Reply(text="Here it is"), Reply(text="", media_url="https://x.test/kit.pdf")]

    svc = service(db, fake, Brochure())
    svc.start()
    sid = receive(db, svc, "send me the kit")
    wait_until(lambda: settled(db, sid, 2), what="both parts")
    svc.stop()

    assert [(m.to, m.from_, m.body, m.media_urls) for m in fake.messages] == [
        (f"whatsapp:{PHONE}", f"whatsapp:{FROM}", "Here it is", []),
        (f"whatsapp:{PHONE}", f"whatsapp:{FROM}", "", ["https://x.test/kit.pdf"]),
    ]
    parts = db.parts_for(sid)
    assert [p.sent_sid for p in parts] == [m.sid for m in fake.messages]
    assert [(p.status, p.attempts) for p in parts] == [(PartStatus.SENT, 1)] * 2


@pytest.mark.parametrize("status", [503, 500, 429])
def test_transient_errors_are_retried_until_accepted(
    db: SQLiteMessagingStore, fake: FakeTwilioAPI, status: int
) -> None:
    fake.fail_next(status, count=2)
    svc = service(db, fake)
    svc.start()
    sid = receive(db, svc, "hello")
    wait_until(lambda: settled(db, sid), what="the part")
    svc.stop()
    [part] = db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.SENT, 3)
    assert [a.status for a in fake.attempts] == [status, status, 201]
    assert [m.body for m in fake.messages] == ["echo: hello"]


def test_a_permanent_4xx_is_marked_failed_and_not_retried(
    db: SQLiteMessagingStore, fake: FakeTwilioAPI
) -> None:
    fake.fail_for(PHONE, 400)
    svc = service(db, fake)
    svc.start()
    sid = receive(db, svc, "hello")
    wait_until(lambda: settled(db, sid), what="the part")
    other = receive(db, svc, "still there?", phone="+15550002")  # other partners unaffected
    wait_until(lambda: settled(db, other), what="the other partner's part")
    svc.stop()
    [part] = db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.FAILED, 1)
    assert part.error and "HTTP 400" in part.error
    assert [a.status for a in fake.attempts] == [400, 201]


def test_retries_are_bounded(db: SQLiteMessagingStore, fake: FakeTwilioAPI) -> None:
    fake.fail_next(503, count=50)
    svc = service(db, fake)
    svc.start()
    sid = receive(db, svc, "hello")
    wait_until(lambda: settled(db, sid), what="giving up")
    svc.stop()
    [part] = db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.FAILED, 4)
    assert len(fake.attempts) == 4 and fake.messages == []


def test_a_timeout_is_retried(db: SQLiteMessagingStore, fake: FakeTwilioAPI) -> None:
    fake.delay_next(2.0)  # longer than the client's timeout
    svc = service(db, fake, sender=twilio_sender(fake, timeout_s=0.3))
    svc.start()
    sid = receive(db, svc, "hello")
    wait_until(lambda: settled(db, sid), what="the part")
    svc.stop()
    [part] = db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.SENT, 2)
    # The timed-out request may still be accepted later (at-least-once; see docs/whatsapp.md).
    assert part.sent_sid in [m.sid for m in fake.messages]


def test_parts_go_out_in_order_each_after_the_previous_was_accepted(
    db: SQLiteMessagingStore, fake: FakeTwilioAPI
) -> None:
    fake.delay_next(0.2)  # part 1 is slow: a parallel sender would let part 2 overtake it
    fake.fail_next(503)  # ... and then part 1 fails once more
    svc = service(db, fake, EchoHandler(parts=3))
    svc.start()
    first = receive(db, svc, "one")
    second = receive(db, svc, "two")
    wait_until(lambda: settled(db, first, 3) and settled(db, second, 3), what="six parts")
    svc.stop()
    expected = [f"echo {i}/3: {t}" for t in ("one", "two") for i in (1, 2, 3)]
    assert [m.body for m in fake.messages] == expected
    accepted = [m.accepted_at for m in fake.messages]
    assert accepted == sorted(accepted)


def test_two_services_sharing_the_database_send_nothing_twice(
    tmp_path: Path, db: SQLiteMessagingStore, fake: FakeTwilioAPI
) -> None:
    phones = [f"+1555010{i:04d}" for i in range(30)]
    other_db = SQLiteMessagingStore(tmp_path / "genie.db")
    services = [service(db, fake, EchoHandler(2)), service(other_db, fake, EchoHandler(2))]
    fake.fail_next(503, count=3)
    sids = [receive(db, None, f"hi from {p}", phone=p) for p in phones]
    for svc in services:
        svc.start()
        for phone in phones:  # both are told about every phone
            svc.notify_inbound(phone)
    wait_until(lambda: all(settled(db, sid, 2) for sid in sids), what="all parts")
    for svc in services:
        svc.stop()
    other_db.close()
    sent = [(m.to, m.body) for m in fake.messages]
    assert len(sent) == 60 and len(set(sent)) == 60
    for phone in phones:
        bodies = [body for to, body in sent if to == f"whatsapp:{phone}"]
        assert bodies == [f"echo 1/2: hi from {phone}", f"echo 2/2: hi from {phone}"]


def test_saved_but_unsent_parts_and_unprocessed_messages_survive_a_crash(
    db: SQLiteMessagingStore, fake: FakeTwilioAPI
) -> None:
    # State a crashed process leaves behind: a reply saved but not sent (its outbox lease still
    # held by the dead worker), a message recorded but not processed, a part that was being sent
    # for the last allowed time.
    saved = receive(db, None, "saved")
    db.complete_inbound(saved, [OutboundPart(body="saved 1"), OutboundPart(body="saved 2")])
    leased_at = time.monotonic()
    db.acquire_lease(f"outbox:{PHONE}", "dead-worker", 0.3)
    unprocessed = receive(db, None, "never processed", phone="+15550002")
    exhausted = receive(db, None, "exhausted", phone="+15550003")
    db.complete_inbound(exhausted, [OutboundPart(body="in flight at the crash")])
    for _ in range(4):
        db.record_attempt(exhausted, 0)

    svc = service(db, fake)
    svc.start()
    wait_until(
        lambda: settled(db, saved, 2) and settled(db, unprocessed) and settled(db, exhausted),
        what="recovery",
    )
    svc.stop()
    resent = [m for m in fake.messages if m.to == f"whatsapp:{PHONE}"]
    assert [m.body for m in resent] == ["saved 1", "saved 2"]
    assert resent[0].accepted_at - leased_at >= 0.3  # only once the dead worker's lease expired
    assert [p.status for p in db.parts_for(unprocessed)] == [PartStatus.SENT]
    [gave_up] = db.parts_for(exhausted)
    assert gave_up.status is PartStatus.FAILED and gave_up.attempts == 4
    assert "in flight at the crash" not in [m.body for m in fake.messages]


def test_the_app_sends_through_twilio_when_configured(tmp_path: Path, fake: FakeTwilioAPI) -> None:
    settings = wa_settings(
        tmp_path, twilio_account_sid=ACCOUNT, twilio_whatsapp_from=f"whatsapp:{FROM}",
        twilio_api_base_url=fake.base_url,
    )  # fmt: skip
    with TestClient(create_app(settings=settings)) as client:
        assert isinstance(client.app.state.sender, TwilioSender)  # type: ignore[attr-defined]
        assert client.get("/readyz").json()["sender"] == "twilio"
        assert post_signed(client, twilio_form(PHONE, "I am a new partner")).status_code == 200
        wait_until(lambda: len(fake.messages) >= 2, what="the welcome via Twilio")
    assert fake.messages[0].to == f"whatsapp:{PHONE}"
    assert "Welcome to the partner programme, Asha!" in fake.messages[0].body
