"""One contract for every MessagingStore: SQLite, mongomock, and MongoDB when MONGODB_URI is set."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import mongomock
import pytest

from store.messaging import (
    IdleRelease,
    MessagingStore,
    NewInbound,
    OutboundPart,
    PartStatus,
    SentThen,
    StatusUpdate,
)
from store.models import utcnow
from store.mongo_messaging import MongoMessagingStore
from store.sqlite_messaging import SQLiteMessagingStore
from store.turns import TurnWrite
from tests.store_backends import Backend

PHONE, OTHER = "+919876543210", "+15550002"


@pytest.fixture
def opener(backend: Backend) -> Callable[[], MessagingStore]:
    """Opens a new store (a new connection) over the same fresh storage each call."""
    return backend.open_messaging


@pytest.fixture
def store(opener: Callable[[], MessagingStore]) -> Iterator[MessagingStore]:
    """An open store, closed after the test."""
    opened = opener()
    yield opened
    opened.close()


def inbound(sid: str, phone: str = PHONE, text: str = "hi", seconds_ago: float = 0) -> NewInbound:
    """A message as the webhook records it."""
    at = utcnow() - timedelta(seconds=seconds_ago)
    return NewInbound(message_sid=sid, phone=phone, text=text, received_at=at)


def test_inbound_is_recorded_once_and_processed_in_arrival_order(store: MessagingStore) -> None:
    assert store.record_inbound(inbound("SM1", text="first")) is True
    assert store.record_inbound(inbound("SM1", text="retry")) is False
    assert store.record_inbound(inbound("SM2", text="second")) is True
    assert store.record_inbound(inbound("SM3", phone=OTHER)) is True

    first = store.next_unprocessed(PHONE)
    assert first is not None and (first.message_sid, first.text) == ("SM1", "first")
    assert sorted(store.phones_with_unprocessed()) == sorted([PHONE, OTHER])
    assert store.complete_inbound("SM1", [OutboundPart(body="a")]) is True
    assert store.complete_inbound("SM1", [OutboundPart(body="again")]) is False
    second = store.next_unprocessed(PHONE)
    assert second is not None and second.message_sid == "SM2" and second.seq > first.seq
    assert store.complete_inbound("SM2", []) is True
    assert store.next_unprocessed(PHONE) is None
    assert store.phones_with_unprocessed() == [OTHER]
    assert [p.body for p in store.parts_for("SM1")] == ["a"]
    record = store.get_inbound("SM1")
    assert record is not None and record.processed and record.received_at.tzinfo is not None


def test_count_recent_counts_the_window_up_to_a_message(store: MessagingStore) -> None:
    store.record_inbound(inbound("SM-old", seconds_ago=120))
    for i in range(3):
        store.record_inbound(inbound(f"SM{i}"))
    last = store.get_inbound("SM2")
    middle = store.get_inbound("SM1")
    assert last is not None and middle is not None
    since = utcnow() - timedelta(seconds=60)
    assert store.count_recent(PHONE, since, last.seq) == 3
    assert store.count_recent(PHONE, since, middle.seq) == 2
    assert store.count_recent(OTHER, since, last.seq) == 0


def test_outbox_parts_go_in_order_and_settle(store: MessagingStore) -> None:
    store.record_inbound(inbound("SM1"))
    store.record_inbound(inbound("SM2"))
    store.complete_inbound("SM2", [OutboundPart(body="later")])  # out of order on purpose
    parts = [OutboundPart(body="one"), OutboundPart(body="two", media_url="https://x.test/a.pdf")]
    store.complete_inbound("SM1", parts)

    head = store.next_part(PHONE)
    assert head is not None and (head.message_sid, head.n, head.body) == ("SM1", 0, "one")
    assert store.record_attempt("SM1", 0) == 1
    store.mark_sent("SM1", 0, "SMout0")
    head = store.next_part(PHONE)
    assert head is not None and (head.n, head.media_url) == (1, "https://x.test/a.pdf")
    later = utcnow() + timedelta(seconds=30)
    store.reschedule("SM1", 1, later, "HTTP 503")
    head = store.next_part(PHONE)
    assert head is not None and head.n == 1 and head.error == "HTTP 503"
    assert abs((head.next_attempt_at - later).total_seconds()) < 0.01
    assert store.record_attempt("SM1", 1) == 1 and store.record_attempt("SM1", 1) == 2
    store.mark_failed("SM1", 1, "HTTP 400")
    head = store.next_part(PHONE)
    assert head is not None and (head.message_sid, head.body) == ("SM2", "later")
    assert store.phones_with_pending_parts() == [PHONE]
    store.mark_sent("SM2", 0, "SMout2")
    assert store.next_part(PHONE) is None and store.phones_with_pending_parts() == []

    settled = store.parts_for("SM1")
    assert [(p.status, p.sent_sid, p.attempts) for p in settled] == [
        (PartStatus.SENT, "SMout0", 1),
        (PartStatus.FAILED, None, 2),
    ]
    assert store.record_status("SMout0", "delivered", None) is True
    assert store.record_status("SMunknown", "failed", "63016") is False
    assert store.parts_for("SM1")[0].delivery_status == "delivered"


def _sent_parts(store: MessagingStore, count: int) -> list[str]:
    """`count` parts of one reply, each marked sent as SMout<n>."""
    store.record_inbound(inbound("SM1"))
    store.complete_inbound("SM1", [OutboundPart(body=f"part {n}") for n in range(count)])
    for n in range(count):
        store.mark_sent("SM1", n, f"SMout{n}")
    return [f"SMout{n}" for n in range(count)]


def _delivery(store: MessagingStore) -> list[str | None]:
    return [p.delivery_status for p in store.parts_for("SM1")]


def test_a_part_keeps_the_status_latest_in_twilios_order(store: MessagingStore) -> None:
    first, second, third = _sent_parts(store, 3)
    batch = [
        StatusUpdate(first, "sent"), StatusUpdate(first, "read"),
        StatusUpdate(first, "delivered"),  # arrived after read: too late to count
        StatusUpdate(second, "delivered"), StatusUpdate("SMunknown", "sent"),
        StatusUpdate(third, "undelivered", "63016"),
    ]  # fmt: skip
    assert store.record_statuses(batch) == [True, True, True, True, False, True]
    assert _delivery(store) == ["read", "delivered", "undelivered"]

    assert store.record_status(second, "sent", None) is True  # matched, though too late
    assert store.record_status(third, "delivered", None) is True  # same rank: the later wins
    assert _delivery(store) == ["read", "delivered", "delivered"]
    assert store.record_statuses([]) == []


def test_statuses_one_by_one_end_where_one_batch_ends(
    opener: Callable[[], MessagingStore],
) -> None:
    arrivals = ["queued", "read", "sent", "delivered", "failed", "sending", "accepted"]
    store = opener()
    try:
        one_by_one, batched = _sent_parts(store, 2)
        for status in arrivals:
            store.record_status(one_by_one, status, None)
        assert store.record_statuses([StatusUpdate(batched, s) for s in arrivals]) == [True] * 7
        assert _delivery(store) == ["read", "read"]
        again = opener()  # what was written is there for another connection
        assert [p.delivery_status for p in again.parts_for("SM1")] == ["read", "read"]
        again.close()
    finally:
        store.close()


def test_pending_parts_reads_a_phones_queue_in_order_up_to_a_limit(store: MessagingStore) -> None:
    for sid in ("SM1", "SM2", "SM3"):
        store.record_inbound(inbound(sid))
    store.complete_inbound("SM2", [OutboundPart(body="2a")])
    store.complete_inbound("SM1", [OutboundPart(body=f"1{c}") for c in "abc"])
    store.complete_inbound("SM3", [OutboundPart(body="3a"), OutboundPart(body="3b")])
    store.record_inbound(inbound("SM4", phone="+15550002"))
    store.complete_inbound("SM4", [OutboundPart(body="other phone")])
    store.mark_sent("SM1", 0, "SMout")
    store.mark_failed("SM1", 1, "HTTP 400")

    assert [p.body for p in store.pending_parts(PHONE)] == ["1c", "2a", "3a", "3b"]
    assert [(p.message_sid, p.n) for p in store.pending_parts(PHONE, 2)] == [("SM1", 2), ("SM2", 0)]
    assert store.pending_parts("+15550009") == []
    head = store.next_part(PHONE)
    assert head is not None and head.body == "1c"


def test_lease_is_exclusive_renewable_and_taken_over_after_expiry(store: MessagingStore) -> None:
    assert store.acquire_lease("inbox:+1", "a", 30) is True
    assert store.acquire_lease("inbox:+1", "b", 30) is False
    assert store.acquire_lease("inbox:+1", "a", 30) is True  # re-entrant for the owner
    assert store.acquire_lease("inbox:+2", "b", 30) is True  # keys are independent
    assert store.renew_lease("inbox:+1", "a", 30) is True
    assert store.renew_lease("inbox:+1", "b", 30) is False
    store.release_lease("inbox:+1", "b")  # not b's: no effect
    assert store.acquire_lease("inbox:+1", "b", 30) is False
    store.release_lease("inbox:+1", "a")
    assert store.acquire_lease("inbox:+1", "b", 0.05) is True
    time.sleep(0.1)
    assert store.acquire_lease("inbox:+1", "c", 30) is True  # b's lease expired
    assert store.renew_lease("inbox:+1", "b", 30) is False


def test_lease_race_between_connections_has_one_winner(
    opener: Callable[[], MessagingStore],
) -> None:
    stores = [opener() for _ in range(4)]
    start = threading.Barrier(len(stores))

    def contend(i: int) -> bool:
        start.wait()
        return stores[i].acquire_lease("outbox:+1", f"owner{i}", 30)

    with ThreadPoolExecutor(len(stores)) as pool:
        wins = list(pool.map(contend, range(len(stores))))
    assert wins.count(True) == 1
    for opened in stores:
        opened.close()


def test_data_survives_reopening(opener: Callable[[], MessagingStore]) -> None:
    first = opener()
    first.record_inbound(inbound("SM1"))
    first.complete_inbound("SM1", [OutboundPart(body="saved, not sent")])
    first.close()
    second = opener()
    head = second.next_part(PHONE)
    assert head is not None and head.body == "saved, not sent" and second.ping()
    second.close()


def test_mongo_a_settled_reply_still_flagged_pending_does_not_block_the_queue() -> None:
    db: Any = mongomock.MongoClient()["genie_test"]
    store = MongoMessagingStore(db)
    store.record_inbound(inbound("SM1"))
    store.record_inbound(inbound("SM2"))
    store.complete_inbound("SM1", [OutboundPart(body="done")])
    store.complete_inbound("SM2", [OutboundPart(body="waiting")])
    db["WA_Inbox"].update_one({"_id": "SM1"}, {"$set": {"parts.0.status": "sent"}})  # by hand
    head = store.next_part(PHONE)
    assert head is not None and head.message_sid == "SM2"
    assert db["WA_Inbox"].find_one({"_id": "SM1"})["outbox_pending"] is False


def test_a_proactive_message_is_queued_once_after_the_replies(store: MessagingStore) -> None:
    store.record_inbound(inbound("SM1"))
    store.complete_inbound("SM1", [OutboundPart(body="reply")])
    template = OutboundPart(
        body="[template nudge: 1=Asha]", content_sid="HX1", content_variables='{"1": "Asha"}'
    )
    assert store.enqueue_proactive("reminder:a", PHONE, template) is True
    assert store.enqueue_proactive("reminder:a", PHONE, template) is False  # a retry
    head = store.next_part(PHONE)
    assert head is not None and head.message_sid == "SM1"
    store.mark_sent("SM1", 0, "SMout")
    head = store.next_part(PHONE)
    assert head is not None and (head.message_sid, head.n) == ("reminder:a", 0)
    assert (head.content_sid, head.content_variables) == ("HX1", '{"1": "Asha"}')
    assert store.phones_with_pending_parts() == [PHONE]
    # Not an inbound message: nothing to process, and no weight in the rate limit.
    assert store.phones_with_unprocessed() == []
    assert store.count_recent(PHONE, utcnow() - timedelta(minutes=1), 10**6) == 1
    store.mark_sent("reminder:a", 0, "SMr")
    assert store.next_part(PHONE) is None and store.parts_for("reminder:a")[0].sent_sid == "SMr"
    found = store.part_by_sent_sid("SMr")
    assert found is not None and (found.message_sid, found.content_sid) == ("reminder:a", "HX1")
    assert store.part_by_sent_sid("SMout") is not None and store.part_by_sent_sid("SMx") is None


def test_old_sqlite_outbox_gets_the_template_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE wa_outbox (message_sid TEXT NOT NULL, n INTEGER NOT NULL,"
            " phone TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, media_url TEXT,"
            " status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
            " next_attempt_at REAL NOT NULL, sent_sid TEXT, error TEXT, delivery_status TEXT,"
            " PRIMARY KEY (message_sid, n))"
        )
    store = SQLiteMessagingStore(path)
    part = OutboundPart(body="x", content_sid="HX1", content_variables="{}")
    assert store.enqueue_proactive("reminder:b", PHONE, part)
    assert store.parts_for("reminder:b")[0].content_sid == "HX1"
    store.close()


def test_a_tap_keeps_its_payload_through_the_inbox(
    opener: Callable[[], MessagingStore], store: MessagingStore
) -> None:
    tap = NewInbound(message_sid="SMtap", phone=PHONE, text="✅ Done", payload="nav:done:3")
    assert store.record_inbound(tap) is True
    store.record_inbound(inbound("SMtyped", text="done"))
    head = store.next_unprocessed(PHONE)
    assert head is not None and (head.text, head.payload) == ("✅ Done", "nav:done:3")
    again = opener().get_inbound("SMtap")  # another connection reads the same record
    assert again is not None and again.payload == "nav:done:3"
    typed = store.get_inbound("SMtyped")
    assert typed is not None and typed.payload is None


def test_a_turn_queues_its_content_parts_with_their_template(store: MessagingStore) -> None:
    from store.turns import TurnWrite

    store.record_inbound(inbound("SM1"))
    parts = [
        OutboundPart(body="Session 3 ..."),
        OutboundPart(body="[buttons]", content_sid="HX9", content_variables='{"1": "3"}'),
    ]
    turn = TurnWrite(key="SM1", phone=PHONE, inbound_sid="SM1", parts=parts)
    assert store.commit_turn(turn) is True
    queued = store.parts_for("SM1")
    assert [(p.body, p.content_sid, p.content_variables) for p in queued] == [
        ("Session 3 ...", None, None),
        ("[buttons]", "HX9", '{"1": "3"}'),
    ]


def test_sqlite_without_returning_counts_attempts_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite before 3.35 has no UPDATE ... RETURNING: the transaction fallback is used."""
    monkeypatch.setattr("store.sqlite_outbox.HAS_RETURNING", False)
    store = SQLiteMessagingStore(tmp_path / "old.db")
    store.record_inbound(inbound("SM1"))
    store.complete_inbound("SM1", [OutboundPart(body="one")])
    assert [store.record_attempt("SM1", 0) for _ in range(3)] == [1, 2, 3]
    assert store.record_attempt("SM9", 0) == 0  # no such part
    store.close()


