"""A turn that already happened is saved through a short store outage, not run again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agent.messages import Inbound, Reply
from api.whatsapp.lease_keeper import LeaseKeeper
from api.whatsapp.persist import persist_after_effect
from api.whatsapp.processor import InboundProcessor
from api.whatsapp.rate_limit import RateLimit
from evals.bench.sql_trace import SQLTrace
from store.base import StoreUnavailable
from store.messaging import IdleRelease, NewInbound
from store.sqlite_messaging import SQLiteMessagingStore
from store.turns import TurnWrite


class Flaky:
    """Fails like a locked database `failures` times, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise StoreUnavailable("database is locked")
        return "saved"


def test_a_short_outage_is_retried_until_saved() -> None:
    save = Flaky(failures=3)
    assert persist_after_effect(save, "a turn", 5.0, threading.Event()) == "saved"
    assert save.calls == 4


def test_the_retry_is_bounded_by_its_budget() -> None:
    save = Flaky(failures=1000)
    with pytest.raises(StoreUnavailable):
        persist_after_effect(save, "a turn", 0.5, threading.Event())
    assert 2 <= save.calls <= 6


def test_shutdown_stops_the_retry_at_once() -> None:
    stopping = threading.Event()
    stopping.set()
    save = Flaky(failures=1000)
    with pytest.raises(StoreUnavailable):
        persist_after_effect(save, "a turn", 30.0, stopping)
    assert save.calls == 1


class LockedOnComplete(SQLiteMessagingStore):
    """The turn's commit fails twice, as while another process holds the write lock."""

    failures = 2

    def commit_turn_releasing(self, turn: TurnWrite, lease: IdleRelease) -> tuple[bool, bool]:
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable("database is locked")
        return super().commit_turn_releasing(turn, lease)


class CountingHandler:
    """Counts turns: a turn run twice would apply a partner's "done" twice."""

    def __init__(self) -> None:
        self.turns: list[str] = []

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        self.turns.append(inbound.text)
        return [Reply(text=f"✅ {inbound.text}")]


def test_the_processor_runs_the_turn_once_through_a_store_outage(tmp_path: Path) -> None:
    store = LockedOnComplete(tmp_path / "genie.db")
    store.record_inbound(NewInbound(message_sid="SM1", phone="+15550001", text="done"))
    handler = CountingHandler()
    notified: list[str] = []
    processor = InboundProcessor(
        store, handler, notified.append, rate_limit=RateLimit(), lease_s=10.0,
        stopping=threading.Event(),
    )  # fmt: skip
    processor.process_phone("+15550001")
    assert store.failures == 0
    assert handler.turns == ["done"]
    assert [p.body for p in store.parts_for("SM1")] == ["✅ done"]
    assert notified == ["+15550001"]
    assert store.acquire_lease("inbox:+15550001", "another worker", 10.0)  # released
    store.close()


def test_a_message_costs_two_writes_the_lease_and_its_turn_which_releases_it(
    tmp_path: Path,
) -> None:
    store = SQLiteMessagingStore(tmp_path / "genie.db")
    for sid, text in (("SM1", "done"), ("SM2", "next")):
        store.record_inbound(NewInbound(message_sid=sid, phone="+15550001", text=text))
    processor = InboundProcessor(
        store, CountingHandler(), lambda _phone: None, rate_limit=RateLimit(), lease_s=10.0,
        stopping=threading.Event(), keeper=LeaseKeeper(store, 10.0),  # not started: no renewals
    )  # fmt: skip
    trace = SQLTrace()
    store._conn.set_trace_callback(trace)
    processor.process_phone("+15550001")
    store._conn.set_trace_callback(None)
    assert store.next_unprocessed("+15550001") is None
    # The lease, then both turns; the second one gives the lease up in its own transaction.
    assert trace.write_transactions == 1 + 2
    assert store.acquire_lease("inbox:+15550001", "another worker", 10.0)
    store.close()
