"""The outbox half of the SQLite MessagingStore: reply parts, attempts, delivery statuses."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime

from store.base import StoreUnavailable
from store.messaging import (
    STATUS_RANK,
    IdleRelease,
    OutboundPart,
    OutboxPart,
    PartsClaim,
    PartStatus,
    SentThen,
    StatusUpdate,
    sendable,
    status_rank,
)
from store.models import utcnow
from store.sqlite_db import SQLiteDatabase, from_epoch
from store.sqlite_leases import ACQUIRE, release_if_idle

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS wa_outbox (
    message_sid TEXT NOT NULL, n INTEGER NOT NULL, phone TEXT NOT NULL, seq INTEGER NOT NULL,
    body TEXT NOT NULL, media_url TEXT, content_sid TEXT, content_variables TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    sent_sid TEXT, error TEXT, delivery_status TEXT, PRIMARY KEY (message_sid, n)
);
CREATE INDEX IF NOT EXISTS wa_outbox_pending ON wa_outbox (phone, status, seq, n);
CREATE INDEX IF NOT EXISTS wa_outbox_sent_sid ON wa_outbox (sent_sid);
CREATE TABLE IF NOT EXISTS wa_status (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sent_sid TEXT NOT NULL, status TEXT NOT NULL,
    error_code TEXT, received_at REAL NOT NULL
);
"""
PENDING, SENT, FAILED = PartStatus.PENDING.value, PartStatus.SENT.value, PartStatus.FAILED.value
HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)  # UPDATE ... RETURNING
_PART = " WHERE message_sid = ? AND n = ?"
_ATTEMPT = "UPDATE wa_outbox SET attempts = attempts + 1" + _PART
_SENT = "status = ?, sent_sid = ?, error = NULL"  # mark_sent's assignments, alone or in a write
_PENDING_PARTS = "SELECT * FROM wa_outbox WHERE phone = ? AND status = ? ORDER BY seq, n LIMIT ?"
_PENDING_FOR = f"SELECT 1 FROM wa_outbox WHERE phone = ? AND status = '{PENDING}' LIMIT 1"
_STORED_RANK = "CASE delivery_status {} ELSE -1 END".format(
    " ".join(f"WHEN '{s}' THEN {status_rank(s)}" for s in STATUS_RANK)
)
# A part takes a status that does not come before the one it has (Twilio's order).
_SET_STATUS = f"UPDATE wa_outbox SET delivery_status = ? WHERE sent_sid = ? AND {_STORED_RANK} <= ?"


def _count_attempt(db: sqlite3.Connection, key: tuple[str, int]) -> int:
    """Inside the caller's transaction: one more attempt on the part; its new count (0: gone)."""
    if HAS_RETURNING:
        rows = db.execute(_ATTEMPT + " RETURNING attempts", key).fetchall()
    else:
        db.execute(_ATTEMPT, key)
        rows = db.execute("SELECT attempts FROM wa_outbox" + _PART, key).fetchall()
    return int(rows[0][0]) if rows else 0


def _set_status(db: sqlite3.Connection, update: StatusUpdate) -> bool:
    """Inside the caller's transaction: give the part its new status; whether a part matched."""
    params = (update.status, update.sent_sid, status_rank(update.status))
    if db.execute(_SET_STATUS, params).rowcount:
        return True
    # Unchanged: a late callback (its part has a later status) or no part sent under that SID.
    sql = "SELECT 1 FROM wa_outbox WHERE sent_sid = ? LIMIT 1"
    return db.execute(sql, (update.sent_sid,)).fetchone() is not None


def _part(row: sqlite3.Row) -> OutboxPart:
    return OutboxPart(**{**dict(row), "next_attempt_at": from_epoch(row["next_attempt_at"])})


