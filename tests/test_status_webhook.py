"""The status callback webhook on the real app: written together with the callbacks waiting,
answered only after the write, latest status in Twilio's order, failures handed on as before."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent.engine import Engine
from api.main import create_app
from api.whatsapp.sender import CollectingSender
from store.base import StoreUnavailable
from store.factory import open_store
from store.messaging import OutboundPart, OutboxPart, StatusUpdate
from store.sqlite_messaging import SQLiteMessagingStore
from tests.whatsapp_helpers import WEBHOOK, post_signed, wa_settings

STATUS = WEBHOOK + "/status"
PHONE = "+919876543210"


class CountingMessaging(SQLiteMessagingStore):
    """The SQLite messaging store, counting record_statuses calls; can be made to fail."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writes: list[int] = []
        self.down = False

    def record_statuses(self, updates: list[StatusUpdate]) -> list[bool]:
        if self.down:
            raise StoreUnavailable("database is locked")
        self.writes.append(len(updates))
        return super().record_statuses(updates)


@pytest.fixture
def app(tmp_path: Path) -> Any:
    settings = wa_settings(tmp_path, reminders_enabled=False)
    store = open_store(settings)
    messaging = CountingMessaging(tmp_path / "genie.db")
    app = create_app(settings, store, Engine(store), CollectingSender(), messaging)
    with TestClient(app) as client:
        yield client, messaging
    messaging.close()


def _sent_part(messaging: SQLiteMessagingStore, n: int = 0) -> str:
    """A reminder-like part of its own, marked sent; its Twilio SID."""
    key, sid = f"reminder:{PHONE}:{n}", f"SM{n:032d}"
    messaging.enqueue_proactive(key, PHONE, OutboundPart(body="Hi Asha!"))
    messaging.mark_sent(key, 0, sid)
    return sid


def _status(sid: str, status: str, code: str | None = None) -> dict[str, str]:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    return form | ({"ErrorCode": code} if code else {})


def _delivery(messaging: SQLiteMessagingStore, sid: str) -> str | None:
    part = messaging.part_by_sent_sid(sid)
    return part.delivery_status if part else None


def test_callbacks_arriving_together_are_one_write_and_each_is_answered_after_it(app: Any) -> None:
    client, messaging = app
    sids = [_sent_part(messaging, n) for n in range(12)]
    with ThreadPoolExecutor(12) as pool:
        answers = list(
            pool.map(lambda s: post_signed(client, _status(s, "delivered"), STATUS), sids)
        )
    assert [a.status_code for a in answers] == [204] * 12
    # Every answer came after the write: all are recorded now, with no waiting.
    assert [_delivery(messaging, sid) for sid in sids] == ["delivered"] * 12
    assert sum(messaging.writes) == 12 and len(messaging.writes) < 12


def test_a_late_callback_does_not_move_a_part_back(app: Any) -> None:
    client, messaging = app
    sid = _sent_part(messaging)
    for status in ("sent", "read", "delivered"):  # delivered arrives after read
        assert post_signed(client, _status(sid, status), STATUS).status_code == 204
    assert _delivery(messaging, sid) == "read"


def test_a_store_failure_answers_503_so_nothing_unrecorded_is_acknowledged(app: Any) -> None:
    client, messaging = app
    sid = _sent_part(messaging)
    messaging.down = True
    assert post_signed(client, _status(sid, "delivered"), STATUS).status_code == 503
    messaging.down = False
    assert _delivery(messaging, sid) is None
    assert post_signed(client, _status(sid, "delivered"), STATUS).status_code == 204
    assert _delivery(messaging, sid) == "delivered"


def test_a_failed_part_goes_to_the_delivery_failure_hook_with_its_code(app: Any) -> None:
    client, messaging = app
    told: list[tuple[OutboxPart, int | None, str]] = []
    client.app.state.on_delivery_failed = lambda part, code, why: told.append((part, code, why))
    sid = _sent_part(messaging)
    form = _status(sid, "undelivered", "63016")
    assert post_signed(client, form, STATUS).status_code == 204
    assert post_signed(client, _status("SMunknown", "failed", "63016"), STATUS).status_code == 204
    assert post_signed(client, _status(sid, "read"), STATUS).status_code == 204  # not a failure
    [(part, code, why)] = told
    assert (part.sent_sid, code, why) == (sid, 63016, "delivery undelivered (error 63016)")
