"""ReminderStore on MongoDB: one document per partner and step, keyed so it is written once."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from store.base import StoreUnavailable
from store.messaging import as_utc
from store.mongo_errors import unavailable_on_error
from store.reminders import Reminder, ReminderStatus

log = logging.getLogger("genie.store")
Doc = dict[str, Any]


def _doc(reminder: Reminder) -> Doc:
    # A readable _id makes "one per phone and step" a unique key with no extra index.
    return {"_id": f"{reminder.phone}|{reminder.step}", **reminder.model_dump()}


def _reminder(doc: Doc) -> Reminder:
    fields = {k: v for k, v in doc.items() if k in Reminder.model_fields}
    for name in ("due_at", "sent_at"):
        fields[name] = as_utc(fields[name])
    return Reminder.model_validate(fields)


class MongoReminders:
    """Reminders in their own collection; the chat queries read the store's GMT_CH."""

    def __init__(self, db: Any, chat: Any, collection: str = "Genie_Reminders") -> None:
        self._reminders = db[collection]
        self._chat = chat
        try:
            with unavailable_on_error("reminder index creation"):
                self._reminders.create_index([("status", ASCENDING), ("sent_at", ASCENDING)])
                self._reminders.create_index([("phone", ASCENDING), ("sent_at", ASCENDING)])
                self._chat.create_index(
                    [("who", ASCENDING), ("phone", ASCENDING), ("time", DESCENDING)]
                )
        except StoreUnavailable:  # starting during an outage must not crash; indexes wait
            log.warning("MongoDB unreachable: reminder indexes not created yet")

    def record_reminder(self, reminder: Reminder) -> bool:
        """Write a new reminder; False when the phone has one for that step."""
        with unavailable_on_error("record_reminder"):
            try:
                self._reminders.insert_one(_doc(reminder))
            except DuplicateKeyError:
                return False
        return True

    def save_reminder(self, reminder: Reminder) -> None:
        """Overwrite the phone's reminder for that step."""
        doc = _doc(reminder)
        with unavailable_on_error("save_reminder"):
            self._reminders.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    def get_reminder(self, phone: str, step: str) -> Reminder | None:
        """One reminder, or None."""
        with unavailable_on_error("get_reminder"):
            doc = self._reminders.find_one({"_id": f"{phone}|{step}"})
        return _reminder(doc) if doc else None

    def _find(self, query: Doc) -> list[Reminder]:
        order = [("sent_at", ASCENDING), ("phone", ASCENDING), ("step", ASCENDING)]
        with unavailable_on_error("list_reminders"):
            return [_reminder(d) for d in self._reminders.find(query, sort=order)]

    def reminders_for(self, phone: str) -> list[Reminder]:
        """A partner's reminders, oldest first."""
        return self._find({"phone": phone})

    def list_reminders(
        self, status: ReminderStatus | None = None, since: datetime | None = None
    ) -> list[Reminder]:
        """Every reminder (one status, or sent at or after `since`), oldest first."""
        query: Doc = {}
        if status:
            query["status"] = status
        if since:
            query["sent_at"] = {"$gte": since}
        return self._find(query)

    def last_partner_messages(self) -> dict[str, datetime]:
        """The time of each partner's latest message, by phone."""
        pipeline = [
            {"$match": {"who": "partner"}},
            {"$group": {"_id": "$phone", "last": {"$max": "$time"}}},
        ]
        with unavailable_on_error("last_partner_messages"):
            rows = list(self._chat.aggregate(pipeline))
        return {str(r["_id"]): as_utc(r["last"]) for r in rows if r.get("last")}

    def first_partner_message_after(self, phone: str, after: datetime) -> datetime | None:
        """When the partner first wrote after `after`, or None."""
        query = {"who": "partner", "phone": phone, "time": {"$gt": after}}
        with unavailable_on_error("first_partner_message_after"):
            doc = self._chat.find_one(query, sort=[("time", ASCENDING)])
        return as_utc(doc["time"]) if doc else None
