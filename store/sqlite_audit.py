"""The admin activity log in a SQLite table next to the training data."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from store.audit import AuditEntry
from store.sqlite_db import SQLiteDatabase

AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS admin_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL,
    action TEXT NOT NULL, target TEXT, phone TEXT, detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS admin_audit_by_action ON admin_audit (action, id);
"""


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=str(row["id"]),
        at=datetime.fromisoformat(row["at"]),
        who=row["who"],
        action=row["action"],
        target=row["target"],
        phone=row["phone"],
        detail=json.loads(row["detail"] or "{}"),
    )


class SQLiteAudit:
    """record_audit / list_audit on the database's own connection and lock."""

    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db
        with db._tx() as conn:
            for statement in AUDIT_SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Save one entry and return it with its id."""
        with self.db._tx() as conn:
            cursor = conn.execute(
                "INSERT INTO admin_audit (at, who, action, target, phone, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (entry.at.isoformat(), entry.who, entry.action, entry.target, entry.phone,
                 json.dumps(entry.detail, ensure_ascii=False, default=str)),
            )  # fmt: skip
        return entry.model_copy(update={"id": str(cursor.lastrowid)})

    def list_audit(
        self, limit: int = 100, offset: int = 0, area: str | None = None
    ) -> list[AuditEntry]:
        """Entries newest first; only one area's ("content", "partner") when given."""
        where, params = ("WHERE action LIKE ?", [f"{area}.%"]) if area else ("", [])
        rows = self.db._rows(
            f"SELECT * FROM admin_audit {where} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_entry(r) for r in rows]