class SQLiteOutbox(SQLiteDatabase):
    """Outbox operations; the parts are written by SQLiteMessagingStore.complete_inbound."""

    def _add_template_columns(self) -> None:
        """Databases made before template sends lack the content columns: add them."""
        with self._tx() as db:
            columns = {r["name"] for r in db.execute("PRAGMA table_info(wa_outbox)")}
            for column in ("content_sid", "content_variables"):
                if column not in columns:
                    db.execute(f"ALTER TABLE wa_outbox ADD COLUMN {column} TEXT")

    def enqueue_proactive(self, key: str, phone: str, part: OutboundPart) -> bool:
        """Queue a message Genie starts as part 0 of `key`, after the phone's queued replies."""
        with self._tx() as db:
            sql = "SELECT COALESCE(MAX(seq), 0) FROM wa_inbox WHERE phone = ?"
            seq = int(db.execute(sql, (phone,)).fetchone()[0])
            cursor = db.execute(
                "INSERT OR IGNORE INTO wa_outbox (message_sid, n, phone, seq, body, media_url,"
                " content_sid, content_variables, status, next_attempt_at)"
                " VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, phone, seq, part.body, part.media_url, part.content_sid,
                 part.content_variables, PENDING, time.time()),
            )  # fmt: skip
            return cursor.rowcount == 1

    def _write(self, sql: str, params: tuple[object, ...]) -> int:
        """One statement on its own, the rows it changed: SQLite runs a lone statement as its
        own transaction, so `_tx`'s BEGIN and COMMIT round trips are not needed for it."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).rowcount
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite error: {exc}") from exc

    def next_part(self, phone: str) -> OutboxPart | None:
        """The phone's first pending part in (arrival, part) order."""
        parts = self.pending_parts(phone, 1)
        return parts[0] if parts else None

    def pending_parts(self, phone: str, limit: int = 20) -> list[OutboxPart]:
        """The phone's first `limit` pending parts in (arrival, part) order."""
        return [_part(r) for r in self._rows(_PENDING_PARTS, (phone, PENDING, limit))]

    def claim_parts(
        self, phone: str, lease: IdleRelease, limit: int, max_attempts: int
    ) -> PartsClaim | None:
        """acquire_lease, then in the same transaction read the phone's pending parts and
        count an attempt on the first if it is sendable; None when the lease is not ours."""
        now = time.time()
        with self._tx() as db:
            if db.execute(ACQUIRE, (lease.key, lease.owner, now + lease.ttl_s, now)).rowcount != 1:
                return None
            parts = [_part(r) for r in db.execute(_PENDING_PARTS, (phone, PENDING, limit))]
            if not parts or not sendable(parts[0], utcnow(), max_attempts):
                return PartsClaim(parts, 0)
            return PartsClaim(parts, _count_attempt(db, (parts[0].message_sid, parts[0].n)))

    def parts_for(self, message_sid: str) -> list[OutboxPart]:
        """The reply parts of one inbound message, in order."""
        sql = "SELECT * FROM wa_outbox WHERE message_sid = ? ORDER BY n"
        return [_part(r) for r in self._rows(sql, (message_sid,))]

    def _update(self, message_sid: str, n: int, assignments: str, *values: object) -> None:
        """Update one part."""
        sql = f"UPDATE wa_outbox SET {assignments}" + _PART
        self._write(sql, (*values, message_sid, n))

    def record_attempt(self, message_sid: str, n: int) -> int:
        """Count one more send attempt; the new count."""
        key = (message_sid, n)
        if not HAS_RETURNING:
            with self._tx() as db:
                return _count_attempt(db, key)
        # One statement, read to its end (which commits it) by _rows.
        rows = self._rows(_ATTEMPT + " RETURNING attempts", key)
        return int(rows[0][0]) if rows else 0

    def mark_sent(self, message_sid: str, n: int, sent_sid: str) -> None:
        """Twilio accepted the part."""
        self._update(message_sid, n, _SENT, SENT, sent_sid)

    def mark_sent_then(
        self, message_sid: str, n: int, sent_sid: str, phone: str,
        next_part: tuple[str, int] | None, lease: IdleRelease,
    ) -> SentThen:  # fmt: skip
        """mark_sent, then in the same transaction count an attempt on `next_part`, or
        without one give up `lease` when the phone has no pending part left."""
        with self._tx() as db:
            db.execute(f"UPDATE wa_outbox SET {_SENT}" + _PART, (SENT, sent_sid, message_sid, n))
            if next_part is not None:
                return SentThen(_count_attempt(db, next_part), released=False)
            return SentThen(0, release_if_idle(db, lease, _PENDING_FOR, phone))

    def mark_failed(self, message_sid: str, n: int, error: str) -> None:
        """Give up on the part for good."""
        self._update(message_sid, n, "status = ?, error = ?", FAILED, error)

    def reschedule(self, message_sid: str, n: int, next_attempt_at: datetime, error: str) -> None:
        """Try the part again at `next_attempt_at`."""
        at = next_attempt_at.timestamp()
        self._update(message_sid, n, "next_attempt_at = ?, error = ?", at, error)

    def phones_with_pending_parts(self, limit: int = 1000) -> list[str]:
        """Phones that have pending outbox parts."""
        sql = "SELECT DISTINCT phone FROM wa_outbox WHERE status = ? LIMIT ?"
        return [r[0] for r in self._rows(sql, (PENDING, limit))]

    def part_by_sent_sid(self, sent_sid: str) -> OutboxPart | None:
        """The part Twilio accepted under `sent_sid`, or None."""
        rows = self._rows("SELECT * FROM wa_outbox WHERE sent_sid = ? LIMIT 1", (sent_sid,))
        return _part(rows[0]) if rows else None

    def record_status(self, sent_sid: str, status: str, error_code: str | None) -> bool:
        """Log a status callback and update the part sent with that SID."""
        return self.record_statuses([StatusUpdate(sent_sid, status, error_code)])[0]

    def record_statuses(self, updates: list[StatusUpdate]) -> list[bool]:
        """Log the callbacks and update their parts in one transaction, in order."""
        now = time.time()
        with self._tx() as db:
            db.executemany(
                "INSERT INTO wa_status (sent_sid, status, error_code, received_at)"
                " VALUES (?, ?, ?, ?)",
                [(u.sent_sid, u.status, u.error_code, now) for u in updates],
            )
            return [_set_status(db, u) for u in updates]
