"""The dashboard's analytics as SQL over the SQLite store's tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from store.admin_models import Analytics, QuestionCount, RawAnalytics, build_analytics
from store.sqlite_store import SQLiteStore

# Conditions on training_progress aliased as p; legacy records only have a current section.
BEGUN = "(p.training_started = 1 OR p.current_section IS NOT NULL)"
STARTED = f"({BEGUN} OR p.completed_at IS NOT NULL)"
UNFINISHED = f"({BEGUN} AND p.completed_at IS NULL)"
STALE = "julianday(p.last_updated) < julianday(:cutoff)"
# The furthest session a partner got to: their current one or the highest they completed.
FURTHEST = (
    "MAX(COALESCE(p.current_section, 0), COALESCE((SELECT MAX(CAST(j.value AS INTEGER))"
    " FROM json_each(p.completed_sections) j), 0))"
)
QUESTION = "who = 'partner' AND intent = 'question'"

Params = Mapping[str, object] | Sequence[object]


def rows(store: SQLiteStore, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    """Run one read query on the store's connection, under its lock."""
    return store._rows(sql, params)


def _counts(store: SQLiteStore, sql: str, params: Params = ()) -> dict[int, int]:
    """{session: count} from a query selecting (s, n)."""
    return {int(r["s"]): int(r["n"]) for r in rows(store, sql, params) if r["s"] is not None}


def _seconds(started: str, completed: str) -> float:
    return (datetime.fromisoformat(completed) - datetime.fromisoformat(started)).total_seconds()


def _progress_numbers(store: SQLiteStore, raw: RawAnalytics, cutoff: str) -> None:
    """Partner totals, completion durations and the per-session funnel from training_progress."""
    totals = rows(
        store,
        f"SELECT COUNT(*) AS partners, SUM({STARTED}) AS enrolled,"
        f" SUM(p.completed_at IS NOT NULL) AS completed, SUM({UNFINISHED}) AS in_training,"
        f" SUM({UNFINISHED} AND {STALE}) AS stalled FROM training_progress p",
        {"cutoff": cutoff},
    )[0]
    raw.partners = totals["partners"]
    raw.enrolled = totals["enrolled"] or 0
    raw.completed = totals["completed"] or 0
    raw.in_training = totals["in_training"] or 0
    raw.stalled = totals["stalled"] or 0
    raw.durations_s = [
        _seconds(r["started_at"], r["completed_at"])
        for r in rows(
            store,
            "SELECT started_at, completed_at FROM training_progress"
            " WHERE completed_at IS NOT NULL AND started_at IS NOT NULL",
        )
    ]
    raw.completed_by = _counts(
        store,
        "SELECT CAST(j.value AS INTEGER) AS s, COUNT(DISTINCT p.phone) AS n"
        " FROM training_progress p, json_each(p.completed_sections) j GROUP BY s",
    )
    by_furthest = f"SELECT {FURTHEST} AS s, COUNT(*) AS n FROM training_progress p WHERE"
    group = f"AND {FURTHEST} > 0 GROUP BY s"
    raw.furthest = _counts(store, f"{by_furthest} {STARTED} {group}")
    raw.stopped_by = _counts(store, f"{by_furthest} {UNFINISHED} {group}")
    stalled = f"{by_furthest} {UNFINISHED} AND {STALE} {group}"
    raw.stalled_by = _counts(store, stalled, {"cutoff": cutoff})


def _chat_numbers(store: SQLiteStore, raw: RawAnalytics, now: datetime, top: int) -> None:
    """Activity, questions and how turns were understood, from chat_history."""
    for days, attr in ((1, "active_24h"), (7, "active_7d")):
        since = (now - timedelta(days=days)).isoformat()
        found = rows(
            store,
            "SELECT COUNT(DISTINCT phone) AS n FROM chat_history"
            " WHERE who = 'partner' AND julianday(time) >= julianday(?)",
            (since,),
        )
        setattr(raw, attr, found[0]["n"])
    raw.questions_by = _counts(
        store,
        f"SELECT session AS s, COUNT(*) AS n FROM chat_history WHERE {QUESTION}"
        " AND session IS NOT NULL GROUP BY session",
    )
    raw.top_questions = [
        QuestionCount(text=r["sample"], count=r["n"])
        for r in rows(
            store,
            "SELECT lower(text) AS k, MIN(text) AS sample, COUNT(*) AS n FROM chat_history"
            f" WHERE {QUESTION} GROUP BY k ORDER BY n DESC, k LIMIT ?",
            (top,),
        )
    ]
    raw.turns_by_source = {
        r["source"]: r["n"]
        for r in rows(
            store,
            "SELECT COALESCE(source, 'unknown') AS source, COUNT(*) AS n FROM chat_history"
            " WHERE who = 'partner' GROUP BY 1",
        )
    }


def sqlite_analytics(store: SQLiteStore, now: datetime, stalled_days: int, top: int) -> Analytics:
    """Every dashboard number for the data in this SQLite store."""
    raw = RawAnalytics()
    _progress_numbers(store, raw, (now - timedelta(days=stalled_days)).isoformat())
    _chat_numbers(store, raw, now, top)
    return build_analytics(raw, store.list_sessions(), stalled_days)
