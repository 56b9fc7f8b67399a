"""MessagingStore on SQLite: wa_* tables next to the training data, one IMMEDIATE tx per step."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from store.base import StoreUnavailable
from store.messaging import InboundRecord, NewInbound, OutboundPart, OutboxPart, PartStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS wa_inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message_sid TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL, text TEXT NOT NULL, profile_name TEXT, media_urls TEXT NOT NULL,
    received_at REAL NOT NULL, processed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS wa_inbox_pending ON wa_inbox (phone, processed, seq);
CREATE INDEX IF NOT EXISTS wa_inbox_recent ON wa_inbox (phone, received_at);
CREATE TABLE IF NOT EXISTS wa_outbox (
    message_sid TEXT NOT NULL, n INTEGER NOT NULL, phone TEXT NOT NULL, seq INTEGER NOT NULL,
    body TEXT NOT NULL, media_url TEXT, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    sent_sid TEXT, error TEXT, delivery_status TEXT, PRIMARY KEY (message_sid, n)
);
CREATE INDEX IF NOT EXISTS wa_outbox_pending ON wa_outbox (phone, status, seq, n);
CREATE INDEX IF NOT EXISTS wa_outbox_sent_sid ON wa_outbox (sent_sid);
CREATE TABLE IF NOT EXISTS wa_leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL);
CREATE TABLE IF NOT EXISTS wa_status (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sent_sid TEXT NOT NULL, status TEXT NOT NULL,
    error_code TEXT, received_at REAL NOT NULL
);
"""
_PENDING, _SENT = PartStatus.PENDING.value, PartStatus.SENT.value


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _inbound(row: sqlite3.Row) -> InboundRecord:
    data = dict(row)
    data["media_urls"] = json.loads(data["media_urls"])
    data["received_at"] = _dt(data["received_at"])
    data["processed"] = bool(data["processed"])
    return InboundRecord(**data)


def _part(row: sqlite3.Row) -> OutboxPart:
    return OutboxPart(**{**dict(row), "next_attempt_at": _dt(row["next_attempt_at"])})


