"""Per-key leases on SQLite: one row per held key, written alone or inside a caller's write."""

from __future__ import annotations

import sqlite3

from store.messaging import IdleRelease

LEASES_SCHEMA = """
CREATE TABLE IF NOT EXISTS wa_leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL);
"""
ACQUIRE = (
    "INSERT INTO wa_leases (key, owner, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE wa_leases.owner = excluded.owner OR wa_leases.expires_at <= ?"
)
RENEW = "UPDATE wa_leases SET expires_at = ? WHERE key = ? AND owner = ?"
RELEASE = "DELETE FROM wa_leases WHERE key = ? AND owner = ?"


def release_if_idle(
    db: sqlite3.Connection, lease: IdleRelease, pending_sql: str, phone: str
) -> bool:
    """Inside the caller's transaction: give up `lease` unless `pending_sql` (a query taking
    the phone) finds work left; True when the phone had none (the lease is free now)."""
    if db.execute(pending_sql, (phone,)).fetchone() is not None:
        return False
    db.execute(RELEASE, (lease.key, lease.owner))
    return True
