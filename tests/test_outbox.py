"""The durable outbox through the real twilio REST client, against a local fake Twilio API."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agent.messages import Inbound, Reply
from api.whatsapp.lease_keeper import LeaseKeeper
from api.whatsapp.outbox import OutboxDeliverer, RetryPolicy
from evals.bench.sql_trace import SQLTrace
from store.messaging import OutboundPart, PartStatus
from store.sqlite_messaging import SQLiteMessagingStore
from store.turns import TurnWrite
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import (
    FROM,
    PHONE,
    receive,
    service,
    settled,
    twilio_sender,
)
from tests.whatsapp_helpers import EchoHandler, wait_until

pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback calls to the fakes


def test_replies_go_out_through_the_real_client_with_media(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    class Brochure:
        def handle_message(self, inbound: Inbound) -> list[Reply]:
            return [Reply(text="Here it is"), Reply(text="", media_url="https://x.test/kit.pdf")]

    svc = service(messaging_db, fake_twilio, Brochure())
    svc.start()
    sid = receive(messaging_db, svc, "send me the kit")
    wait_until(lambda: settled(messaging_db, sid, 2), what="both parts")
    svc.stop()

    assert [(m.to, m.from_, m.body, m.media_urls) for m in fake_twilio.messages] == [
        (f"whatsapp:{PHONE}", f"whatsapp:{FROM}", "Here it is", []),
        (f"whatsapp:{PHONE}", f"whatsapp:{FROM}", "", ["https://x.test/kit.pdf"]),
    ]
    parts = messaging_db.parts_for(sid)
    assert [p.sent_sid for p in parts] == [m.sid for m in fake_twilio.messages]
    assert [(p.status, p.attempts) for p in parts] == [(PartStatus.SENT, 1)] * 2


@pytest.mark.parametrize("status", [503, 500, 429])
def test_transient_errors_are_retried_until_accepted(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI, status: int
) -> None:
    fake_twilio.fail_next(status, count=2)
    svc = service(messaging_db, fake_twilio)
    svc.start()
    sid = receive(messaging_db, svc, "hello")
    wait_until(lambda: settled(messaging_db, sid), what="the part")
    svc.stop()
    [part] = messaging_db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.SENT, 3)
    assert [a.status for a in fake_twilio.attempts] == [status, status, 201]
    assert [m.body for m in fake_twilio.messages] == ["echo: hello"]


def test_a_permanent_4xx_is_marked_failed_and_not_retried(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    fake_twilio.fail_for(PHONE, 400)
    svc = service(messaging_db, fake_twilio)
    svc.start()
    sid = receive(messaging_db, svc, "hello")
    wait_until(lambda: settled(messaging_db, sid), what="the part")
    other = receive(
        messaging_db, svc, "still there?", phone="+15550002"
    )  # other partners unaffected
    wait_until(lambda: settled(messaging_db, other), what="the other partner's part")
    svc.stop()
    [part] = messaging_db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.FAILED, 1)
    assert part.error and "HTTP 400" in part.error
    assert [a.status for a in fake_twilio.attempts] == [400, 201]


def test_retries_are_bounded(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    fake_twilio.fail_next(503, count=50)
    svc = service(messaging_db, fake_twilio)
    svc.start()
    sid = receive(messaging_db, svc, "hello")
    wait_until(lambda: settled(messaging_db, sid), what="giving up")
    svc.stop()
    [part] = messaging_db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.FAILED, 4)
    assert len(fake_twilio.attempts) == 4 and fake_twilio.messages == []


def test_a_timeout_is_retried(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    fake_twilio.delay_next(2.0)  # longer than the client's timeout
    svc = service(messaging_db, fake_twilio, sender=twilio_sender(fake_twilio, timeout_s=0.3))
    svc.start()
    sid = receive(messaging_db, svc, "hello")
    wait_until(lambda: settled(messaging_db, sid), what="the part")
    svc.stop()
    [part] = messaging_db.parts_for(sid)
    assert (part.status, part.attempts) == (PartStatus.SENT, 2)
    # The timed-out request may still be accepted later (at-least-once; see docs/whatsapp.md).
    assert part.sent_sid in [m.sid for m in fake_twilio.messages]


def test_parts_go_out_in_order_each_after_the_previous_was_accepted(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    fake_twilio.delay_next(0.2)  # part 1 is slow: a parallel sender would let part 2 overtake it
    fake_twilio.fail_next(503)  # ... and then part 1 fails once more
    svc = service(messaging_db, fake_twilio, EchoHandler(parts=3))
    svc.start()
    first = receive(messaging_db, svc, "one")
    second = receive(messaging_db, svc, "two")
    wait_until(
        lambda: settled(messaging_db, first, 3) and settled(messaging_db, second, 3),
        what="six parts",
    )
    svc.stop()
    expected = [f"echo {i}/3: {t}" for t in ("one", "two") for i in (1, 2, 3)]
    assert [m.body for m in fake_twilio.messages] == expected
    accepted = [m.accepted_at for m in fake_twilio.messages]
    assert accepted == sorted(accepted)


def test_two_services_sharing_the_database_send_nothing_twice(
    tmp_path: Path, messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    phones = [f"+1555010{i:04d}" for i in range(30)]
    other_db = SQLiteMessagingStore(tmp_path / "genie.db")
    services = [
        service(messaging_db, fake_twilio, EchoHandler(2)),
        service(other_db, fake_twilio, EchoHandler(2)),
    ]
    fake_twilio.fail_next(503, count=3)
    sids = [receive(messaging_db, None, f"hi from {p}", phone=p) for p in phones]
    for svc in services:
        svc.start()
        for phone in phones:  # both are told about every phone
            svc.notify_inbound(phone)
    wait_until(lambda: all(settled(messaging_db, sid, 2) for sid in sids), what="all parts")
    for svc in services:
        svc.stop()
    other_db.close()
    sent = [(m.to, m.body) for m in fake_twilio.messages]
    assert len(sent) == 60 and len(set(sent)) == 60
    for phone in phones:
        bodies = [body for to, body in sent if to == f"whatsapp:{phone}"]
        assert bodies == [f"echo 1/2: hi from {phone}", f"echo 2/2: hi from {phone}"]


def _three_part_reply(messaging_db: SQLiteMessagingStore) -> str:
    """A received "hi" whose turn committed the parts "part 0" .. "part 2"; its MessageSid."""
    sid = receive(messaging_db, None, "hi")
    parts = [OutboundPart(body=f"part {i}") for i in range(3)]
    assert messaging_db.commit_turn(TurnWrite(key=sid, phone=PHONE, inbound_sid=sid, parts=parts))
    return sid


def test_a_reply_is_read_once_and_each_part_costs_one_write(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    """The store round trips of delivering one 3-part reply, as SQLite sees them."""
    sid = _three_part_reply(messaging_db)
    deliverer = OutboxDeliverer(
        messaging_db, twilio_sender(fake_twilio), lambda _phone, _delay: None, policy=RetryPolicy(),
        lease_s=5.0, stopping=threading.Event(),
        keeper=LeaseKeeper(messaging_db, 5.0),  # not started: nothing renews within this short test
    )  # fmt: skip
    trace = SQLTrace()
    messaging_db._conn.set_trace_callback(trace)
    deliverer.deliver_phone(PHONE)
    messaging_db._conn.set_trace_callback(None)

    assert [m.body for m in fake_twilio.messages] == ["part 0", "part 1", "part 2"]
    assert [p.status for p in messaging_db.parts_for(sid)] == [PartStatus.SENT] * 3
    assert [p.attempts for p in messaging_db.parts_for(sid)] == [1, 1, 1]
    reads = [s for s in trace.statements if s.startswith("SELECT * FROM wa_outbox")]
    assert len(reads) == 1  # the whole reply at once
    # One write per part: the lease taken with the first attempt counted, then each part
    # marked sent with the next part's attempt counted, the last one with the lease given up.
    assert trace.write_transactions == 1 + 3
    assert messaging_db.acquire_lease(f"outbox:{PHONE}", "someone else", 5.0)  # it was released


def test_a_part_failing_mid_reply_holds_the_rest_back_until_it_is_accepted(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    sid = _three_part_reply(messaging_db)
    scheduled: list[float] = []
    deliverer = OutboxDeliverer(
        messaging_db, twilio_sender(fake_twilio), lambda _phone, delay_s: scheduled.append(delay_s),
        policy=RetryPolicy(4, 0.05, 0.05), lease_s=5.0, stopping=threading.Event(),
    )  # fmt: skip
    fake_twilio.fail_next(503)
    deliverer.deliver_phone(PHONE)
    assert len(fake_twilio.attempts) == 1 and len(scheduled) == 1  # part 0 waits for its retry
    assert [p.status for p in messaging_db.parts_for(sid)] == [PartStatus.PENDING] * 3

    def delivered() -> bool:
        deliverer.deliver_phone(PHONE)
        return not messaging_db.pending_parts(PHONE)

    wait_until(delivered, what="the retried reply")
    assert [m.body for m in fake_twilio.messages] == ["part 0", "part 1", "part 2"]
    assert [p.attempts for p in messaging_db.parts_for(sid)] == [2, 1, 1]
