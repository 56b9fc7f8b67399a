"""ReminderStore on the SQLite file of a SQLiteStore (same connection and lock)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from store.messaging import as_utc
from store.reminders import Reminder, ReminderStatus
from store.sqlite_db import SQLiteDatabase

REMINDERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS reminders (
    phone TEXT NOT NULL, step TEXT NOT NULL, due_at TEXT NOT NULL, sent_at TEXT NOT NULL,
    status TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (phone, step)
);
CREATE INDEX IF NOT EXISTS reminders_by_status ON reminders (status, sent_at);
CREATE INDEX IF NOT EXISTS reminders_by_sent_at ON reminders (sent_at);
CREATE INDEX IF NOT EXISTS chat_by_who_phone_time ON chat_history (who, phone, time);
"""


def _iso(value: datetime) -> str:
    # UTC everywhere, so the text columns sort in time order.
    return as_utc(value).isoformat()


def _reminder(row: sqlite3.Row) -> Reminder:
    return Reminder.model_validate_json(row["record"])


def _row(reminder: Reminder) -> tuple[object, ...]:
    return (
        reminder.phone, reminder.step, _iso(reminder.due_at), _iso(reminder.sent_at),
        reminder.status, reminder.model_dump_json(),
    )  # fmt: skip


class SQLiteReminders(SQLiteDatabase):
    """Reminders in a `reminders` table; the chat queries read `chat_history`."""

    def __init__(self, store: SQLiteDatabase) -> None:
        super().__init__(store, REMINDERS_SCHEMA)

    def record_reminder(self, reminder: Reminder) -> bool:
        """Write a new reminder; False when the phone has one for that step."""
        with self._tx() as db:
            sql = "INSERT OR IGNORE INTO reminders VALUES (?, ?, ?, ?, ?, ?)"
            return db.execute(sql, _row(reminder)).rowcount == 1

    def save_reminder(self, reminder: Reminder) -> None:
        """Overwrite the phone's reminder for that step."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO reminders VALUES (?, ?, ?, ?, ?, ?)", _row(reminder))

    def get_reminder(self, phone: str, step: str) -> Reminder | None:
        """One reminder, or None."""
        rows = self._rows(
            "SELECT record FROM reminders WHERE phone = ? AND step = ?", (phone, step)
        )
        return _reminder(rows[0]) if rows else None

    def reminders_for(self, phone: str) -> list[Reminder]:
        """A partner's reminders, oldest first."""
        sql = "SELECT record FROM reminders WHERE phone = ? ORDER BY sent_at, step"
        return [_reminder(r) for r in self._rows(sql, (phone,))]

    def list_reminders(
        self, status: ReminderStatus | None = None, since: datetime | None = None
    ) -> list[Reminder]:
        """Every reminder (one status, or sent at or after `since`), oldest first."""
        sql = "SELECT record FROM reminders WHERE (:status IS NULL OR status = :status)"
        sql += " AND (:since IS NULL OR sent_at >= :since) ORDER BY sent_at, phone, step"
        params = {"status": status, "since": _iso(since) if since else None}
        return [_reminder(r) for r in self._rows(sql, params)]

    def last_partner_messages(self) -> dict[str, datetime]:
        """The time of each partner's latest message, by phone."""
        sql = (
            "SELECT phone, MAX(time) AS last FROM chat_history WHERE who = 'partner' GROUP BY phone"
        )
        return {r["phone"]: as_utc(datetime.fromisoformat(r["last"])) for r in self._rows(sql)}

    def first_partner_message_after(self, phone: str, after: datetime) -> datetime | None:
        """When the partner first wrote after `after`, or None."""
        sql = (
            "SELECT MIN(time) AS first FROM chat_history"
            " WHERE who = 'partner' AND phone = ? AND time > ?"
        )
        first = self._rows(sql, (phone, _iso(after)))[0]["first"]
        return as_utc(datetime.fromisoformat(first)) if first else None
