"""MessagingStore on MongoDB: one inbox document per message holds its reply parts too.

Marking a message processed and enqueuing its reply is then one single-document update,
which MongoDB applies atomically without transactions (no replica set needed). Leases are
documents keyed by name (store/mongo_leases.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from store.base import StoreUnavailable
from store.messaging import (
    IdleRelease,
    InboundRecord,
    NewInbound,
    OutboundPart,
    PartsClaim,
    SentThen,
    as_utc,
    sendable,
)
from store.models import utcnow
from store.mongo_errors import unavailable_on_error
from store.mongo_leases import MongoLeases
from store.mongo_outbox import PENDING, Doc, MongoOutbox
from store.mongo_turns import MongoTurns
from store.turns import TurnWrite

log = logging.getLogger("genie.store")
_A = ASCENDING
INBOX_INDEXES = [
    [("phone", _A), ("processed", _A), ("seq", _A)],  # next_unprocessed
    [("processed", _A), ("phone", _A)],  # phones_with_unprocessed
    [("phone", _A), ("outbox_pending", _A), ("seq", _A)],  # next_part
    [("outbox_pending", _A), ("phone", _A)],  # phones_with_pending_parts
    [("phone", _A), ("received_at", _A)],  # count_recent
    [("parts.sent_sid", _A)],  # record_status
]


def _record(doc: Doc) -> InboundRecord:
    fields = {k: v for k, v in doc.items() if k in InboundRecord.model_fields}
    fields |= {"message_sid": doc["_id"], "received_at": as_utc(doc["received_at"])}
    return InboundRecord(**fields)


class MongoMessagingStore(MongoOutbox):
    """MessagingStore on a pymongo Database (the training store's, so one client serves both)."""

    def __init__(
        self,
        db: Database[Any],
        *,
        prefix: str = "WA_",
        owns_client: bool = False,
        turns: MongoTurns | None = None,
    ):
        super().__init__(db, prefix)
        # The training store's turn writer (its collection names); default names otherwise.
        self.turns = turns or MongoTurns(db, db["Training_Progress"], db["GMT_CH"])
        self._leases = MongoLeases(db[f"{prefix}Leases"])
        self._counters = db[f"{prefix}Counters"]
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
            for keys in INBOX_INDEXES:
                self._inbox.create_index(keys)
            self._status.create_index([("sent_sid", _A)])
        self._indexes_ready = True

    # -- inbox --
    def record_inbound(self, message: NewInbound) -> bool:
        """Store a message once per MessageSid (the _id); False when it was already recorded."""
        if not self._indexes_ready:
            self.ensure_indexes()
        with unavailable_on_error("record_inbound"):
            if self._inbox.find_one({"_id": message.message_sid}, {"_id": 1}):
                return False
            # A per-phone counter orders arrivals across processes (clocks may differ).
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

    def next_unprocessed(self, phone: str) -> InboundRecord | None:
        """The phone's oldest unprocessed message, or None; first finishes any turn of the
        phone a crash interrupted (store/mongo_turns.py), so it is never handled twice."""
        self.turns.recover(phone, self._inbox)
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
            {**p.model_dump(), "n": n, "status": PENDING, "attempts": 0, "next_attempt_at": now}
            for n, p in enumerate(parts)
        ]
        update = {"processed": True, "parts": stored, "part_count": len(stored)}
        update["outbox_pending"] = bool(stored)
        with unavailable_on_error("complete_inbound"):
            result = self._inbox.update_one(
                {"_id": message_sid, "processed": False}, {"$set": update}
            )
        return result.modified_count == 1

    def enqueue_proactive(self, key: str, phone: str, part: OutboundPart) -> bool:
        """Queue a message Genie starts as an already-processed inbox document with one part."""
        stored = {**part.model_dump(), "n": 0, "status": PENDING, "attempts": 0}
        stored["next_attempt_at"] = utcnow()
        with unavailable_on_error("enqueue_proactive"):
            if self._inbox.find_one({"_id": key}, {"_id": 1}):
                return False
            counter = self._counters.find_one_and_update(
                {"_id": phone}, {"$inc": {"seq": 1}}, upsert=True,
                return_document=ReturnDocument.AFTER,
            )  # fmt: skip
            # No received_at: a proactive message never counts toward the partner's rate limit.
            doc = {"_id": key, "phone": phone, "seq": counter["seq"] if counter else 1}
            doc |= {"text": "", "processed": True, "proactive": True, "parts": [stored]}
            doc |= {"part_count": 1, "outbox_pending": True}
            try:
                self._inbox.insert_one(doc)
            except DuplicateKeyError:
                return False
        return True

    def count_unprocessed_after(self, phone: str, seq: int) -> int:
        """How many of the phone's unprocessed messages arrived after `seq`."""
        query = {"phone": phone, "processed": False, "seq": {"$gt": seq}}
        with unavailable_on_error("count_unprocessed_after"):
            return self._inbox.count_documents(query)

    def commit_turn(self, turn: TurnWrite) -> bool:
        """Commit a turn and its inbox entry as one turn document rolled forward."""
        return self.turns.commit(turn, self._inbox)

    def phones_with_unprocessed(self, limit: int = 1000) -> list[str]:
        """Phones that have unprocessed messages."""
        with unavailable_on_error("phones_with_unprocessed"):
            phones = self._inbox.distinct("phone", {"processed": False})
        return [str(p) for p in phones][:limit]

    # -- leases --
    def acquire_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease when free, expired or ours."""
        return self._leases.acquire(key, owner, ttl_s)

    def renew_lease(self, key: str, owner: str, ttl_s: float) -> bool:
        """Extend our lease; False when it is no longer ours."""
        return self._leases.renew(key, owner, ttl_s)

    def release_lease(self, key: str, owner: str) -> None:
        """Give up our lease."""
        self._leases.release(key, owner)

    def commit_turn_releasing(self, turn: TurnWrite, lease: IdleRelease) -> tuple[bool, bool]:
        """commit_turn, then give up `lease` when the phone has no unprocessed message left."""
        if not self.commit_turn(turn):
            return False, False
        unprocessed = {"phone": turn.phone, "processed": False}
        return True, self._leases.release_if_idle(lease, lambda: self._exists(unprocessed))

    def claim_parts(
        self, phone: str, lease: IdleRelease, limit: int, max_attempts: int
    ) -> PartsClaim | None:
        """acquire_lease, then read the phone's pending parts and count an attempt on the
        first if it is sendable; None when another owner holds the lease."""
        if not self._leases.acquire(lease.key, lease.owner, lease.ttl_s):
            return None
        parts = self.pending_parts(phone, limit)
        if not parts or not sendable(parts[0], utcnow(), max_attempts):
            return PartsClaim(parts, 0)
        return PartsClaim(parts, self.record_attempt(parts[0].message_sid, parts[0].n))

    def mark_sent_then(
        self, message_sid: str, n: int, sent_sid: str, phone: str,
        next_part: tuple[str, int] | None, lease: IdleRelease,
    ) -> SentThen:  # fmt: skip
        """mark_sent, then count an attempt on `next_part`, or without one give up `lease`
        when the phone has no pending part left (each step on its own: no transactions)."""
        self.mark_sent(message_sid, n, sent_sid)
        if next_part is not None:
            return SentThen(self.record_attempt(*next_part), released=False)
        pending = {"phone": phone, "outbox_pending": True}
        return SentThen(0, self._leases.release_if_idle(lease, lambda: self._exists(pending)))

    def _exists(self, query: dict[str, Any]) -> bool:
        with unavailable_on_error("inbox lookup"):
            return self._inbox.find_one(query, {"_id": 1}) is not None

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