def test_a_turn_commit_gives_the_lease_up_only_when_no_message_waits(
    store: MessagingStore,
) -> None:
    lease = IdleRelease(f"inbox:{PHONE}", "worker", 30)
    for sid in ("SM1", "SM2"):
        store.record_inbound(inbound(sid))
    assert store.acquire_lease(lease.key, lease.owner, lease.ttl_s)

    def turn(sid: str) -> TurnWrite:
        return TurnWrite(key=sid, phone=PHONE, inbound_sid=sid, parts=[OutboundPart(body=sid)])

    assert store.commit_turn_releasing(turn("SM1"), lease) == (True, False)  # SM2 waits
    assert store.acquire_lease(lease.key, "other", 30) is False
    assert store.commit_turn_releasing(turn("SM2"), lease) == (True, True)
    assert store.next_unprocessed(PHONE) is None
    assert [p.body for p in store.pending_parts(PHONE)] == ["SM1", "SM2"]
    assert store.acquire_lease(lease.key, "other", 30) is True  # free
    # A turn committed before writes nothing and releases nothing.
    assert store.commit_turn_releasing(turn("SM2"), lease._replace(owner="other")) == (False, False)
    assert store.acquire_lease(lease.key, "third", 30) is False


def test_marking_a_part_sent_counts_the_next_attempt_or_gives_the_lease_up(
    store: MessagingStore,
) -> None:
    lease = IdleRelease(f"outbox:{PHONE}", "sender", 30)
    store.record_inbound(inbound("SM1"))
    store.complete_inbound("SM1", [OutboundPart(body="one"), OutboundPart(body="two")])
    assert store.acquire_lease(lease.key, lease.owner, lease.ttl_s)
    assert store.record_attempt("SM1", 0) == 1

    then = store.mark_sent_then("SM1", 0, "SMout0", PHONE, ("SM1", 1), lease)
    assert then == SentThen(attempts=1, released=False)
    assert [(p.status, p.attempts) for p in store.parts_for("SM1")] == [
        (PartStatus.SENT, 1), (PartStatus.PENDING, 1),
    ]  # fmt: skip
    store.record_inbound(inbound("SM2"))
    store.complete_inbound("SM2", [OutboundPart(body="later")])
    # No next part given, yet SM2's is pending: the lease stays.
    assert store.mark_sent_then("SM1", 1, "SMout1", PHONE, None, lease).released is False
    assert store.acquire_lease(lease.key, "other", 30) is False
    assert store.mark_sent_then("SM2", 0, "SMout2", PHONE, None, lease) == SentThen(0, True)
    assert store.next_part(PHONE) is None and store.phones_with_pending_parts() == []
    assert store.part_by_sent_sid("SMout1") is not None
    assert store.acquire_lease(lease.key, "other", 30) is True  # free


