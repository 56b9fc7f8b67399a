"""Turn commits on MongoDB without transactions: one turn document, then idempotent roll-forward.

A turn touches three collections (Training_Progress, GMT_CH, the inbox). MongoDB applies one
document atomically; multi-document transactions need a replica set and are not available in
mongomock. So a turn is first written whole, as one document of `<prefix>Turns` keyed by the
turn's key (the MessageSid); every later step is idempotent and is finished by whoever finds the
document (the same commit, the next turn of that partner, or the recovery sweep):

1. insert the turn document (a duplicate key means an earlier attempt exists: finish that one);
2. progress compare-and-set: filter on `version` and on the key not in `recentTurns`, set the new
   state, `$inc` the version and push the key onto `recentTurns` (last 20). A mismatch whose key
   is in `recentTurns` was applied already; any other mismatch aborts: the turn document is
   deleted, nothing else was written, and the message is handled again from the new state;
3. chat lines with deterministic `_id`s (`<key>:<i>`), duplicates ignored;
4. quiz answers and feedback with deterministic `_id`s (`<key>:a<i>`, `<key>:f<i>`), likewise;
5. the inbox document: processed, with its reply parts (filter `processed: false`);
6. delete the turn document.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from store.models import utcnow
from store.mongo_docs import Doc, chat_to_doc, progress_doc
from store.mongo_errors import unavailable_on_error
from store.mongo_quiz import ANSWERS, FEEDBACK
from store.turns import TurnConflict, TurnWrite

RECENT_TURNS = 20
PENDING = "pending"  # store.messaging.PartStatus.PENDING


def _version_filter(phone: str, version: int, key: str) -> Doc:
    # Records written before versions existed have none: they count as version 0.
    clause = {"version": version} if version else {"version": {"$in": [None, 0]}}
    return {"phone": phone, **clause, "recentTurns": {"$ne": key}}


class MongoTurns:
    """Commits turns over the progress and chat collections (and the inbox, when given)."""

    def __init__(
        self,
        db: Database[Any],
        progress: Collection[Any],
        chat: Collection[Any],
        turns: str = "GMT_Turns",
    ) -> None:
        self._progress = progress
        self._chat = chat
        self._turns = db[turns]
        self._answers = db[ANSWERS]
        self._feedback = db[FEEDBACK]

    def ensure_indexes(self) -> None:
        """The index the roll-forward of one partner's turns uses."""
        self._turns.create_index([("phone", ASCENDING), ("created", ASCENDING)])

    def commit(self, turn: TurnWrite, inbox: Collection[Any] | None = None) -> bool:
        """Commit `turn`; False when its key was committed (or is being committed) already."""
        with unavailable_on_error("commit_turn"):
            if self._done_already(turn, inbox):
                return False
            doc = {"_id": turn.key, "phone": turn.phone, "created": utcnow(),
                   "turn": turn.model_dump(mode="python")}  # fmt: skip
            try:
                self._turns.insert_one(doc)
            except DuplicateKeyError:
                earlier = self._turns.find_one({"_id": turn.key})
                if earlier is not None:
                    self._finish(earlier, inbox)
                return False
            self._finish(doc, inbox)
            return True

    def recover(self, phone: str, inbox: Collection[Any] | None = None) -> int:
        """Finish the partner's turns a crash interrupted (oldest first); how many there were."""
        with unavailable_on_error("recover_turns"):
            query: Doc = {"phone": phone}
            if inbox is None:  # an inbox turn is finished only together with its inbox entry
                query["turn.inbound_sid"] = None
            docs = list(self._turns.find(query).sort("created", ASCENDING).limit(50))
            for doc in docs:
                # An aborted turn's message is still unprocessed and is handled afresh.
                with suppress(TurnConflict):
                    self._finish(doc, inbox)
        return len(docs)

    def _done_already(self, turn: TurnWrite, inbox: Collection[Any] | None) -> bool:
        if turn.inbound_sid is not None and inbox is not None:
            found = inbox.find_one({"_id": turn.inbound_sid}, {"processed": 1})
            return found is None or bool(found.get("processed"))
        query = {"phone": turn.phone, "message_id": turn.key}
        return self._chat.find_one(query, {"_id": 1}) is not None

    def _finish(self, doc: Doc, inbox: Collection[Any] | None) -> None:
        turn = TurnWrite.model_validate(doc["turn"])
        if turn.progress is not None:
            self._apply_progress(turn)
        lines = [
            {**chat_to_doc(line), "_id": f"{turn.key}:{i}"} for i, line in enumerate(turn.lines)
        ]
        _insert_once(self._chat, lines)
        _insert_once(self._answers, [
            {**a.model_dump(), "_id": f"{turn.key}:a{i}"} for i, a in enumerate(turn.quiz_answers)
        ])  # fmt: skip
        _insert_once(self._feedback, [
            {**f.model_dump(), "_id": f"{turn.key}:f{i}"} for i, f in enumerate(turn.feedback)
        ])  # fmt: skip
        if turn.inbound_sid is not None and inbox is not None:
            now = utcnow()
            parts = [
                {**p.model_dump(), "n": n, "status": PENDING, "attempts": 0, "next_attempt_at": now}
                for n, p in enumerate(turn.parts)
            ]
            inbox.update_one(
                {"_id": turn.inbound_sid, "processed": False},
                {"$set": {"processed": True, "parts": parts, "part_count": len(parts),
                          "outbox_pending": bool(parts)}},
            )  # fmt: skip
        self._turns.delete_one({"_id": turn.key})

    def _apply_progress(self, turn: TurnWrite) -> None:
        """Compare-and-set the progress; TurnConflict (turn document deleted) on a real conflict."""
        assert turn.progress is not None
        fields = progress_doc(turn.progress)
        push = {"recentTurns": {"$each": [turn.key], "$slice": -RECENT_TURNS}}
        if turn.base_version is None:
            try:
                self._progress.insert_one(
                    {**fields, "createdAt": fields.get("createdAt") or utcnow(), "version": 1,
                     "recentTurns": [turn.key]}
                )  # fmt: skip
                return
            except DuplicateKeyError:
                pass
        else:
            filter_ = _version_filter(turn.phone, turn.base_version, turn.key)
            ops = {"$set": fields, "$inc": {"version": 1}, "$push": push}
            if self._progress.update_one(filter_, ops).modified_count == 1:
                return
        current = self._progress.find_one({"phone": turn.phone}, {"recentTurns": 1})
        if current is not None and turn.key in (current.get("recentTurns") or []):
            return  # applied by an earlier attempt
        self._turns.delete_one({"_id": turn.key})
        raise TurnConflict(f"progress of {turn.phone} changed since version {turn.base_version}")


def _insert_once(collection: Collection[Any], docs: list[Doc]) -> None:
    """Insert documents with deterministic ids; those an earlier attempt wrote are skipped."""
    if not docs:
        return
    try:
        collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
            raise
