"""QuizStore on the SQLite file of the training store: answers, feedback and certificates."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from store.quiz_store import Certificate, Feedback, QuizAnswer
from store.sqlite_db import SQLiteDatabase

SCHEMA = """
CREATE TABLE IF NOT EXISTS quiz_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, phone TEXT NOT NULL, s_no INTEGER NOT NULL,
    q_no INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    correct INTEGER NOT NULL, attempt INTEGER NOT NULL, time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quiz_answers_by_phone ON quiz_answers (phone, time);
CREATE INDEX IF NOT EXISTS quiz_answers_by_session ON quiz_answers (s_no, q_no);
CREATE TABLE IF NOT EXISTS partner_feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, phone TEXT NOT NULL, rating INTEGER, thumbs INTEGER,
    comment TEXT, time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_phone ON partner_feedback (phone, time);
CREATE TABLE IF NOT EXISTS certificates (
    code TEXT PRIMARY KEY, phone TEXT NOT NULL, name TEXT NOT NULL, programme TEXT NOT NULL,
    completed_on TEXT NOT NULL, score INTEGER, issued_at TEXT NOT NULL, revoked_at TEXT,
    replaces TEXT, publish_due TEXT
);
CREATE INDEX IF NOT EXISTS certificates_by_phone ON certificates (phone, issued_at);
"""
# Tables made before certificates were published in the background lack publish_due.
PUBLISH_INDEX = "CREATE INDEX IF NOT EXISTS certificates_to_publish ON certificates (publish_due)"


def _ts(value: datetime | None) -> str | None:
    # One zone and format for every stored time, so text comparisons order them correctly.
    return value.astimezone(UTC).isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _where(filters: dict[str, tuple[str, object]]) -> tuple[str, list[object]]:
    parts = [f"{sql} ?" for sql, value in filters.values() if value is not None]
    params = [value for _, value in filters.values() if value is not None]
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def insert_answers(db: sqlite3.Connection, answers: list[QuizAnswer]) -> None:
    """Append quiz answers inside the caller's transaction (a turn's, or record_answer's)."""
    db.executemany(
        "INSERT INTO quiz_answers (phone, s_no, q_no, question, answer, correct, attempt, time)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(a.phone, a.s_no, a.q_no, a.question, a.answer, int(a.correct), a.attempt, _ts(a.time))
         for a in answers],
    )  # fmt: skip


def insert_feedback(db: sqlite3.Connection, records: list[Feedback]) -> None:
    """Append feedback records inside the caller's transaction."""
    db.executemany(
        "INSERT INTO partner_feedback (phone, rating, thumbs, comment, time)"
        " VALUES (?, ?, ?, ?, ?)",
        [(f.phone, f.rating, None if f.thumbs is None else int(f.thumbs), f.comment, _ts(f.time))
         for f in records],
    )  # fmt: skip


class SQLiteQuizStore(SQLiteDatabase):
    """QuizStore in three tables; pass the SQLiteStore to share its connection and lock."""

    def __init__(self, source: str | Path | SQLiteDatabase, timeout_s: float = 5.0) -> None:
        super().__init__(source, SCHEMA, timeout_s)
        with self._tx() as db:
            if "publish_due" not in {
                r["name"] for r in db.execute("PRAGMA table_info(certificates)")
            }:
                db.execute("ALTER TABLE certificates ADD COLUMN publish_due TEXT")
            db.execute(PUBLISH_INDEX)

    def record_answer(self, answer: QuizAnswer) -> None:
        """Append one quiz answer."""
        with self._tx() as db:
            insert_answers(db, [answer])

    def answers(
        self, phone: str | None = None, s_no: int | None = None, since: datetime | None = None
    ) -> list[QuizAnswer]:
        """Answers, oldest first; one partner's, one session's, or those from `since` on."""
        where, params = _where(
            {
                "phone": ("phone =", phone),
                "s_no": ("s_no =", s_no),
                "since": ("time >=", _ts(since)),
            }
        )
        rows = self._rows(f"SELECT * FROM quiz_answers{where} ORDER BY time, id", params)
        return [
            QuizAnswer(**{**dict(r), "correct": bool(r["correct"]), "time": _dt(r["time"])})
            for r in rows
        ]

    def record_feedback(self, feedback: Feedback) -> None:
        """Append one feedback record (a rating or a comment)."""
        with self._tx() as db:
            insert_feedback(db, [feedback])

    def feedback(self, phone: str | None = None) -> list[Feedback]:
        """Feedback records, oldest first; one partner's when given."""
        where, params = _where({"phone": ("phone =", phone)})
        rows = self._rows(f"SELECT * FROM partner_feedback{where} ORDER BY time, id", params)
        return [_feedback(r) for r in rows]

    def save_certificate(self, certificate: Certificate) -> None:
        """Create or replace the certificate with this code."""
        c = certificate
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO certificates (code, phone, name, programme, completed_on,"
                " score, issued_at, revoked_at, replaces, publish_due)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (c.code, c.phone, c.name, c.programme, _ts(c.completed_on), c.score,
                 _ts(c.issued_at), _ts(c.revoked_at), c.replaces, _ts(c.publish_due)),
            )  # fmt: skip

    def get_certificate(self, code: str) -> Certificate | None:
        """One certificate by code, or None."""
        rows = self._rows("SELECT * FROM certificates WHERE code = ?", (code,))
        return _certificate(rows[0]) if rows else None

    def certificates(self, phone: str | None = None) -> list[Certificate]:
        """Certificates, newest first; one partner's when given."""
        where, params = _where({"phone": ("phone =", phone)})
        rows = self._rows(f"SELECT * FROM certificates{where} ORDER BY issued_at DESC", params)
        return [_certificate(r) for r in rows]

    def due_certificates(self, limit: int = 50) -> list[Certificate]:
        """Certificates whose background publishing is still to do, soonest due first."""
        rows = self._rows(
            "SELECT * FROM certificates WHERE publish_due IS NOT NULL ORDER BY publish_due LIMIT ?",
            (limit,),
        )
        return [_certificate(r) for r in rows]

    def claim_certificate(self, code: str, now: datetime, until: datetime) -> bool:
        """Take the publishing of a due certificate until `until`; False when it is not due
        (done, or another worker holds it)."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE certificates SET publish_due = ? WHERE code = ? AND publish_due <= ?",
                (_ts(until), code, _ts(now)),
            )
        return cursor.rowcount == 1

    def certificate_published(self, code: str) -> None:
        """Mark the certificate's background publishing done."""
        with self._tx() as db:
            db.execute("UPDATE certificates SET publish_due = NULL WHERE code = ?", (code,))


def _feedback(row: sqlite3.Row) -> Feedback:
    thumbs = None if row["thumbs"] is None else bool(row["thumbs"])
    data = {k: row[k] for k in ("phone", "rating", "comment")}
    return Feedback(**data, thumbs=thumbs, time=datetime.fromisoformat(row["time"]))


def _certificate(row: sqlite3.Row) -> Certificate:
    data = dict(row)
    for key in ("completed_on", "issued_at", "revoked_at", "publish_due"):
        data[key] = _dt(data[key])
    return Certificate(**data)
