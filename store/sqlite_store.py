"""Embedded SQLite store (WAL mode): the default, so a fresh machine needs no database server."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from store.models import (
    SESSION_EXTRAS,
    ChatEntry,
    ChatOptions,
    Progress,
    ProgressUpdate,
    TrainingSession,
    utcnow,
)
from store.sqlite_db import SQLiteDatabase
from store.sqlite_turns import insert_chat, write_progress, write_turn
from store.turns import TurnWrite, merge_progress, new_progress

SCHEMA = """
CREATE TABLE IF NOT EXISTS training_kb (
    s_no INTEGER PRIMARY KEY, heading TEXT NOT NULL, content TEXT NOT NULL, media_url TEXT,
    extras TEXT
);
CREATE TABLE IF NOT EXISTS training_progress (
    phone TEXT PRIMARY KEY, name TEXT, current_section INTEGER,
    completed_sections TEXT NOT NULL DEFAULT '[]',
    in_training_mode INTEGER, training_started INTEGER,
    started_at TEXT, completed_at TEXT, last_updated TEXT, created_at TEXT, extras TEXT,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS chat_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, phone TEXT NOT NULL, session INTEGER,
    who TEXT NOT NULL, text TEXT NOT NULL, time TEXT NOT NULL, intent TEXT, source TEXT,
    message_id TEXT, options TEXT
);
CREATE INDEX IF NOT EXISTS chat_by_phone_time ON chat_history (phone, time);
CREATE INDEX IF NOT EXISTS chat_by_phone_session ON chat_history (phone, session, time);
CREATE TABLE IF NOT EXISTS leads (phone TEXT PRIMARY KEY, name TEXT NOT NULL);
-- Bumped by every change to training_kb, from any connection or process (triggers), so
-- list_sessions can reuse its parsed copy until the content really changes.
CREATE TABLE IF NOT EXISTS kb_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO kb_version VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS kb_inserted AFTER INSERT ON training_kb
    BEGIN UPDATE kb_version SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS kb_updated AFTER UPDATE ON training_kb
    BEGIN UPDATE kb_version SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS kb_deleted AFTER DELETE ON training_kb
    BEGIN UPDATE kb_version SET n = n + 1; END;