def test_claiming_parts_takes_the_lease_and_counts_the_first_sendable_attempt(
    store: MessagingStore,
) -> None:
    key = f"outbox:{PHONE}"
    store.record_inbound(inbound("SM1"))
    store.complete_inbound("SM1", [OutboundPart(body="one"), OutboundPart(body="two")])

    claimed = store.claim_parts(PHONE, IdleRelease(key, "a", 30), 20, max_attempts=3)
    assert claimed is not None and claimed.counted == 1
    assert [(p.body, p.attempts) for p in claimed.parts] == [("one", 0), ("two", 0)]
    assert [p.attempts for p in store.parts_for("SM1")] == [1, 0]
    assert store.claim_parts(PHONE, IdleRelease(key, "b", 30), 20, 3) is None  # a holds it
    assert [p.attempts for p in store.parts_for("SM1")] == [1, 0]

    store.reschedule("SM1", 0, utcnow() + timedelta(seconds=30), "HTTP 503")  # not due
    claimed = store.claim_parts(PHONE, IdleRelease(key, "a", 30), 1, 3)
    assert claimed is not None and claimed.counted == 0 and len(claimed.parts) == 1
    store.reschedule("SM1", 0, utcnow(), "HTTP 503")
    store.record_attempt("SM1", 0)
    store.record_attempt("SM1", 0)  # 3: out of attempts, to be given up, not counted again
    claimed = store.claim_parts(PHONE, IdleRelease(key, "a", 30), 20, 3)
    assert claimed is not None and claimed.counted == 0
    assert [p.attempts for p in store.parts_for("SM1")] == [3, 0]
    store.release_lease(key, "a")
    assert store.claim_parts(OTHER, IdleRelease(f"outbox:{OTHER}", "b", 30), 20, 3) == ([], 0)
