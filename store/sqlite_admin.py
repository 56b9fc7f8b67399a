"""AdminStore on the SQLite file of a SQLiteStore: versions, partners, erasure, audit."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from store.admin import erase_variants, per_phone_key
from store.admin_models import PHONE_FIELDS, Analytics, ContentVersion, fit_progress
from store.messaging import as_utc
from store.models import ChatEntry, TrainingSession
from store.partner_list import (
    ChatActivity,
    PartnerPage,
    PartnerQuery,
    PartnerSummary,
    merge_activity,
    page_partners,
)
from store.sqlite_analytics import sqlite_analytics
from store.sqlite_audit import SQLiteAudit
from store.sqlite_store import SQLiteStore

VERSIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS content_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, s_no INTEGER NOT NULL, action TEXT NOT NULL,
    who TEXT NOT NULL, at TEXT NOT NULL, previous TEXT, current TEXT
);
CREATE INDEX IF NOT EXISTS versions_by_s_no ON content_versions (s_no, id);
"""
# Added with whole-training versions (`genie kb load`): JSON lists of sessions.
KB_COLUMNS = ("previous_kb", "current_kb")


def _json(session: TrainingSession | None) -> str | None:
    return session.model_dump_json() if session else None


def _session(text: str | None) -> TrainingSession | None:
    return TrainingSession.model_validate_json(text) if text else None


def _kb_json(sessions: list[TrainingSession] | None) -> str | None:
    return None if sessions is None else json.dumps([s.model_dump() for s in sessions])


def _kb(text: str | None) -> list[TrainingSession] | None:
    return None if text is None else [TrainingSession(**s) for s in json.loads(text)]


def _version(row: sqlite3.Row) -> ContentVersion:
    return ContentVersion(
        previous_kb=_kb(row["previous_kb"]),
        current_kb=_kb(row["current_kb"]),
        id=str(row["id"]),
        s_no=row["s_no"],
        action=row["action"],
        who=row["who"],
        at=datetime.fromisoformat(row["at"]),
        previous=_session(row["previous"]),
        current=_session(row["current"]),
    )


