"""The outbox half of the MongoDB MessagingStore: parts embedded in their inbox document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database

from store.messaging import (
    STATUS_RANK,
    OutboxPart,
    PartStatus,
    StatusUpdate,
    as_utc,
    status_rank,
)
from store.models import utcnow
from store.mongo_errors import unavailable_on_error

Doc = dict[str, Any]
PENDING = PartStatus.PENDING.value


def _part(doc: Doc, n: int) -> OutboxPart:
    part = doc["parts"][n]
    part = {**part, "next_attempt_at": as_utc(part["next_attempt_at"])}
    return OutboxPart(**part, message_sid=doc["_id"], phone=doc["phone"], seq=doc["seq"])


class MongoOutbox:
    """Outbox operations on `<prefix>Inbox` (parts) and `<prefix>Status` (status callbacks)."""

    def __init__(self, db: Database[Any], prefix: str = "WA_") -> None:
        self._db = db
        self._inbox = db[f"{prefix}Inbox"]
        self._status = db[f"{prefix}Status"]

    def _find_one(self, operation: str, query: Doc) -> Doc | None:
        """The matching inbox document with the lowest seq."""
        with unavailable_on_error(operation):
            return self._inbox.find_one(query, sort=[("seq", ASCENDING)])

    def next_part(self, phone: str) -> OutboxPart | None:
        """The phone's first pending part in (arrival, part) order."""
        parts = self.pending_parts(phone, 1)
        return parts[0] if parts else None

    def pending_parts(self, phone: str, limit: int = 20) -> list[OutboxPart]:
        """The phone's first `limit` pending parts in (arrival, part) order."""
        query = {"phone": phone, "outbox_pending": True}
        for _ in range(10):  # bounded: each pass clears the inconsistent documents it met
            with unavailable_on_error("pending_parts"):
                docs = list(self._inbox.find(query, sort=[("seq", ASCENDING)], limit=limit))
            parts: list[OutboxPart] = []
            stale = []
            for doc in docs:
                pending = [p["n"] for p in doc.get("parts", []) if p["status"] == PENDING]
                parts += [_part(doc, n) for n in pending]
                if not pending:
                    stale.append(doc["_id"])
            if stale:
                # Flagged but settled (e.g. edited by hand): unflag them so they cannot block.
                with unavailable_on_error("pending_parts"):
                    self._inbox.update_many(
                        {"_id": {"$in": stale}}, {"$set": {"outbox_pending": False}}
                    )
            if parts or not stale:
                return parts[:limit]
        return []

    def parts_for(self, message_sid: str) -> list[OutboxPart]:
        """The reply parts of one inbound message, in order."""
        doc = self._find_one("parts_for", {"_id": message_sid})
        return [_part(doc, n) for n in range(len(doc.get("parts", [])))] if doc else []

    def _set_part(self, message_sid: str, n: int, fields: Doc, final: bool = False) -> None:
        update = {f"parts.{n}.{k}": v for k, v in fields.items()}
        with unavailable_on_error("outbox update"):
            # The parts go out in order, so the last one settling empties this reply's queue.
            if (
                final
                and self._inbox.update_one(
                    {"_id": message_sid, "part_count": n + 1},
                    {"$set": {**update, "outbox_pending": False}},
                ).matched_count
            ):
                return
            self._inbox.update_one({"_id": message_sid}, {"$set": update})

    def record_attempt(self, message_sid: str, n: int) -> int:
        """Count one more send attempt; the new count."""
        with unavailable_on_error("record_attempt"):
            doc = self._inbox.find_one_and_update(
                {"_id": message_sid}, {"$inc": {f"parts.{n}.attempts": 1}},
                return_document=ReturnDocument.AFTER,
            )  # fmt: skip
        return int(doc["parts"][n]["attempts"]) if doc else 0

    def mark_sent(self, message_sid: str, n: int, sent_sid: str) -> None:
        """Twilio accepted the part."""
        fields = {"status": PartStatus.SENT.value, "sent_sid": sent_sid, "error": None}
        self._set_part(message_sid, n, fields, final=True)

    def mark_failed(self, message_sid: str, n: int, error: str) -> None:
        """Give up on the part for good."""
        fields = {"status": PartStatus.FAILED.value, "error": error}
        self._set_part(message_sid, n, fields, final=True)

    def reschedule(self, message_sid: str, n: int, next_attempt_at: datetime, error: str) -> None:
        """Try the part again at `next_attempt_at`."""
        self._set_part(message_sid, n, {"next_attempt_at": next_attempt_at, "error": error})

    def phones_with_pending_parts(self, limit: int = 1000) -> list[str]:
        """Phones that have pending outbox parts."""
        with unavailable_on_error("phones_with_pending_parts"):
            phones = self._inbox.distinct("phone", {"outbox_pending": True})
        return [str(p) for p in phones][:limit]

    def part_by_sent_sid(self, sent_sid: str) -> OutboxPart | None:
        """The part Twilio accepted under `sent_sid`, or None."""
        doc = self._find_one("part_by_sent_sid", {"parts.sent_sid": sent_sid})
        if doc is None:
            return None
        found = [n for n, p in enumerate(doc["parts"]) if p.get("sent_sid") == sent_sid]
        return _part(doc, found[0]) if found else None

    def record_status(self, sent_sid: str, status: str, error_code: str | None) -> bool:
        """Log a status callback and update the part sent with that SID."""
        return self.record_statuses([StatusUpdate(sent_sid, status, error_code)])[0]

    def record_statuses(self, updates: list[StatusUpdate]) -> list[bool]:
        """Log the callbacks in one insert, then update their parts in order (a late callback,
        whose part has a later status in Twilio's order, leaves the part as it is)."""
        if not updates:
            return []  # insert_many refuses an empty list
        now = utcnow()
        entries = [{**u._asdict(), "received_at": now} for u in updates]
        with unavailable_on_error("record_status"):
            self._status.insert_many(entries, ordered=True)
            changed = [self._set_status(u) for u in updates]
            unchanged = {u.sent_sid for u, done in zip(updates, changed, strict=True) if not done}
            known = self._sent_sids(unchanged) if unchanged else set()
        return [done or u.sent_sid in known for u, done in zip(updates, changed, strict=True)]

    def _set_status(self, update: StatusUpdate) -> bool:
        """Give the part its new status unless it has a later one; whether it changed."""
        later = [s for s in STATUS_RANK if status_rank(s) > status_rank(update.status)]
        part = {"sent_sid": update.sent_sid, "delivery_status": {"$nin": later}}
        result = self._inbox.update_one(
            {"parts": {"$elemMatch": part}}, {"$set": {"parts.$.delivery_status": update.status}}
        )
        return result.matched_count == 1

    def _sent_sids(self, sids: set[str]) -> set[str]:
        """Which of `sids` a part was sent under."""
        docs = self._inbox.find({"parts.sent_sid": {"$in": list(sids)}}, {"parts.sent_sid": 1})
        return {p.get("sent_sid") for doc in docs for p in doc.get("parts", [])} & sids
