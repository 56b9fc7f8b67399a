"""Admin API for reminders: per partner, per-step returns in 48 h, time zones, preview."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from store.models import ChatEntry, ProgressUpdate, utcnow
from store.reminders import Reminder
from store.reminders_factory import reminder_store_for
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import admin_settings, bearer, signed_in_client

ASHA, RAVI = "+919800000001", "+919800000002"
H = timedelta(hours=1)


@pytest.fixture
def client(tmp_path: Path, store: SQLiteStore) -> Iterator[TestClient]:
    yield from signed_in_client(tmp_path, store, reminders_enabled=False)


def _sent(phone: str, step: str, ago: timedelta, **extra: object) -> Reminder:
    at = utcnow() - ago
    return Reminder.model_validate(
        {"phone": phone, "step": step, "due_at": at, "sent_at": at, "channel": "text",
         "text": "Hi", "status": "queued", **extra}
    )  # fmt: skip


def _wrote(store: SQLiteStore, phone: str, ago: timedelta) -> None:
    store.append_chat(ChatEntry(phone=phone, who="partner", text="ok", time=utcnow() - ago))


def test_per_partner_reminders_with_when_they_came_back(
    client: TestClient, store: SQLiteStore
) -> None:
    reminders = reminder_store_for(store)
    reminders.record_reminder(_sent(ASHA, "nudge", 50 * H))
    _wrote(store, ASHA, 40 * H)
    body = client.get(f"/api/admin/partners/{ASHA}/reminders").json()
    assert [(r["step"], r["channel"], r["status"]) for r in body] == [("nudge", "text", "queued")]
    assert body[0]["came_back_at"] is not None
    assert client.get(f"/api/admin/partners/{RAVI}/reminders").json() == []


def test_summary_counts_returns_within_48_hours_per_step(
    client: TestClient, store: SQLiteStore
) -> None:
    reminders = reminder_store_for(store)
    reminders.record_reminder(_sent(ASHA, "nudge", 100 * H))
    _wrote(store, ASHA, 90 * H)  # back after 10 h
    reminders.record_reminder(_sent(RAVI, "nudge", 100 * H))
    _wrote(store, RAVI, 10 * H)  # back, but after 90 h: does not count
    reminders.record_reminder(
        _sent(ASHA, "day3", 5 * H, channel="template", fallback=True)
    )  # too recent to judge
    store.update_progress(RAVI, ProgressUpdate(opted_out=True))
    body = client.get("/api/admin/reminders/summary").json()
    by_step = {s["step"]: s for s in body["steps"]}
    assert list(by_step) == ["nudge", "day3", "day7"]
    nudge, day3 = by_step["nudge"], by_step["day3"]
    assert (nudge["sent"], nudge["came_back"], nudge["came_back_rate"]) == (2, 1, 0.5)
    assert (day3["sent"], day3["templates"], day3["fallbacks"], day3["waiting"]) == (1, 1, 1, 1)
    assert day3["came_back_rate"] is None and body["opted_out"] == 1


def test_admins_set_and_clear_a_time_zone(client: TestClient, store: SQLiteStore) -> None:
    store.update_progress(ASHA, ProgressUpdate(name="Asha"))
    url = f"/api/admin/partners/{ASHA}/timezone"
    body = client.put(url, json={"timezone": "Europe/London"}).json()
    assert (body["timezone"], body["effective"]) == ("Europe/London", "Europe/London")
    assert store.get_progress(ASHA).timezone == "Europe/London"  # type: ignore[union-attr]
    body = client.put(url, json={"timezone": None}).json()
    assert (body["timezone"], body["effective"]) == (None, "Asia/Calcutta")
    assert client.put(url, json={"timezone": "Mars/Olympus"}).status_code == 422
    assert client.put(f"/api/admin/partners/{RAVI}/timezone", json={}).status_code == 404
    changes = [e for e in client.get("/api/admin/activity").json()
               if e["action"] == "partner.timezone"]  # fmt: skip
    assert [(e["detail"]["old"], e["detail"]["new"]) for e in changes] == [
        ("Europe/London", None), (None, "Europe/London"),
    ]  # fmt: skip


def test_preview_decides_without_sending(tmp_path: Path, store: SQLiteStore) -> None:
    store.update_progress(
        ASHA, ProgressUpdate(name="Asha", training_started=True, current_section=1)
    )
    _wrote(store, ASHA, 30 * H)
    # Quiet all day, so the running loop could not send either: the preview says "wait".
    quiet = {"reminder_quiet_start": "00:00", "reminder_quiet_end": "23:59"}
    settings = admin_settings(tmp_path, reminder_interval_s=3600, **quiet)
    with TestClient(create_app(settings=settings, store=store), headers=bearer()) as client:
        [decision] = client.get("/api/admin/reminders/preview").json()
    assert (decision["phone"], decision["action"]) == (ASHA, "wait")
    assert "quiet hours until 23:59" in decision["reason"]
    assert decision["reminder"]["step"] == "nudge" and decision["reminder"]["channel"] == "template"
    assert reminder_store_for(store).reminders_for(ASHA) == []


def test_preview_says_when_reminders_are_off(client: TestClient, store: SQLiteStore) -> None:
    store.update_progress(ASHA, ProgressUpdate(name="Asha", training_started=True))
    [decision] = client.get("/api/admin/reminders/preview").json()
    assert (decision["action"], decision["reason"]) == ("none", "reminders are off")