class SQLiteAdmin(SQLiteAudit):
    """Admin queries in SQL on the store's own connection (and under its lock)."""

    def __init__(self, store: SQLiteStore) -> None:
        super().__init__(store)
        self.store = store
        with store._tx() as db:
            for statement in VERSIONS_SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            columns = {r["name"] for r in db.execute("PRAGMA table_info(content_versions)")}
            for column in KB_COLUMNS:
                if column not in columns:
                    db.execute(f"ALTER TABLE content_versions ADD COLUMN {column} TEXT")

    # -- content versions --
    def record_version(self, version: ContentVersion) -> ContentVersion:
        """Save one content change and return it with its id."""
        with self.store._tx() as db:
            cursor = db.execute(
                "INSERT INTO content_versions (s_no, action, who, at, previous, current,"
                " previous_kb, current_kb) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    version.s_no,
                    version.action,
                    version.who,
                    version.at.isoformat(),
                    _json(version.previous),
                    _json(version.current),
                    _kb_json(version.previous_kb),
                    _kb_json(version.current_kb),
                ),
            )
        return version.model_copy(update={"id": str(cursor.lastrowid)})

    def list_versions(self, s_no: int | None = None, limit: int = 50) -> list[ContentVersion]:
        """The latest changes, newest first; one session's when s_no is given."""
        where, params = ("WHERE s_no = ?", (s_no,)) if s_no is not None else ("", ())
        rows = self.store._rows(
            f"SELECT * FROM content_versions {where} ORDER BY id DESC LIMIT ?", (*params, limit)
        )
        return [_version(r) for r in rows]

    def get_version(self, version_id: str) -> ContentVersion | None:
        """One change by id, or None."""
        if not version_id.isdigit():
            return None
        rows = self.store._rows("SELECT * FROM content_versions WHERE id = ?", (int(version_id),))
        return _version(rows[0]) if rows else None

    # -- partners --
    def partners(self, now: datetime, paused_days: int = 7) -> list[PartnerSummary]:
        """Everyone with progress or partner messages, with activity and status (unsorted)."""
        progress = [
            SQLiteStore._progress(r) for r in self.store._rows("SELECT * FROM training_progress")
        ]
        chat = {
            r["phone"]: ChatActivity(
                first=as_utc(datetime.fromisoformat(r["first"])),
                last=as_utc(datetime.fromisoformat(r["last"])),
                messages=r["messages"],
                questions=r["questions"] or 0,
            )
            for r in self.store._rows(
                "SELECT phone, MIN(time) AS first, MAX(time) AS last, COUNT(*) AS messages,"
                " SUM(intent = 'question') AS questions FROM chat_history"
                " WHERE who = 'partner' GROUP BY phone"
            )
        }
        return merge_activity(progress, chat, now - timedelta(days=paused_days))

    def list_partners(self, query: PartnerQuery) -> PartnerPage:
        """Partners matching the query, sorted and paged, with chat activity."""
        return page_partners(self.partners(query.now, query.paused_days), query)

    def lead_dates(self) -> dict[str, datetime | None]:
        """Every lead's phone; the SQLite leads table has no creation date."""
        return {str(r["phone"]): None for r in self.store._rows("SELECT phone FROM leads")}

    def question_lines(self, since: datetime | None = None) -> list[ChatEntry]:
        """Chat lines of question turns (partner and Genie), in the order they were stored."""
        where, params = (
            ("AND julianday(time) >= julianday(?)", (since.isoformat(),)) if since else ("", ())
        )
        rows = self.store._rows(
            f"SELECT * FROM chat_history WHERE intent = 'question' {where} ORDER BY id", params
        )
        return [SQLiteStore._chat(r) for r in rows]

    def renumber_sessions(self, mapping: dict[int, int]) -> None:
        """Move progress and chat lines to new session numbers in one transaction."""
        moves = {old: new for old, new in mapping.items() if old != new}
        if not moves:
            return
        cases = " ".join(f"WHEN {int(old)} THEN {int(new)}" for old, new in moves.items())
        olds = ", ".join(str(int(old)) for old in moves)
        with self.store._tx() as db:
            db.execute(
                f"UPDATE chat_history SET session = CASE session {cases} END"
                f" WHERE session IN ({olds})"
            )
            rows = db.execute(
                "SELECT phone, current_section, completed_sections FROM training_progress"
            ).fetchall()
            for row in rows:
                done = json.loads(row["completed_sections"] or "[]")
                moved = sorted({moves.get(n, n) for n in done})
                current = row["current_section"]
                # last_updated is left alone: renumbering is not the partner's progress.
                db.execute(
                    "UPDATE training_progress SET current_section = ?, completed_sections = ?"
                    " WHERE phone = ?",
                    (moves.get(current, current), json.dumps(moved), row["phone"]),
                )

    def fit_progress_to_sessions(self, numbers: list[int]) -> int:
        """Fit every partner's progress to the sessions `numbers`, in one transaction."""
        changed = 0
        with self.store._tx() as db:
            rows = db.execute(
                "SELECT phone, current_section, completed_sections FROM training_progress"
            ).fetchall()
            for row in rows:
                done = json.loads(row["completed_sections"] or "[]")
                kept, current = fit_progress(done, row["current_section"], numbers)
                if (kept, current) == (done, row["current_section"]):
                    continue
                db.execute(
                    "UPDATE training_progress SET current_section = ?, completed_sections = ?"
                    " WHERE phone = ?",
                    (current, json.dumps(kept), row["phone"]),
                )
                changed += 1
        return changed

    def erase_partner(self, phone: str) -> dict[str, int]:
        """Delete rows about the phone from every table with a phone-like column."""
        variants = erase_variants(phone)
        marks = ", ".join("?" for _ in variants)
        deleted: dict[str, int] = {}
        with self.store._tx() as db:
            tables = [
                r["name"]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                columns = [r["name"] for r in db.execute(f'PRAGMA table_info("{table}")')]
                phone_columns = [c for c in columns if c in PHONE_FIELDS or "phone" in c.lower()]
                if not phone_columns:
                    continue
                where = " OR ".join(f'"{c}" IN ({marks})' for c in phone_columns)
                params = variants * len(phone_columns)
                count = db.execute(f'DELETE FROM "{table}" WHERE {where}', params).rowcount
                if count:
                    deleted[table] = count
            if "wa_leases" in tables:
                keyed = per_phone_key(variants)
                keys = [r["key"] for r in db.execute("SELECT key FROM wa_leases")]
                gone = [(k,) for k in keys if keyed.match(k)]
                db.executemany("DELETE FROM wa_leases WHERE key = ?", gone)
                if gone:
                    deleted["wa_leases"] = len(gone)
        # secure_delete zeroes the freed pages; the checkpoint then overwrites the old copies
        # the write-ahead log still held, so the number is in neither file afterwards.
        self.store.checkpoint_now()
        return deleted

    # -- analytics --
    def analytics(self, now: datetime, stalled_days: int = 7, top: int = 10) -> Analytics:
        """Enrolment, activity, completion, the per-session funnel and the most asked questions."""
        return sqlite_analytics(self.store, now, stalled_days, top)