"""


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _extras_json(model: TrainingSession | Progress, names: tuple[str, ...]) -> str | None:
    """The extension fields that differ from their defaults, as JSON (None when all default)."""
    data = model.model_dump(mode="json", include=set(names), exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False) if data else None


def _session(row: sqlite3.Row) -> TrainingSession:
    fields = {k: row[k] for k in ("s_no", "heading", "content", "media_url")}
    return TrainingSession.model_validate({**fields, **json.loads(row["extras"] or "{}")})


def _session_row(s: TrainingSession) -> tuple[object, ...]:
    return (s.s_no, s.heading, s.content, s.media_url, _extras_json(s, SESSION_EXTRAS))


def _phone_variants(phone: str) -> list[str]:
    bare = phone.removeprefix("+")
    return [phone, bare, "+" + bare]


class SQLiteStore(SQLiteDatabase):
    """TrainingStore on one SQLite file; one connection guarded by a lock, WAL for readers."""

    def __init__(self, path: str | Path, timeout_s: float = 5.0) -> None:
        super().__init__(path, SCHEMA, timeout_s)
        self._migrate()
        self._parsed: tuple[int, list[TrainingSession]] | None = None  # (kb_version, sessions)

    def _migrate(self) -> None:
        """Add columns that newer versions need to databases made by older ones."""
        columns = {r["name"] for r in self._rows("PRAGMA table_info(chat_history)")}
        with self._tx() as db:
            for table in ("training_kb", "training_progress"):
                have = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
                if "extras" not in have:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN extras TEXT")
                if table == "training_progress" and "version" not in have:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
            for column in ("source", "message_id", "options"):
                if column not in columns:
                    db.execute(f"ALTER TABLE chat_history ADD COLUMN {column} TEXT")
            db.execute(
                "CREATE INDEX IF NOT EXISTS chat_by_message ON chat_history (phone, message_id)"
            )

    # -- training content --
    def _current_sessions(self) -> list[TrainingSession]:
        """The parsed sessions, shared: callers get copies of them."""
        # Parsing the sessions (translations, quizzes) costs milliseconds and every turn reads
        # them; the version row says in microseconds whether anyone has changed them since.
        version = self._rows("SELECT n FROM kb_version")[0][0]
        parsed = self._parsed
        if parsed is None or parsed[0] != version:
            rows = self._rows("SELECT * FROM training_kb ORDER BY s_no")
            parsed = self._parsed = (version, [_session(r) for r in rows])
        return parsed[1]

    def list_sessions(self) -> list[TrainingSession]:
        """All training sessions ordered by s_no (copies: callers may change them)."""
        return [s.model_copy() for s in self._current_sessions()]

    def get_session(self, s_no: int) -> TrainingSession | None:
        """One training session (a copy), or None."""
        found = next((s for s in self._current_sessions() if s.s_no == s_no), None)
        return found.model_copy() if found else None

    def upsert_session(self, session: TrainingSession) -> None:
        """Create or replace the session with this s_no."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO training_kb (s_no, heading, content, media_url, extras)"
                " VALUES (?, ?, ?, ?, ?)",
                _session_row(session),
            )

    def delete_session(self, s_no: int) -> bool:
        """Delete a session; True when it existed."""
        with self._tx() as db:
            return db.execute("DELETE FROM training_kb WHERE s_no = ?", (s_no,)).rowcount > 0

    def replace_sessions(self, sessions: list[TrainingSession]) -> None:
        """Replace the whole knowledge base in one transaction."""
        with self._tx() as db:
            db.execute("DELETE FROM training_kb")
            db.executemany(
                "INSERT INTO training_kb (s_no, heading, content, media_url, extras)"
                " VALUES (?, ?, ?, ?, ?)",
                [_session_row(s) for s in sessions],
            )

    # -- progress --
    @staticmethod
    def _progress(row: sqlite3.Row) -> Progress:
        core = {
            "phone": row["phone"],
            "name": row["name"],
            "current_section": row["current_section"],
            "completed_sections": json.loads(row["completed_sections"] or "[]"),
            "in_training_mode": bool(row["in_training_mode"]),
            "training_started": bool(row["training_started"]),
            "started_at": _dt(row["started_at"]),
            "completed_at": _dt(row["completed_at"]),
            "last_updated": _dt(row["last_updated"]),
            "created_at": _dt(row["created_at"]),
            "version": row["version"],
        }
        return Progress.model_validate({**json.loads(row["extras"] or "{}"), **core})

    def get_progress(self, phone: str) -> Progress | None:
        """A partner's progress, or None when they have never written."""
        rows = self._rows("SELECT * FROM training_progress WHERE phone = ?", (phone,))
        return self._progress(rows[0]) if rows else None

    def update_progress(self, phone: str, update: ProgressUpdate) -> Progress:
        """Apply one atomic update inside an IMMEDIATE transaction and return the new state."""
        now = utcnow()
        with self._tx() as db:
            row = db.execute("SELECT * FROM training_progress WHERE phone = ?", (phone,)).fetchone()
            current = self._progress(row) if row else new_progress(phone, now)
            merged = merge_progress(current, update, now)
            version = write_progress(db, merged, current.version if row else None)
        return merged.model_copy(update={"version": version})

    def commit_turn(self, turn: TurnWrite) -> bool:
        """Write a turn in one transaction; False when its key was committed before.

        Raises TurnConflict (nothing written) when the progress changed since the turn read it.
        """
        with self._tx() as db:
            return write_turn(db, turn)

    def list_progress(self) -> list[Progress]:
        """Every partner's progress."""
        return [self._progress(r) for r in self._rows("SELECT * FROM training_progress")]

    # -- chat history --
    def append_chat(self, entry: ChatEntry) -> None:
        """Append one chat line."""
        with self._tx() as db:
            insert_chat(db, [entry])

    @staticmethod
    def _chat(r: sqlite3.Row) -> ChatEntry:
        return ChatEntry(
            phone=r["phone"],
            who=r["who"],
            text=r["text"],
            time=datetime.fromisoformat(r["time"]),
            intent=r["intent"],
            session=r["session"],
            source=r["source"],
            message_id=r["message_id"],
            options=ChatOptions.model_validate_json(r["options"]) if r["options"] else None,
        )

    def chat_history(
        self, phone: str, session: int | None = None, limit: int = 50
    ) -> list[ChatEntry]:
        """The latest `limit` chat lines of a partner, oldest first; one session if given."""
        where = "phone = ?"
        params: list[object] = [phone]
        if session is not None:
            where += " AND session = ?"
            params.append(session)
        rows = self._rows(
            f"SELECT * FROM chat_history WHERE {where} ORDER BY time DESC, id DESC LIMIT ?",
            (*params, limit),
        )
        return [self._chat(r) for r in reversed(rows)]

    def turn_lines(self, phone: str, message_id: str) -> list[ChatEntry]:
        """The chat lines recorded for one inbound message, oldest first ([] if none)."""
        rows = self._rows(
            "SELECT * FROM chat_history WHERE phone = ? AND message_id = ? ORDER BY id",
            (phone, message_id),
        )
        return [self._chat(r) for r in rows]

    # -- leads --
    def lead_name(self, phone: str) -> str | None:
        """The partner's name from the leads table, matching with or without '+'."""
        variants = _phone_variants(phone)
        rows = self._rows(
            "SELECT name FROM leads WHERE phone IN (?, ?, ?) LIMIT 1", tuple(variants)
        )
        return rows[0]["name"] if rows else None

    def upsert_lead(self, phone: str, name: str) -> None:
        """Record a lead's name."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO leads VALUES (?, ?)", (phone, name))
