"""Short per-phone leases: a crashed worker's lease is taken over fast; a slow turn keeps it."""

from __future__ import annotations

import threading
import time

import pytest

from agent.messages import Inbound, Reply
from api.whatsapp.lease_keeper import LeaseKeeper
from store.messaging import PartStatus
from store.sqlite_messaging import SQLiteMessagingStore
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import PHONE, receive, service
from tests.whatsapp_helpers import wait_until

pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback calls to the fakes


class SlowHandler:
    """A brain whose every turn takes `seconds` (a slow LLM); counts its calls."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0
        self.running = threading.Event()

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """Sleep, then echo."""
        self.calls += 1
        self.running.set()
        time.sleep(self.seconds)
        return [Reply(text=f"slow echo: {inbound.text}")]


def _processed(messaging_db: SQLiteMessagingStore, sid: str) -> bool:
    record = messaging_db.get_inbound(sid)
    return record is not None and record.processed


def test_a_crashed_workers_lease_is_taken_over_within_lease_plus_sweep(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    lease_s, sweep_s = 0.6, 0.1
    assert messaging_db.acquire_lease(f"inbox:{PHONE}", "crashed-worker", lease_s)  # never released
    taken_at = time.monotonic()
    sid = receive(messaging_db, None, "hello after the crash")
    svc = service(messaging_db, fake_twilio, lease_s=lease_s, sweep_interval_s=sweep_s)
    svc.start()
    try:
        wait_until(lambda: _processed(messaging_db, sid), timeout_s=5.0, what="takeover")
        waited = time.monotonic() - taken_at
    finally:
        svc.stop()
    # The dead worker's lease is honoured until it expires, and not much longer.
    assert lease_s * 0.9 <= waited <= lease_s + sweep_s + 1.0, waited


def test_a_slow_turn_keeps_its_lease_while_the_heartbeat_renews_it(
    messaging_db: SQLiteMessagingStore, fake_twilio: FakeTwilioAPI
) -> None:
    lease_s = 0.3
    handler = SlowHandler(seconds=6 * lease_s)
    # Two workers and a fast sweep keep trying to take the phone while the turn runs.
    svc = service(messaging_db, fake_twilio, handler, lease_s=lease_s, sweep_interval_s=0.05)
    svc.start()
    try:
        sid = receive(messaging_db, svc, "a question for a slow LLM")
        assert handler.running.wait(5.0)
        stolen = 0
        while handler.calls == 1 and not _processed(messaging_db, sid):
            stolen += messaging_db.acquire_lease(f"inbox:{PHONE}", "thief", lease_s)
            time.sleep(0.02)
        wait_until(lambda: _processed(messaging_db, sid), timeout_s=5.0, what="the slow turn")
        wait_until(lambda: messaging_db.parts_for(sid)[0].status is PartStatus.SENT, timeout_s=5.0)
    finally:
        svc.stop()
    assert stolen == 0
    assert handler.calls == 1  # nobody processed the message a second time
    assert [m.body for m in fake_twilio.messages] == ["slow echo: a question for a slow LLM"]


def test_the_keeper_renews_only_due_leases_and_notices_a_lost_one(
    messaging_db: SQLiteMessagingStore,
) -> None:
    keeper = LeaseKeeper(messaging_db, ttl_s=0.3)  # not started: renewals driven by hand
    assert messaging_db.acquire_lease("inbox:a", "me", 0.3)
    with keeper.holding("inbox:a", "me") as lease:
        first = lease.renewed_at
        keeper.renew_due()  # just acquired: nothing due
        assert lease.renewed_at == first and not keeper.needs_renewal(lease)
        time.sleep(0.16)
        assert keeper.needs_renewal(lease)
        keeper.renew_due()
        assert lease.renewed_at > first and not lease.lost
        messaging_db.release_lease("inbox:a", "me")
        assert messaging_db.acquire_lease("inbox:a", "someone-else", 0.3)
        time.sleep(0.11)
        keeper.renew_due()
        assert lease.lost
    assert not messaging_db.acquire_lease("inbox:a", "me", 0.3)  # the new owner keeps it
