"""MessagingStore on SQLite: wa_* tables next to the training data, one IMMEDIATE tx per step."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from store.messaging import IdleRelease, InboundRecord, NewInbound, OutboundPart
from store.sqlite_db import SQLiteDatabase, from_epoch
from store.sqlite_leases import ACQUIRE, LEASES_SCHEMA, RELEASE, RENEW, release_if_idle
from store.sqlite_outbox import OUTBOX_SCHEMA, PENDING, SQLiteOutbox
from store.sqlite_turns import write_turn
from store.turns import TurnWrite

INBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS wa_inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message_sid TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL, text TEXT NOT NULL, profile_name TEXT, media_urls TEXT NOT NULL,
    received_at REAL NOT NULL, processed INTEGER NOT NULL DEFAULT 0, payload TEXT
);
CREATE INDEX IF NOT EXISTS wa_inbox_pending ON wa_inbox (phone, processed, seq);
CREATE INDEX IF NOT EXISTS wa_inbox_recent ON wa_inbox (phone, received_at);
"""
UNPROCESSED = "SELECT 1 FROM wa_inbox WHERE phone = ? AND processed = 0 LIMIT 1"


def _inbound(row: sqlite3.Row) -> InboundRecord:
    data = dict(row)
    data["media_urls"] = json.loads(data["media_urls"])
    data["received_at"] = from_epoch(data["received_at"])
    data["processed"] = bool(data["processed"])
    return InboundRecord(**data)


def _insert_inbound(db: sqlite3.Connection, message: NewInbound) -> bool:
    cursor = db.execute(
        "INSERT OR IGNORE INTO wa_inbox (message_sid, phone, text, profile_name,"
        " media_urls, received_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (message.message_sid, message.phone, message.text, message.profile_name,
         json.dumps(message.media_urls), message.received_at.timestamp(), message.payload),
    )  # fmt: skip
    return cursor.rowcount == 1


class SQLiteMessagingStore(SQLiteOutbox):
    """MessagingStore on one SQLite file (usually the training store's file, WAL mode).

    Given the training store itself (a SQLiteDatabase) it shares that connection and lock.
    """

    def __init__(self, source: str | Path | SQLiteDatabase, timeout_s: float = 5.0) -> None:
        super().__init__(source, INBOX_SCHEMA + LEASES_SCHEMA + OUTBOX_SCHEMA, timeout_s)
        self._add_template_columns()
        self._add_payload_column()

    def _add_payload_column(self) -> None:
        """Inboxes made before taps were read lack the payload column: add it."""
        with self._tx() as db:
            if "payload" not in {r["name"] for r in db.execute("PRAGMA table_info(wa_inbox)")}:
                db.execute("ALTER TABLE wa_inbox ADD COLUMN payload TEXT")

    # -- inbox --
    def record_inbound(self, message: NewInbound) -> bool:
        """Store a message once per MessageSid; False when it was already recorded."""
        with self._tx() as db:
            return _insert_inbound(db, message)

    def record_inbound_batch(self, messages: list[NewInbound]) -> list[bool]:
        """record_inbound for several messages in one transaction (the webhook's insert
        thread takes all the inserts waiting for the lock at once)."""
        with self._tx() as db:
            return [_insert_inbound(db, m) for m in messages]

    def try_record_inbound(self, message: NewInbound) -> bool | None:
        """record_inbound if it can run at once (nobody else writing), else None: the webhook
        calls this on its event loop and falls back to record_inbound in a thread."""
        return self._write_now(lambda db: _insert_inbound(db, message))

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
                "INSERT INTO wa_outbox (message_sid, n, phone, seq, body, media_url, content_sid,"
                " content_variables, status, next_attempt_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(message_sid, n, row["phone"], row["seq"], p.body, p.media_url, p.content_sid,
                  p.content_variables, PENDING, now) for n, p in enumerate(parts)],
            )  # fmt: skip
            return True

    def count_unprocessed_after(self, phone: str, seq: int) -> int:
        """How many of the phone's unprocessed messages arrived after `seq`."""
        sql = "SELECT COUNT(*) FROM wa_inbox WHERE phone = ? AND processed = 0 AND seq > ?"
        return int(self._rows(sql, (phone, seq))[0][0])

    def commit_turn(self, turn: TurnWrite) -> bool:
        """Progress, chat lines, the processed mark and the reply parts in one transaction."""
        with self._tx() as db:
            return write_turn(db, turn)

    def commit_turn_releasing(self, turn: TurnWrite, lease: IdleRelease) -> tuple[bool, bool]:
        """commit_turn, and in the same transaction give up `lease` when the phone has no
        unprocessed message left; (committed, released)."""
        with self._tx() as db:
            if not write_turn(db, turn):
                return False, False
            return True, release_if_idle(db, lease, UNPROCESSED, turn.phone)

    def phones_with_unprocessed(self, limit: int = 1000) -> list[str]:
        """Phones that have unprocessed messages."""
        sql = "SELECT DISTINCT phone FROM wa_inbox WHERE processed = 0 LIMIT ?"
        return [r[0] for r in self._rows(sql, (limit,))]

    # -- leases: single statements, each atomic on its own --
    def acquire_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease when free, expired or already ours."""
        now = time.time()
        return self._write(ACQUIRE, (key, owner, now + ttl_s, now)) == 1

    def renew_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Extend our lease; False when it is no longer ours."""
        return self._write(RENEW, (time.time() + ttl_s, key, owner)) == 1

    def release_lease(self, key: str, owner: str) -> None:
        """Give up our lease."""
        self._write(RELEASE, (key, owner))
