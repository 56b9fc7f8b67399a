"""AdminStore on the MongoDB database of a MongoStore: versions, partner list, erasure."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from store.admin import erase_variants, per_phone_key
from store.admin_models import PHONE_FIELDS, Analytics, ContentVersion, fit_progress
from store.models import ChatEntry
from store.mongo_analytics import mongo_analytics
from store.mongo_audit import AUDIT_COLLECTION, MongoAudit
from store.mongo_docs import Doc, as_utc, chat_from_doc, progress_from_doc
from store.mongo_errors import unavailable_on_error
from store.mongo_store import MongoStore
from store.partner_list import (
    ChatActivity,
    PartnerPage,
    PartnerQuery,
    PartnerSummary,
    merge_activity,
    page_partners,
)

# Each partner's messages: first and last time, how many, how many were questions.
ACTIVITY: list[Doc] = [
    {"$match": {"who": "partner"}},
    {"$group": {"_id": "$phone", "first": {"$min": "$time"}, "last": {"$max": "$time"},
                "messages": {"$sum": 1},
                "questions": {"$sum": {"$cond": [{"$eq": ["$intent", "question"]}, 1, 0]}}}},
]  # fmt: skip


def _version_from_doc(doc: Doc) -> ContentVersion:
    return ContentVersion.model_validate(
        {**doc, "id": str(doc["_id"]), "at": as_utc(doc.get("at")) or doc.get("at")}
    )


class MongoAdmin(MongoAudit):
    """Admin queries as aggregation pipelines on the store's own database."""

    def __init__(self, store: MongoStore) -> None:
        self.store = store
        self._db: Any = store.db
        self._kb: Any = store._kb
        self._progress: Any = store._progress
        self._chat: Any = store._chat
        self._versions: Any = self._db[f"{self._kb.name}_versions"]
        super().__init__(self._db[AUDIT_COLLECTION])
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
    def partners(self, now: datetime, paused_days: int = 7) -> list[PartnerSummary]:
        """Everyone with progress or partner messages, with activity and status (unsorted)."""
        with unavailable_on_error("partners"):
            docs = list(self._progress.find({"phone": {"$exists": True}}))
            rows = list(self._chat.aggregate(ACTIVITY))
        chat = {}
        for row in rows:
            first, last = as_utc(row["first"]), as_utc(row["last"])
            if row["_id"] is not None and first and last:
                chat[str(row["_id"])] = ChatActivity(
                    first, last, int(row["messages"]), int(row["questions"])
                )
        progress = [progress_from_doc(doc) for doc in docs]
        return merge_activity(progress, chat, now - timedelta(days=paused_days))

    def list_partners(self, query: PartnerQuery) -> PartnerPage:
        """Partners matching the query, sorted and paged, with chat activity."""
        return page_partners(self.partners(query.now, query.paused_days), query)

    def lead_dates(self) -> dict[str, datetime | None]:
        """Every GMT_Leads phone with its createdAt (or created_at) date when it has one."""
        fields = {"phone": 1, "createdAt": 1, "created_at": 1}
        with unavailable_on_error("lead_dates"):
            docs = list(self.store._leads.find({"phone": {"$exists": True}}, fields))
        return {
            str(d["phone"]): as_utc(d.get("createdAt")) or as_utc(d.get("created_at")) for d in docs
        }

    def question_lines(self, since: datetime | None = None) -> list[ChatEntry]:
        """Chat lines of question turns (partner and Genie), in the order they were stored."""
        query: Doc = {"intent": "question"}
        if since is not None:
            query["time"] = {"$gte": since}
        with unavailable_on_error("question_lines"):
            docs = list(self._chat.find(query).sort("_id", ASCENDING))
        return [chat_from_doc(doc) for doc in docs]

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

    def fit_progress_to_sessions(self, numbers: list[int]) -> int:
        """Fit every partner's progress to the sessions `numbers` (one update per partner
        that changes; each is atomic, the whole is not)."""
        changed = 0
        fields = {"currentSection": 1, "completedSections": 1}
        with unavailable_on_error("fit_progress_to_sessions"):
            for doc in list(self._progress.find({"phone": {"$exists": True}}, fields)):
                done = list(doc.get("completedSections") or [])
                current = doc.get("currentSection")
                kept, moved = fit_progress(done, current, numbers)
                if (kept, moved) == (done, current):
                    continue
                self._progress.update_one(
                    {"_id": doc["_id"]},
                    {"$set": {"currentSection": moved, "completedSections": kept}},
                )
                changed += 1
        return changed

    def erase_partner(self, phone: str) -> dict[str, int]:
        """Delete documents about the phone from every collection with a phone-like field."""
        variants = erase_variants(phone)
        # _id too: some collections key per-phone documents by the phone (e.g. counters).
        by_field: list[Doc] = [{f: {"$in": variants}} for f in (*PHONE_FIELDS, "_id")]
        # Per-phone keys such as the WhatsApp leases' "inbox:+9198...".
        query = {"$or": [*by_field, {"_id": {"$regex": per_phone_key(variants).pattern}}]}
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
