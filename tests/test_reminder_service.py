"""Reminders inside the running service: one lease holder sends, refusals fall back to templates."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from agent.clock import ManualClock
from agent.reminder_runner import ReminderScheduler
from agent.reminder_schedule import ReminderPolicy, load_schedule
from api.reminders.loop import ReminderLoop
from store.models import ChatEntry, ProgressUpdate, utcnow
from store.reminders_factory import reminder_store_for
from store.sqlite_messaging import SQLiteMessagingStore
from store.sqlite_store import SQLiteStore
from tests.whatsapp_helpers import WEBHOOK, messaging_of, post_signed, start_app, wa_settings

PHONE = "+919800000001"
NO_QUIET = {"reminder_quiet_start": "00:00", "reminder_quiet_end": "00:00"}


def _stalled_partner(store: SQLiteStore, silent: timedelta) -> None:
    update = ProgressUpdate(
        name="Asha", training_started=True, in_training_mode=True, current_section=1
    )
    store.update_progress(PHONE, update)
    store.append_chat(ChatEntry(phone=PHONE, who="partner", text="hi", time=utcnow() - silent))


def _eventually(check: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_only_the_lease_holder_runs_a_pass(tmp_path: Path) -> None:
    store = SQLiteStore(wa_settings(tmp_path).sqlite_path)
    messaging = SQLiteMessagingStore(store)
    scheduler = ReminderScheduler(
        store, reminder_store_for(store), messaging, load_schedule(), ReminderPolicy(),
        ManualClock(),
    )  # fmt: skip
    first, second = (ReminderLoop(scheduler, messaging, 60.0) for _ in range(2))
    assert first.tick() is not None and second.tick() is None
    assert first.tick() is not None  # the holder keeps it from pass to pass
    first.stop()  # hands it on
    assert second.tick() is not None
    store.close()


def test_the_service_sends_a_due_reminder_and_falls_back_to_the_template(
    tmp_path: Path,
) -> None:
    client, sender = start_app(
        tmp_path, reminder_interval_s=0.05,
        reminder_template_sids={"genie_training_nudge": "HXnudge"}, **NO_QUIET,
    )  # fmt: skip
    with client:
        store = client.app.state.store  # type: ignore[attr-defined]
        sender.fail_next(400, error_code=63016)  # Twilio: the window closed after all
        _stalled_partner(store, timedelta(hours=23))
        assert _eventually(lambda: len(sender.sent) == 1)
        [refused] = [m for m in sender.attempts if m.content_sid is None]
        assert "Hi Asha!" in refused.body
        [template] = sender.sent
        assert template.content_sid == "HXnudge" and template.to == PHONE
        [reminder] = reminder_store_for(store).reminders_for(PHONE)
        assert reminder.fallback and reminder.status == "queued"
        time.sleep(0.3)  # more passes: nothing else goes
        assert len(sender.attempts) == 2


def test_a_63016_status_callback_sends_the_template(tmp_path: Path) -> None:
    client, sender = start_app(
        tmp_path, reminder_interval_s=0.05,
        reminder_template_sids={"genie_training_nudge": "HXnudge"}, **NO_QUIET,
    )  # fmt: skip
    with client:
        store = client.app.state.store  # type: ignore[attr-defined]
        _stalled_partner(store, timedelta(hours=23))
        assert _eventually(lambda: len(sender.sent) == 1)
        [text] = sender.sent
        assert text.content_sid is None
        key = reminder_store_for(store).reminders_for(PHONE)[0].key
        sent_sid = messaging_of(client).parts_for(key)[0].sent_sid
        assert sent_sid is not None
        form = {"MessageSid": sent_sid, "MessageStatus": "undelivered", "ErrorCode": "63016"}
        for _ in range(2):  # Twilio may call twice: one template all the same
            response = post_signed(client, form, path=WEBHOOK + "/status")
            assert response.status_code == 204
        assert _eventually(lambda: len(sender.sent) == 2)
        assert sender.sent[1].content_sid == "HXnudge"
        time.sleep(0.3)
        assert len(sender.sent) == 2
        assert reminder_store_for(store).reminders_for(PHONE)[0].fallback


def test_reminders_off_means_no_loop(tmp_path: Path) -> None:
    client, sender = start_app(tmp_path, reminders_enabled=False, reminder_interval_s=0.05)
    with client:
        _stalled_partner(client.app.state.store, timedelta(hours=23))  # type: ignore[attr-defined]
        time.sleep(0.4)
        assert client.app.state.reminder_loop is None and sender.attempts == []  # type: ignore[attr-defined]
