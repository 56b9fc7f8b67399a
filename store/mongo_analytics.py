"""The dashboard's analytics as aggregation pipelines over Training_Progress and GMT_CH."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from store.admin_models import (
    Analytics,
    QuestionCount,
    RawAnalytics,
    build_analytics,
    session_number,
)
from store.models import TrainingSession
from store.mongo_docs import Doc, as_utc
from store.mongo_errors import unavailable_on_error

# Legacy records only have a current section (no trainingStarted flag).
BEGUN: Doc = {"$or": [{"trainingStarted": True}, {"currentSection": {"$ne": None}}]}
STARTED: Doc = {
    "$or": [
        {"trainingStarted": True},
        {"currentSection": {"$ne": None}},
        {"completedAt": {"$ne": None}},
    ]
}
QUESTION: Doc = {"who": "partner", "intent": "question"}
COUNT: list[Doc] = [{"$count": "n"}]


def _unfinished(*more: Doc) -> Doc:
    return {"$and": [BEGUN, {"completedAt": None}, *more]}


def _by_session(rows: list[Doc], key: str = "n") -> dict[int, int]:
    """{session: count} from $group rows keyed by session number."""
    counts: dict[int, int] = {}
    for row in rows:
        s_no = session_number(row["_id"])
        if s_no is not None:
            counts[s_no] = counts.get(s_no, 0) + int(row[key])
    return counts


def _count(rows: list[Doc]) -> int:
    return int(rows[0]["n"]) if rows else 0  # $count yields nothing for zero


def _by_furthest(match: Doc) -> list[Doc]:
    """Partners matching `match` counted by the furthest session they got to.

    Furthest = max of the current and the completed sections, taken after an $unwind:
    mongomock gets $max over an array expression wrong and lacks $reduce.
    """
    current: Doc = {"$ifNull": ["$currentSection", None]}
    as_list: Doc = {"$map": {"input": [0], "in": "$currentSection"}}  # [current]
    sections: Doc = {"$setUnion": [
        {"$ifNull": ["$completedSections", []]},
        {"$cond": [{"$eq": [current, None]}, [], as_list]},
    ]}  # fmt: skip
    return [
        {"$match": match},
        {"$project": {"s": sections}},
        {"$unwind": "$s"},
        {"$group": {"_id": "$_id", "f": {"$max": "$s"}}},
        {"$group": {"_id": "$f", "n": {"$sum": 1}}},
    ]


def _progress_pipeline(stale: Doc) -> list[Doc]:
    return [
        {"$match": {"phone": {"$exists": True}}},
        {"$facet": {
            "partners": COUNT,
            "enrolled": [{"$match": STARTED}, *COUNT],
            "completed": [{"$match": {"completedAt": {"$ne": None}}}, *COUNT],
            "in_training": [{"$match": _unfinished()}, *COUNT],
            "stalled": [{"$match": _unfinished(stale)}, *COUNT],
            # $median is missing from mongomock: the median is taken in Python from this list.
            "durations": [
                {"$match": {"completedAt": {"$ne": None}, "startedAt": {"$ne": None}}},
                {"$project": {"_id": 0, "startedAt": 1, "completedAt": 1}},
            ],
            "completed_by": [
                {"$unwind": "$completedSections"},
                {"$group": {"_id": {"p": "$phone", "s": "$completedSections"}}},
                {"$group": {"_id": "$_id.s", "n": {"$sum": 1}}},
            ],
            "furthest": _by_furthest(STARTED),
            "stopped_by": _by_furthest(_unfinished()),
            "stalled_by": _by_furthest(_unfinished(stale)),
        }},
    ]  # fmt: skip


def _chat_pipeline(now: datetime, top: int) -> list[Doc]:
    def active(days: int) -> list[Doc]:
        since = now - timedelta(days=days)
        return [{"$match": {"time": {"$gte": since}}}, {"$group": {"_id": "$phone"}}, *COUNT]

    return [
        {"$match": {"who": "partner"}},
        {"$facet": {
            "active_24h": active(1),
            "active_7d": active(7),
            "sources": [{"$group": {"_id": "$source", "n": {"$sum": 1}}}],
            "questions_by": [
                {"$match": {**QUESTION, "session": {"$ne": None}}},
                {"$group": {"_id": "$session", "n": {"$sum": 1}}},
            ],
            "top": [
                {"$match": QUESTION},
                {"$group": {"_id": {"$toLower": "$text"}, "sample": {"$min": "$text"},
                            "n": {"$sum": 1}}},
                {"$sort": {"n": -1, "_id": 1}},
                {"$limit": top},
            ],
        }},
    ]  # fmt: skip


def _seconds(doc: Doc) -> float | None:
    started, completed = as_utc(doc.get("startedAt")), as_utc(doc.get("completedAt"))
    return (completed - started).total_seconds() if started and completed else None


def mongo_analytics(
    progress: Any,
    chat: Any,
    kb: list[TrainingSession],
    now: datetime,
    stalled_days: int,
    top: int,
) -> Analytics:
    """Every dashboard number, from one pipeline per collection."""
    stale: Doc = {"lastUpdated": {"$lt": now - timedelta(days=stalled_days)}}
    with unavailable_on_error("analytics"):
        p = next(iter(progress.aggregate(_progress_pipeline(stale))))
        c = next(iter(chat.aggregate(_chat_pipeline(now, top))))
    durations = [s for s in map(_seconds, p["durations"]) if s is not None]
    raw = RawAnalytics(
        partners=_count(p["partners"]),
        enrolled=_count(p["enrolled"]),
        in_training=_count(p["in_training"]),
        completed=_count(p["completed"]),
        stalled=_count(p["stalled"]),
        active_24h=_count(c["active_24h"]),
        active_7d=_count(c["active_7d"]),
        durations_s=durations,
        furthest=_by_session(p["furthest"]),
        completed_by=_by_session(p["completed_by"]),
        stopped_by=_by_session(p["stopped_by"]),
        stalled_by=_by_session(p["stalled_by"]),
        questions_by=_by_session(c["questions_by"]),
        top_questions=[QuestionCount(text=r["sample"], count=r["n"]) for r in c["top"]],
    )
    for row in c["sources"]:
        source = str(row["_id"] or "unknown")
        raw.turns_by_source[source] = raw.turns_by_source.get(source, 0) + int(row["n"])
    return build_analytics(raw, kb, stalled_days)
