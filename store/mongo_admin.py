"""AdminStore on the MongoDB database of a MongoStore: versions, partner list, erasure."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from store.admin import erase_variants
from store.admin_models import (
    PHONE_FIELDS,
    Analytics,
    ContentVersion,
    PartnerPage,
    PartnerQuery,
    PartnerSummary,
    partner_status,
)
from store.mongo_analytics import BEGUN, STARTED, mongo_analytics
from store.mongo_docs import Doc, as_utc, progress_from_doc
from store.mongo_errors import unavailable_on_error
from store.mongo_store import MongoStore

UNFINISHED: Doc = {"completedAt": None, **BEGUN}


def _status_filter(query: PartnerQuery) -> Doc:
    """The Training_Progress filter for a status and search."""
    by_status: dict[str, Doc] = {
        "all": {},
        "not_started": {"$nor": [STARTED]},
        "in_training": UNFINISHED,
        "completed": {"completedAt": {"$ne": None}},
        "stalled": {**UNFINISHED, "lastUpdated": {"$lt": query.stalled_before}},
    }
    parts: list[Doc] = [{"phone": {"$exists": True}}, by_status[query.status]]
    if query.search:
        pattern = re.escape(query.search)
        parts.append(
            {
                "$or": [
                    {"phone": {"$regex": pattern}},
                    {"name": {"$regex": pattern, "$options": "i"}},
                ]
            }
        )
    return {"$and": parts}


def _activity_pipeline(phones: list[str]) -> list[Doc]:
    """Last message time, messages and questions per partner, for one page of phones."""
    is_question: Doc = {"$cond": [{"$eq": ["$intent", "question"]}, 1, 0]}
    return [
        {"$match": {"who": "partner", "phone": {"$in": phones}}},
        {"$group": {"_id": "$phone", "last": {"$max": "$time"}, "messages": {"$sum": 1},
                    "questions": {"$sum": is_question}}},
    ]  # fmt: skip


def _version_from_doc(doc: Doc) -> ContentVersion:
    return ContentVersion.model_validate(
        {**doc, "id": str(doc["_id"]), "at": as_utc(doc.get("at")) or doc.get("at")}
    )


class MongoAdmin:
    """Admin queries as aggregation pipelines on the store's own database."""

    def __init__(self, store: MongoStore) -> None:
        self.store = store
        self._db: Any = store.db
        self._kb: Any = store._kb
        self._progress: Any = store._progress
        self._chat: Any = store._chat
        self._versions: Any = self._db[f"{self._kb.name}_versions"]
        with unavailable_on_error("admin index creation"):
            self._versions.create_index([("s_no", ASCENDING), ("at", DESCENDING)])

    # -- content versions --
    def record_version(self, version: ContentVersion) -> ContentVersion:
        """Save one content change and return it with its id."""
        doc = version.model_dump(exclude={"id"})
        with unavailable_on_error("record_version"):
            inserted = self._versions.insert_one(doc)
        return version.model_copy(update={"id": str(inserted.inserted_id)})

    def list_versions(self, s_no: int | None = None, limit: int = 50) -> list[ContentVersion]:
        """The latest changes, newest first; one session's when s_no is given."""
        query = {"s_no": s_no} if s_no is not None else {}
        with unavailable_on_error("list_versions"):
            cursor = self._versions.find(query).sort([("at", DESCENDING), ("_id", DESCENDING)])
            docs = list(cursor.limit(limit))
        return [_version_from_doc(doc) for doc in docs]

    def get_version(self, version_id: str) -> ContentVersion | None:
        """One change by id, or None."""
        if not ObjectId.is_valid(version_id):
            return None
        with unavailable_on_error("get_version"):
            doc = self._versions.find_one({"_id": ObjectId(version_id)})
        return _version_from_doc(doc) if doc else None

    # -- partners --
    def list_partners(self, query: PartnerQuery) -> PartnerPage:
        """Partners matching the query, most recently updated first, with chat activity."""
        found = _status_filter(query)
        with unavailable_on_error("list_partners"):
            total = self._progress.count_documents(found)
            cursor = self._progress.find(found).sort(
                [("lastUpdated", DESCENDING), ("phone", ASCENDING)]
            )
            docs = list(cursor.skip(query.offset).limit(query.limit))
            phones = [doc["phone"] for doc in docs]
            rows = self._chat.aggregate(_activity_pipeline(phones))
            activity = {row["_id"]: row for row in rows}
        items = []
        for doc in docs:
            progress = progress_from_doc(doc)
            seen = activity.get(doc["phone"], {})
            items.append(
                PartnerSummary(
                    **progress.model_dump(),
                    status=partner_status(progress, query.stalled_before),
                    last_message_at=as_utc(seen.get("last")),
                    messages=seen.get("messages", 0),
                    questions=seen.get("questions", 0),
                )
            )
        return PartnerPage(total=total, items=items)

    def renumber_sessions(self, mapping: dict[int, int]) -> None:
        """Move progress and chat lines to new session numbers (not atomic across documents)."""
        moves = {old: new for old, new in mapping.items() if old != new}
        if not moves:
            return
        with unavailable_on_error("renumber_sessions"):
            # Two steps through negative numbers, so 2->3 and 3->4 cannot collide.
            for old, new in moves.items():
                self._chat.update_many({"session": old}, {"$set": {"session": -new}})
            for new in moves.values():
                self._chat.update_many({"session": -new}, {"$set": {"session": new}})
            olds = list(moves)
            touched = {
                "$or": [{"currentSection": {"$in": olds}}, {"completedSections": {"$in": olds}}]
            }
            for doc in list(self._progress.find(touched)):
                done = doc.get("completedSections") or []
                current = doc.get("currentSection")
                # lastUpdated is left alone: renumbering is not the partner's progress.
                self._progress.update_one(
                    {"_id": doc["_id"]},
                    {"$set": {
                        "currentSection": moves.get(current, current),
                        "completedSections": sorted({moves.get(n, n) for n in done}),
                    }},
                )  # fmt: skip

    def erase_partner(self, phone: str) -> dict[str, int]:
        """Delete documents about the phone from every collection with a phone-like field."""
        variants = erase_variants(phone)
        # _id too: some collections key per-phone documents by the phone (e.g. counters).
        query = {"$or": [{f: {"$in": variants}} for f in (*PHONE_FIELDS, "_id")]}
        deleted: dict[str, int] = {}
        with unavailable_on_error("erase_partner"):
            for name in self._db.list_collection_names():
                if name.startswith("system."):
                    continue
                count = self._db[name].delete_many(query).deleted_count
                if count:
                    deleted[name] = count
        return deleted

    # -- analytics --
    def analytics(self, now: datetime, stalled_days: int = 7, top: int = 10) -> Analytics:
        """Enrolment, activity, completion, the per-session funnel and the most asked questions."""
        return mongo_analytics(
            self._progress, self._chat, self.store.list_sessions(), now, stalled_days, top
        )
