"""MessagingStore on MongoDB: one inbox document per message holds its reply parts too.

Marking a message processed and enqueuing its reply is then one single-document update,
which MongoDB applies atomically without transactions (no replica set needed).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from store.base import StoreUnavailable
from store.messaging import (
    InboundRecord,
    NewInbound,
    OutboundPart,
    OutboxPart,
    PartStatus,
    as_utc,
)
from store.models import utcnow
from store.mongo_errors import unavailable_on_error

log = logging.getLogger("genie.store")
Doc = dict[str, Any]
_PENDING = PartStatus.PENDING.value
_INDEXES: dict[str, list[list[tuple[str, int]]]] = {
    "inbox": [
        [("phone", ASCENDING), ("processed", ASCENDING), ("seq", ASCENDING)],
        [("processed", ASCENDING), ("phone", ASCENDING)],
        [("phone", ASCENDING), ("outbox_pending", ASCENDING), ("seq", ASCENDING)],
        [("outbox_pending", ASCENDING), ("phone", ASCENDING)],
        [("phone", ASCENDING), ("received_at", ASCENDING)],
        [("parts.sent_sid", ASCENDING)],
    ],
    "status": [[("sent_sid", ASCENDING)]],
}


def _record(doc: Doc) -> InboundRecord:
    fields = {k: v for k, v in doc.items() if k in InboundRecord.model_fields}
    fields |= {"message_sid": doc["_id"], "received_at": as_utc(doc["received_at"])}
    return InboundRecord(**fields)


def _part(doc: Doc, n: int) -> OutboxPart:
    part = doc["parts"][n]
    part = {**part, "next_attempt_at": as_utc(part["next_attempt_at"])}
    return OutboxPart(**part, message_sid=doc["_id"], phone=doc["phone"], seq=doc["seq"])


class MongoMessagingStore:
    """MessagingStore on a pymongo Database (the training store's, so one client serves both)."""

    def __init__(self, db: Database[Any], *, prefix: str = "WA_", owns_client: bool = False):
        self._db = db
        self._inbox = db[f"{prefix}Inbox"]
        self._leases = db[f"{prefix}Leases"]
        self._counters = db[f"{prefix}Counters"]
        self._status = db[f"{prefix}Status"]
        self._owns_client = owns_client
        self._indexes_ready = False
        try:
            self.ensure_indexes()
        except StoreUnavailable:
            # Starting during an outage must not crash; the first recorded message retries.
            log.warning("MongoDB unreachable at start-up; messaging indexes deferred")

    def ensure_indexes(self) -> None:
        """Create the indexes the queries rely on (safe to repeat)."""
        with unavailable_on_error("messaging index creation"):
            for name, collection in (("inbox", self._inbox), ("status", self._status)):
                for keys in _INDEXES[name]:
                    collection.create_index(keys)
        self._indexes_ready = True

    # -- inbox --
    def record_inbound(self, message: NewInbound) -> bool:
        """Store a message once per MessageSid (the _id); False when it was already recorded."""
        if not self._indexes_ready:
            self.ensure_indexes()
        with unavailable_on_error("record_inbound"):
            if self._inbox.find_one({"_id": message.message_sid}, {"_id": 1}):
                return False
            counter = self._counters.find_one_and_update(
                {"_id": message.phone}, {"$inc": {"seq": 1}}, upsert=True,
                return_document=ReturnDocument.AFTER,
            )  # fmt: skip
            doc = message.model_dump(exclude={"message_sid"})
            seq = counter["seq"] if counter else 1  # AFTER with upsert always returns a document
            doc |= {"_id": message.message_sid, "seq": seq, "processed": False}
            try:
                self._inbox.insert_one(doc)
            except DuplicateKeyError:
                return False
        return True

    def _find_one(self, operation: str, query: Doc, sort: str = "seq") -> Doc | None:
        with unavailable_on_error(operation):
            return self._inbox.find_one(query, sort=[(sort, ASCENDING)])

    def next_unprocessed(self, phone: str) -> InboundRecord | None:
        """The phone's oldest unprocessed message, or None."""
        doc = self._find_one("next_unprocessed", {"phone": phone, "processed": False})
        return _record(doc) if doc else None

    def get_inbound(self, message_sid: str) -> InboundRecord | None:
        """One inbox entry by MessageSid."""
        doc = self._find_one("get_inbound", {"_id": message_sid})
        return _record(doc) if doc else None

    def count_recent(self, phone: str, since: datetime, up_to_seq: int) -> int:
        """How many of the phone's messages up to `up_to_seq` arrived after `since`."""
        query = {"phone": phone, "received_at": {"$gt": since}, "seq": {"$lte": up_to_seq}}
        with unavailable_on_error("count_recent"):
            return self._inbox.count_documents(query)

    def complete_inbound(self, message_sid: str, parts: list[OutboundPart]) -> bool:
        """Mark processed and embed the reply parts in one single-document update."""
        now = utcnow()
        stored = [
            {**p.model_dump(), "n": n, "status": _PENDING, "attempts": 0, "next_attempt_at": now}
            for n, p in enumerate(parts)
        ]
        update = {"processed": True, "parts": stored, "part_count": len(stored)}
        update["outbox_pending"] = bool(stored)
        with unavailable_on_error("complete_inbound"):
            result = self._inbox.update_one(
                {"_id": message_sid, "processed": False}, {"$set": update}
            )
        return result.modified_count == 1

    def _phones(self, operation: str, query: Doc, limit: int) -> list[str]:
        with unavailable_on_error(operation):
            return [str(p) for p in self._inbox.distinct("phone", query)][:limit]

    def phones_with_unprocessed(self, limit: int = 1000) -> list[str]:
        """Phones that have unprocessed messages."""
        return self._phones("phones_with_unprocessed", {"processed": False}, limit)

    # -- leases --
    def acquire_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease when free, expired or ours; an upsert racing a live lease hits _id."""
        now = utcnow()
        query = {"_id": key, "$or": [{"expires_at": {"$lte": now}}, {"owner": owner}]}
        lease = {"owner": owner, "expires_at": now + timedelta(seconds=ttl_s)}
        with unavailable_on_error("acquire_lease"):
            try:
                self._leases.update_one(query, {"$set": lease}, upsert=True)
            except DuplicateKeyError:
                return False
        return True

    def renew_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Extend our lease; False when it is no longer ours."""
        expires = utcnow() + timedelta(seconds=ttl_s)
        with unavailable_on_error("renew_lease"):
            result = self._leases.update_one(
                {"_id": key, "owner": owner}, {"$set": {"expires_at": expires}}
            )
        return result.matched_count == 1

    def release_lease(self, key: str, owner: str) -> None:
        """Give up our lease."""
        with unavailable_on_error("release_lease"):
            self._leases.delete_one({"_id": key, "owner": owner})

    # -- outbox --
    def next_part(self, phone: str) -> OutboxPart | None:
        """The phone's first pending part in (arrival, part) order."""
        doc = self._find_one("next_part", {"phone": phone, "outbox_pending": True})
        if doc is None:
            return None
        pending = [p["n"] for p in doc["parts"] if p["status"] == _PENDING]
        return _part(doc, pending[0]) if pending else None

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
        return self._phones("phones_with_pending_parts", {"outbox_pending": True}, limit)

    # -- delivery status callbacks --
    def record_status(self, sent_sid: str, status: str, error_code: str | None) -> bool:
        """Log a status callback and update the part sent with that SID."""
        entry = {"sent_sid": sent_sid, "status": status, "error_code": error_code}
        with unavailable_on_error("record_status"):
            self._status.insert_one({**entry, "received_at": utcnow()})
            result = self._inbox.update_one(
                {"parts.sent_sid": sent_sid}, {"$set": {"parts.$.delivery_status": status}}
            )
        return result.matched_count == 1

    # -- lifecycle --
    def ping(self) -> bool:
        """True when the database answers; never raises."""
        try:
            self._db.command("ping")
        except PyMongoError:
            return False
        return True

    def close(self) -> None:
        """Close the client when this store owns it."""
        if self._owns_client:
            self._db.client.close()
