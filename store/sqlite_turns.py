"""Writing a turn on SQLite: progress (compare-and-set), chat lines, inbox and outbox, one tx."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime

from store.models import PROGRESS_EXTRAS, ChatEntry, Progress
from store.sqlite_quiz import insert_answers, insert_feedback
from store.turns import TurnConflict, TurnWrite

PENDING_PART = "pending"  # store.messaging.PartStatus.PENDING, without importing the outbox


def ts(value: datetime | None) -> str | None:
    """ISO text for a datetime column."""
    return value.isoformat() if value else None


def extras_json(progress: Progress) -> str | None:
    """The progress extension fields that differ from their defaults, as JSON."""
    data = progress.model_dump(mode="json", include=set(PROGRESS_EXTRAS), exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False) if data else None


_COLUMNS = (
    "name, current_section, completed_sections, in_training_mode, training_started,"
    " started_at, completed_at, last_updated, created_at, extras"
)


def _values(p: Progress) -> tuple[object, ...]:
    return (
        p.name, p.current_section, json.dumps(p.completed_sections), int(p.in_training_mode),
        int(p.training_started), ts(p.started_at), ts(p.completed_at), ts(p.last_updated),
        ts(p.created_at), extras_json(p),
    )  # fmt: skip


def write_progress(db: sqlite3.Connection, progress: Progress, base_version: int | None) -> int:
    """Store `progress` if the record is still at `base_version` (None: absent); the new version.

    Raises TurnConflict when another write got there first.
    """
    if base_version is None:
        try:
            db.execute(
                f"INSERT INTO training_progress (phone, {_COLUMNS}, version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (progress.phone, *_values(progress)),
            )
        except sqlite3.IntegrityError as exc:
            raise TurnConflict(f"progress of {progress.phone} was created meanwhile") from exc
        return 1
    assignments = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(","))
    cursor = db.execute(
        f"UPDATE training_progress SET {assignments}, version = version + 1"
        " WHERE phone = ? AND version = ?",
        (*_values(progress), progress.phone, base_version),
    )
    if cursor.rowcount != 1:
        raise TurnConflict(f"progress of {progress.phone} changed since version {base_version}")
    return base_version + 1


def insert_chat(db: sqlite3.Connection, entries: list[ChatEntry]) -> None:
    """Append chat lines."""
    if not entries:
        return  # also spares a messaging-only database, which has no chat table
    db.executemany(
        "INSERT INTO chat_history (phone, session, who, text, time, intent, source,"
        " message_id, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(e.phone, e.session, e.who, e.text, ts(e.time), e.intent, e.source, e.message_id,
          e.options.model_dump_json() if e.options else None) for e in entries],
    )  # fmt: skip


def write_turn(db: sqlite3.Connection, turn: TurnWrite) -> bool:
    """Write the whole turn inside the caller's transaction; False when its key is done already."""
    if turn.inbound_sid is not None:
        row = db.execute(
            "SELECT seq, processed FROM wa_inbox WHERE message_sid = ?", (turn.inbound_sid,)
        ).fetchone()
        if row is None or row["processed"]:
            return False
    else:
        row = None
        seen = db.execute(
            "SELECT 1 FROM chat_history WHERE phone = ? AND message_id = ? LIMIT 1",
            (turn.phone, turn.key),
        ).fetchone()
        if seen is not None:
            return False
    if turn.progress is not None:
        write_progress(db, turn.progress, turn.base_version)
    insert_chat(db, turn.lines)
    if turn.quiz_answers:
        insert_answers(db, turn.quiz_answers)
    if turn.feedback:
        insert_feedback(db, turn.feedback)
    if row is not None:
        db.execute("UPDATE wa_inbox SET processed = 1 WHERE message_sid = ?", (turn.inbound_sid,))
        now = time.time()
        db.executemany(
            "INSERT INTO wa_outbox (message_sid, n, phone, seq, body, media_url, content_sid,"
            " content_variables, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(turn.inbound_sid, n, turn.phone, row["seq"], p.body, p.media_url, p.content_sid,
              p.content_variables, PENDING_PART, now) for n, p in enumerate(turn.parts)],
        )  # fmt: skip
    return True
