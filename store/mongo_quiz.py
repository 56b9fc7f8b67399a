"""QuizStore on MongoDB: Quiz_Answers, Partner_Feedback and Certificates collections.

| collection       | index                 | used by                                 |
|------------------|-----------------------|-----------------------------------------|
| Quiz_Answers     | phone, time           | answers(phone), erase                   |
| Quiz_Answers     | s_no, q_no            | answers(s_no), per-question analytics   |
| Partner_Feedback | phone, time           | feedback(phone), erase                  |
| Certificates     | code (unique)         | get_certificate, the verify page        |
| Certificates     | phone, issued_at      | certificates(phone), erase              |
| Certificates     | publish_due           | due_certificates (background publishing)|
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from store.base import StoreUnavailable
from store.messaging import as_utc
from store.mongo_errors import unavailable_on_error
from store.mongo_indexes import _create
from store.quiz_store import Certificate, Feedback, QuizAnswer

log = logging.getLogger("genie.store")
_TIMES = ("time", "completed_on", "issued_at", "revoked_at", "publish_due")


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without _id, its BSON datetimes made aware (UTC)."""
    data = {k: v for k, v in doc.items() if k != "_id"}
    for key in _TIMES:
        if isinstance(data.get(key), datetime):
            data[key] = as_utc(data[key])
    return data


ANSWERS, FEEDBACK = "Quiz_Answers", "Partner_Feedback"  # also written by a turn


class MongoQuizStore:
    """QuizStore on a pymongo Database (the training store's, so one client serves both)."""

    def __init__(self, db: Database[Any], *, prefix: str = "") -> None:
        self._answers = db[f"{prefix}{ANSWERS}"]
        self._feedback = db[f"{prefix}{FEEDBACK}"]
        self._certificates = db[f"{prefix}Certificates"]
        try:
            self.ensure_indexes()
        except StoreUnavailable:
            log.warning("MongoDB unreachable at start-up; quiz indexes deferred")

    def ensure_indexes(self) -> None:
        """Create the indexes the queries rely on (safe to repeat)."""
        with unavailable_on_error("quiz index creation"):
            _create(self._answers, [("phone", ASCENDING), ("time", ASCENDING)], unique=False)
            _create(self._answers, [("s_no", ASCENDING), ("q_no", ASCENDING)], unique=False)
            _create(self._feedback, [("phone", ASCENDING), ("time", ASCENDING)], unique=False)
            _create(self._certificates, [("code", ASCENDING)], unique=True)
            pair = [("phone", ASCENDING), ("issued_at", DESCENDING)]
            _create(self._certificates, pair, unique=False)
            _create(self._certificates, [("publish_due", ASCENDING)], unique=False)

    def record_answer(self, answer: QuizAnswer) -> None:
        """Append one quiz answer."""
        with unavailable_on_error("record_answer"):
            self._answers.insert_one(answer.model_dump())

    def answers(
        self, phone: str | None = None, s_no: int | None = None, since: datetime | None = None
    ) -> list[QuizAnswer]:
        """Answers, oldest first; one partner's, one session's, or those from `since` on."""
        query: dict[str, Any] = {}
        if phone is not None:
            query["phone"] = phone
        if s_no is not None:
            query["s_no"] = s_no
        if since is not None:
            query["time"] = {"$gte": since}
        with unavailable_on_error("answers"):
            docs = list(self._answers.find(query).sort([("time", 1), ("_id", 1)]))
        return [QuizAnswer(**_clean(d)) for d in docs]

    def record_feedback(self, feedback: Feedback) -> None:
        """Append one feedback record (a rating or a comment)."""
        with unavailable_on_error("record_feedback"):
            self._feedback.insert_one(feedback.model_dump())

    def feedback(self, phone: str | None = None) -> list[Feedback]:
        """Feedback records, oldest first; one partner's when given."""
        query = {"phone": phone} if phone is not None else {}
        with unavailable_on_error("feedback"):
            docs = list(self._feedback.find(query).sort([("time", 1), ("_id", 1)]))
        return [Feedback(**_clean(d)) for d in docs]

    def save_certificate(self, certificate: Certificate) -> None:
        """Create or replace the certificate with this code."""
        doc = certificate.model_dump()
        with unavailable_on_error("save_certificate"):
            self._certificates.replace_one({"code": certificate.code}, doc, upsert=True)

    def get_certificate(self, code: str) -> Certificate | None:
        """One certificate by code, or None."""
        with unavailable_on_error("get_certificate"):
            doc = self._certificates.find_one({"code": code})
        return Certificate(**_clean(doc)) if doc else None

    def certificates(self, phone: str | None = None) -> list[Certificate]:
        """Certificates, newest first; one partner's when given."""
        query = {"phone": phone} if phone is not None else {}
        with unavailable_on_error("certificates"):
            docs = list(self._certificates.find(query).sort([("issued_at", -1), ("_id", -1)]))
        return [Certificate(**_clean(d)) for d in docs]

    def due_certificates(self, limit: int = 50) -> list[Certificate]:
        """Certificates whose background publishing is still to do, soonest due first."""
        with unavailable_on_error("due_certificates"):
            found = self._certificates.find({"publish_due": {"$ne": None}})
            docs = list(found.sort([("publish_due", 1)]).limit(limit))
        return [Certificate(**_clean(d)) for d in docs]

    def claim_certificate(self, code: str, now: datetime, until: datetime) -> bool:
        """Take the publishing of a due certificate until `until`; False when it is not due
        (done, or another worker holds it)."""
        with unavailable_on_error("claim_certificate"):
            result = self._certificates.update_one(
                {"code": code, "publish_due": {"$lte": now}}, {"$set": {"publish_due": until}}
            )
        return result.modified_count == 1

    def certificate_published(self, code: str) -> None:
        """Mark the certificate's background publishing done."""
        with unavailable_on_error("certificate_published"):
            self._certificates.update_one({"code": code}, {"$set": {"publish_due": None}})