class SQLiteMessagingStore:
    """MessagingStore on one SQLite file (usually the training store's file, WAL mode)."""

    def __init__(self, path: str | Path, timeout_s: float = 5.0) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, timeout=timeout_s, check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: other connections and processes wait their turn."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite error: {exc}") from exc

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """A read outside any write transaction (WAL readers do not block writers)."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite error: {exc}") from exc

    # -- inbox --
    def record_inbound(self, message: NewInbound) -> bool:
        """Store a message once per MessageSid; False when it was already recorded."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO wa_inbox (message_sid, phone, text, profile_name,"
                " media_urls, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                (message.message_sid, message.phone, message.text, message.profile_name,
                 json.dumps(message.media_urls), message.received_at.timestamp()),
            )  # fmt: skip
            return cursor.rowcount == 1

    def next_unprocessed(self, phone: str) -> InboundRecord | None:
        """The phone's oldest unprocessed message, or None."""
        sql = "SELECT * FROM wa_inbox WHERE phone = ? AND processed = 0 ORDER BY seq LIMIT 1"
        rows = self._rows(sql, (phone,))
        return _inbound(rows[0]) if rows else None

    def get_inbound(self, message_sid: str) -> InboundRecord | None:
        """One inbox entry by MessageSid."""
        rows = self._rows("SELECT * FROM wa_inbox WHERE message_sid = ?", (message_sid,))
        return _inbound(rows[0]) if rows else None

    def count_recent(self, phone: str, since: datetime, up_to_seq: int) -> int:
        """How many of the phone's messages up to `up_to_seq` arrived after `since`."""
        sql = "SELECT COUNT(*) FROM wa_inbox WHERE phone = ? AND received_at > ? AND seq <= ?"
        return int(self._rows(sql, (phone, since.timestamp(), up_to_seq))[0][0])

    def complete_inbound(self, message_sid: str, parts: list[OutboundPart]) -> bool:
        """Mark processed and enqueue the reply parts in one transaction."""
        with self._tx() as db:
            row = db.execute(
                "SELECT seq, phone FROM wa_inbox WHERE message_sid = ? AND processed = 0",
                (message_sid,),
            ).fetchone()
            if row is None:
                return False
            db.execute("UPDATE wa_inbox SET processed = 1 WHERE message_sid = ?", (message_sid,))
            now = time.time()
            db.executemany(
                "INSERT INTO wa_outbox (message_sid, n, phone, seq, body, media_url, status,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(message_sid, n, row["phone"], row["seq"], p.body, p.media_url, _PENDING, now)
                 for n, p in enumerate(parts)],
            )  # fmt: skip
            return True

    def phones_with_unprocessed(self, limit: int = 1000) -> list[str]:
        """Phones that have unprocessed messages."""
        sql = "SELECT DISTINCT phone FROM wa_inbox WHERE processed = 0 LIMIT ?"
        return [r[0] for r in self._rows(sql, (limit,))]

    # -- leases --
    def acquire_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease when free, expired or already ours."""
        now = time.time()
        with self._tx() as db:
            row = db.execute("SELECT owner, expires_at FROM wa_leases WHERE key = ?", (key,))
            held = row.fetchone()
            if held and held["owner"] != owner and held["expires_at"] > now:
                return False
            db.execute(
                "INSERT OR REPLACE INTO wa_leases VALUES (?, ?, ?)", (key, owner, now + ttl_s)
            )
            return True

    def renew_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Extend our lease; False when it is no longer ours."""
        with self._tx() as db:
            sql = "UPDATE wa_leases SET expires_at = ? WHERE key = ? AND owner = ?"
            return db.execute(sql, (time.time() + ttl_s, key, owner)).rowcount == 1

    def release_lease(self, key: str, owner: str) -> None:
        """Give up our lease."""
        with self._tx() as db:
            db.execute("DELETE FROM wa_leases WHERE key = ? AND owner = ?", (key, owner))

    # -- outbox --
    def next_part(self, phone: str) -> OutboxPart | None:
        """The phone's first pending part in (arrival, part) order."""
        sql = "SELECT * FROM wa_outbox WHERE phone = ? AND status = ? ORDER BY seq, n LIMIT 1"
        rows = self._rows(sql, (phone, _PENDING))
        return _part(rows[0]) if rows else None

    def parts_for(self, message_sid: str) -> list[OutboxPart]:
        """The reply parts of one inbound message, in order."""
        sql = "SELECT * FROM wa_outbox WHERE message_sid = ? ORDER BY n"
        return [_part(r) for r in self._rows(sql, (message_sid,))]

    def _update(self, message_sid: str, n: int, assignments: str, *values: object) -> int:
        with self._tx() as db:
            sql = f"UPDATE wa_outbox SET {assignments} WHERE message_sid = ? AND n = ?"
            db.execute(sql, (*values, message_sid, n))
            row = db.execute(
                "SELECT attempts FROM wa_outbox WHERE message_sid = ? AND n = ?", (message_sid, n)
            ).fetchone()
            return int(row[0]) if row else 0

    def record_attempt(self, message_sid: str, n: int) -> int:
        """Count one more send attempt; the new count."""
        return self._update(message_sid, n, "attempts = attempts + 1")

    def mark_sent(self, message_sid: str, n: int, sent_sid: str) -> None:
        """Twilio accepted the part."""
        self._update(message_sid, n, "status = ?, sent_sid = ?, error = NULL", _SENT, sent_sid)

    def mark_failed(self, message_sid: str, n: int, error: str) -> None:
        """Give up on the part for good."""
        self._update(message_sid, n, "status = ?, error = ?", PartStatus.FAILED.value, error)

    def reschedule(self, message_sid: str, n: int, next_attempt_at: datetime, error: str) -> None:
        """Try the part again at `next_attempt_at`."""
        at = next_attempt_at.timestamp()
        self._update(message_sid, n, "next_attempt_at = ?, error = ?", at, error)

    def phones_with_pending_parts(self, limit: int = 1000) -> list[str]:
        """Phones that have pending outbox parts."""
        sql = "SELECT DISTINCT phone FROM wa_outbox WHERE status = ? LIMIT ?"
        return [r[0] for r in self._rows(sql, (_PENDING, limit))]

    # -- delivery status callbacks --
    def record_status(self, sent_sid: str, status: str, error_code: str | None) -> bool:
        """Log a status callback and update the part sent with that SID."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO wa_status (sent_sid, status, error_code, received_at)"
                " VALUES (?, ?, ?, ?)",
                (sent_sid, status, error_code, time.time()),
            )
            sql = "UPDATE wa_outbox SET delivery_status = ? WHERE sent_sid = ?"
            return db.execute(sql, (status, sent_sid)).rowcount > 0

    # -- lifecycle --
    def ping(self) -> bool:
        """True when the database answers."""
        try:
            self._rows("SELECT 1")
        except StoreUnavailable:
            return False
        return True

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
