"""MongoDB store (production): the TrainingStore over the existing production collections.

Document shapes live in store/mongo_docs.py, indexes (and which query uses which) in
store/mongo_indexes.py, outage handling in store/mongo_errors.py; docs/mongodb.md has it all.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pymongo import ASCENDING, DESCENDING, MongoClient, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from store.base import StoreUnavailable
from store.models import ChatEntry, Progress, ProgressUpdate, TrainingSession, utcnow
from store.mongo_docs import (
    Doc,
    chat_from_doc,
    chat_to_doc,
    lead_name_from_docs,
    lead_query,
    progress_from_doc,
    progress_update_ops,
    session_from_doc,
    session_to_doc,
)
from store.mongo_errors import unavailable_on_error
from store.mongo_indexes import create_indexes
from store.mongo_turns import MongoTurns
from store.turns import TurnWrite

if TYPE_CHECKING:
    from agent.settings import Settings

log = logging.getLogger("genie.store")

LEAD_SCAN_LIMIT = 10  # a phone matching more leads than this is a data problem anyway


class MongoStore:
    """TrainingStore on MongoDB; every failure to reach the server raises StoreUnavailable."""

    def __init__(
        self,
        db: Database[Any],
        *,
        kb: str = "Training_KB",
        progress: str = "Training_Progress",
        chat: str = "GMT_CH",
        leads: str = "GMT_Leads",
        owns_client: bool = False,
    ) -> None:
        self._db = db
        self._kb = db[kb]
        self._progress = db[progress]
        self._chat = db[chat]
        self._leads = db[leads]
        self.turns = MongoTurns(db, self._progress, self._chat)
        self._owns_client = owns_client
        self._indexes_ready = False
        try:
            self.ensure_indexes()
        except StoreUnavailable:
            # Starting while the database is down must not crash the service: the
            # indexes are created by the first operation that reaches the server.
            log.warning("MongoDB unreachable at start-up; index creation deferred")

    @classmethod
    def from_settings(cls, settings: Settings) -> MongoStore:
        """A store owning a new client, with timeouts well under Twilio's 15 s webhook limit."""
        if not settings.mongodb_uri:
            raise ValueError("MONGODB_URI is not set")
        timeout_ms = settings.mongo_timeout_ms
        client: MongoClient[Doc] = MongoClient(
            settings.mongodb_uri,
            serverSelectionTimeoutMS=timeout_ms,
            timeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            retryWrites=True,
            w="majority",
            appname="genie",
        )
        return cls(
            client[settings.mongodb_db],
            kb=settings.kb_collection,
            progress=settings.progress_collection,
            chat=settings.chat_collection,
            leads=settings.leads_collection,
            owns_client=True,
        )

    def ensure_indexes(self, operation: str = "index creation") -> None:
        """Create the indexes the queries rely on (idempotent); `operation` names failures."""
        with unavailable_on_error(operation):
            create_indexes(self._kb, self._progress, self._chat)
            self.turns.ensure_indexes()
        self._indexes_ready = True

    def _ready(self, operation: str) -> None:
        """Finish index creation deferred by an outage at start-up, before `operation`."""
        if not self._indexes_ready:
            self.ensure_indexes(operation)

    # -- training content (Training_KB) --
    def list_sessions(self) -> list[TrainingSession]:
        """All training sessions ordered by s_no; malformed documents are logged and skipped."""
        self._ready("list_sessions")
        with unavailable_on_error("list_sessions"):
            docs = list(self._kb.find({}, {"_id": 0}).sort("s_no", 1))
        sessions = []
        for doc in docs:
            try:
                sessions.append(session_from_doc(doc))
            except ValidationError as exc:
                log.error(
                    "skipping malformed Training_KB document s_no=%r: %s", doc.get("s_no"), exc
                )
        return sessions

    def get_session(self, s_no: int) -> TrainingSession | None:
        """One training session, or None."""
        self._ready("get_session")
        with unavailable_on_error("get_session"):
            doc = self._kb.find_one({"s_no": s_no}, {"_id": 0})
        return session_from_doc(doc) if doc else None

    def upsert_session(self, session: TrainingSession) -> None:
        """Create or replace the session with this s_no."""
        self._ready("upsert_session")
        with unavailable_on_error("upsert_session"):
            self._kb.replace_one({"s_no": session.s_no}, session_to_doc(session), upsert=True)

    def delete_session(self, s_no: int) -> bool:
        """Delete a session; True when it existed."""
        self._ready("delete_session")
        with unavailable_on_error("delete_session"):
            return self._kb.delete_one({"s_no": s_no}).deleted_count > 0

    def replace_sessions(self, sessions: list[TrainingSession]) -> None:
        """Replace the knowledge base: upsert the new set, then delete what is not in it.

        A failure midway leaves old and new sessions side by side, never an empty KB;
        running it again completes the replace.
        """
        numbers = [s.s_no for s in sessions]
        if len(set(numbers)) != len(numbers):
            raise ValueError("replace_sessions: duplicate s_no in the new sessions")
        self._ready("replace_sessions")
        with unavailable_on_error("replace_sessions"):
            for s in sessions:  # one retryable write each; a KB is a handful of sessions
                self._kb.replace_one({"s_no": s.s_no}, session_to_doc(s), upsert=True)
            self._kb.delete_many({"s_no": {"$nin": numbers}})

    # -- progress (Training_Progress) --
    def get_progress(self, phone: str) -> Progress | None:
        """A partner's progress, or None when they have never written."""
        self._ready("get_progress")
        with unavailable_on_error("get_progress"):
            doc = self._progress.find_one({"phone": phone})
        return progress_from_doc(doc) if doc else None

    def update_progress(self, phone: str, update: ProgressUpdate) -> Progress:
        """Apply one atomic find_one_and_update (upserting the record); return the new state."""
        self._ready("update_progress")
        ops = progress_update_ops(phone, update, utcnow())
        with unavailable_on_error("update_progress"):
            try:
                doc = self._upsert_progress(phone, ops)
            except DuplicateKeyError:
                # Two first-ever updates raced to insert; the loser now finds the record.
                doc = self._upsert_progress(phone, ops)
        return progress_from_doc(doc)

    def _upsert_progress(self, phone: str, ops: Doc) -> Doc:
        doc = self._progress.find_one_and_update(
            {"phone": phone}, ops, upsert=True, return_document=ReturnDocument.AFTER
        )
        if doc is None:  # impossible with upsert=True and AFTER; guards a broken server
            raise StoreUnavailable(f"MongoDB returned no progress record for {phone}")
        return dict(doc)

    def list_progress(self) -> list[Progress]:
        """Every partner's progress (admin and analytics)."""
        self._ready("list_progress")
        with unavailable_on_error("list_progress"):
            docs = list(self._progress.find({"phone": {"$exists": True}}))
        return [progress_from_doc(doc) for doc in docs]

    def commit_turn(self, turn: TurnWrite) -> bool:
        """Commit a turn as one turn document rolled forward (store/mongo_turns.py)."""
        self._ready("commit_turn")
        self.turns.recover(turn.phone)
        return self.turns.commit(turn)

    # -- chat history (GMT_CH) --
    def append_chat(self, entry: ChatEntry) -> None:
        """Append one chat line."""
        self._ready("append_chat")
        with unavailable_on_error("append_chat"):
            self._chat.insert_one(chat_to_doc(entry))

    def chat_history(
        self, phone: str, session: int | None = None, limit: int = 50
    ) -> list[ChatEntry]:
        """The latest `limit` chat lines of a partner, oldest first; one session if given."""
        if limit <= 0:
            return []  # Mongo treats limit(0) as "no limit"
        self._ready("chat_history")
        query: Doc = {"phone": phone}
        if session is not None:
            query["session"] = session
        with unavailable_on_error("chat_history"):
            cursor = self._chat.find(query).sort([("time", DESCENDING), ("_id", DESCENDING)])
            docs = list(cursor.limit(limit))
        return [chat_from_doc(doc) for doc in reversed(docs)]

    def turn_lines(self, phone: str, message_id: str) -> list[ChatEntry]:
        """The chat lines recorded for one inbound message, oldest first ([] if none)."""
        self._ready("turn_lines")
        with unavailable_on_error("turn_lines"):
            query = {"phone": phone, "message_id": message_id}
            docs = list(self._chat.find(query).sort([("time", ASCENDING), ("_id", ASCENDING)]))
        return [chat_from_doc(doc) for doc in docs]

    # -- leads (GMT_Leads) --
    def lead_name(self, phone: str) -> str | None:
        """The partner's name from GMT_Leads, matching the phone with or without '+'."""
        with unavailable_on_error("lead_name"):
            docs = list(self._leads.find(lead_query(phone)).limit(LEAD_SCAN_LIMIT))
        return lead_name_from_docs(docs, phone)

    def upsert_lead(self, phone: str, name: str) -> None:
        """Record a lead's name under the `phone` and `name` fields."""
        with unavailable_on_error("upsert_lead"):
            self._leads.update_one({"phone": phone}, {"$set": {"name": name}}, upsert=True)

    # -- lifecycle --
    @property
    def db(self) -> Database[Any]:
        """The database this store works in (shared by the messaging and admin stores)."""
        return self._db

    def ping(self) -> bool:
        """True when the database answers; never raises."""
        try:
            self._db.command("ping")
        except PyMongoError as exc:
            log.warning("MongoDB ping failed: %s", exc)
            return False
        return True

    def close(self) -> None:
        """Close the client when this store created it (from_settings); else leave it open."""
        if self._owns_client:
            self._db.client.close()
