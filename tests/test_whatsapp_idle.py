"""Idle WhatsApp workers sleep until there is work or the service stops; they do not poll."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.whatsapp import service as service_module
from api.whatsapp.sender import CollectingSender
from api.whatsapp.service import WhatsAppService
from store.sqlite_messaging import SQLiteMessagingStore
from tests.outbox_helpers import PHONE, receive, settled
from tests.whatsapp_helpers import EchoHandler


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SQLiteMessagingStore]:
    """A messaging store on a temp SQLite file."""
    store = SQLiteMessagingStore(tmp_path / "genie.db")
    yield store
    store.close()


def test_stop_wakes_idle_workers_at_once(db: SQLiteMessagingStore) -> None:
    """Stopping does not wait for the idle wait: closing the queues wakes every worker."""
    assert service_module._IDLE_WAIT_S >= 2.0  # else this test could not tell
    svc = WhatsAppService(db, EchoHandler(), CollectingSender(), workers=4, sender_workers=4)
    svc.start()
    time.sleep(0.1)  # every worker is now waiting on its queue
    threads = list(svc._threads)
    svc.stop(timeout_s=1.0)
    assert not [t.name for t in threads if t.is_alive()]


def test_a_sleeping_worker_wakes_for_a_new_message(db: SQLiteMessagingStore) -> None:
    """A message queued while every worker sleeps is answered at once, not after the wait."""
    sender = CollectingSender()
    svc = WhatsAppService(db, EchoHandler(), sender, workers=1, sender_workers=1)
    svc.start()
    try:
        time.sleep(0.1)
        sid = receive(db, svc, "hello")
        deadline = time.monotonic() + 1.0  # well under the idle wait
        while not settled(db, sid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [m.body for m in sender.sent] == ["echo: hello"]
    finally:
        svc.stop()
    assert sender.sent[0].to == PHONE
