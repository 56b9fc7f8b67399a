"""ReminderStore on every backend: written once per phone and step, erased with the partner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.admin_factory import admin_store_for
from store.base import TrainingStore
from store.models import ChatEntry, Who
from store.reminders import Reminder, ReminderStore, reminder_key_parts
from store.reminders_factory import reminder_store_for

T0 = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def reminders(backend_store: TrainingStore) -> ReminderStore:
    return reminder_store_for(backend_store)


def _reminder(phone: str = "+919800000001", step: str = "nudge", at: datetime = T0) -> Reminder:
    return Reminder(
        phone=phone, step=step, due_at=at - HOUR, sent_at=at, channel="template",
        text="[template genie_training_nudge: 1=Asha, 2=Basics]",
        template="genie_training_nudge", content_sid="HX1",
        content_variables={"1": "Asha", "2": "Basics"},
    )  # fmt: skip


def test_a_step_is_recorded_once_per_phone(reminders: ReminderStore) -> None:
    assert reminders.record_reminder(_reminder())
    assert not reminders.record_reminder(_reminder(at=T0 + HOUR))  # a second scheduler
    assert reminders.record_reminder(_reminder(step="day3", at=T0 + 48 * HOUR))
    assert reminders.record_reminder(_reminder(phone="+919800000002"))
    mine = reminders.reminders_for("+919800000001")
    assert [(r.step, r.sent_at) for r in mine] == [("nudge", T0), ("day3", T0 + 48 * HOUR)]
    assert mine[0] == _reminder()  # every field round-trips, times aware in UTC


def test_save_changes_status_and_list_filters(reminders: ReminderStore) -> None:
    reminders.record_reminder(_reminder())
    reminders.record_reminder(_reminder(phone="+919800000002", at=T0 + 2 * HOUR))
    queued = _reminder().model_copy(update={"status": "queued"})
    reminders.save_reminder(queued)
    assert reminders.get_reminder("+919800000001", "nudge") == queued
    assert reminders.get_reminder("+919800000001", "day7") is None
    assert [r.phone for r in reminders.list_reminders(status="recorded")] == ["+919800000002"]
    assert [r.phone for r in reminders.list_reminders(since=T0 + HOUR)] == ["+919800000002"]
    assert len(reminders.list_reminders()) == 2


def test_partner_message_times_come_from_the_chat(
    backend_store: TrainingStore, reminders: ReminderStore
) -> None:
    phone = "+919800000001"
    lines: list[tuple[Who, int]] = [("partner", 0), ("genie", 1), ("partner", 90), ("genie", 200)]
    for who, minutes in lines:
        at = T0 + timedelta(minutes=minutes)
        backend_store.append_chat(ChatEntry(phone=phone, who=who, text="x", time=at))
    backend_store.append_chat(ChatEntry(phone="+919800000002", who="partner", text="x", time=T0))
    assert reminders.last_partner_messages() == {
        phone: T0 + timedelta(minutes=90), "+919800000002": T0,
    }  # fmt: skip
    assert reminders.first_partner_message_after(phone, T0) == T0 + timedelta(minutes=90)
    assert reminders.first_partner_message_after(phone, T0 + 2 * HOUR) is None


def test_erasing_a_partner_removes_their_reminders(
    backend_store: TrainingStore, reminders: ReminderStore
) -> None:
    reminders.record_reminder(_reminder())
    reminders.record_reminder(_reminder(phone="+919800000002"))
    admin_store_for(backend_store).erase_partner("+919800000001")
    assert reminders.reminders_for("+919800000001") == []
    assert len(reminders.reminders_for("+919800000002")) == 1


def test_reminder_outbox_keys_name_phone_and_step() -> None:
    reminder = _reminder()
    assert reminder_key_parts(reminder.key) == ("+919800000001", "nudge")
    fallback = reminder.model_copy(update={"fallback": True})
    assert fallback.key != reminder.key
    assert reminder_key_parts(fallback.key) == ("+919800000001", "nudge")
    assert reminder_key_parts("SM123") is None
