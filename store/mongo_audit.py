"""The admin activity log in a MongoDB collection (Admin_Audit by default)."""

from __future__ import annotations

import re
from typing import Any

from pymongo import DESCENDING

from store.audit import AuditEntry
from store.mongo_docs import Doc, as_utc
from store.mongo_errors import unavailable_on_error

AUDIT_COLLECTION = "Admin_Audit"


def _entry(doc: Doc) -> AuditEntry:
    return AuditEntry.model_validate(
        {**doc, "id": str(doc["_id"]), "at": as_utc(doc.get("at")) or doc.get("at")}
    )


class MongoAudit:
    """record_audit / list_audit on one collection."""

    def __init__(self, collection: Any) -> None:
        self._audit = collection
        with unavailable_on_error("audit index creation"):
            self._audit.create_index([("at", DESCENDING)])

    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Save one entry and return it with its id."""
        doc = entry.model_dump(exclude={"id"})
        with unavailable_on_error("record_audit"):
            inserted = self._audit.insert_one(doc)
        return entry.model_copy(update={"id": str(inserted.inserted_id)})

    def list_audit(
        self, limit: int = 100, offset: int = 0, area: str | None = None
    ) -> list[AuditEntry]:
        """Entries newest first; only one area's ("content", "partner") when given."""
        query: Doc = {"action": {"$regex": f"^{re.escape(area)}\\."}} if area else {}
        with unavailable_on_error("list_audit"):
            cursor = self._audit.find(query).sort([("at", DESCENDING), ("_id", DESCENDING)])
            docs = list(cursor.skip(offset).limit(limit))
        return [_entry(doc) for doc in docs]
