"""The indexes MongoStore creates at start-up, and the query each one serves.

| collection        | index                          | used by                                     |
|-------------------|--------------------------------|---------------------------------------------|
| Training_KB       | s_no (unique)                  | get/upsert/delete_session, list_sessions    |
|                   |                                | sort, replace_sessions upserts              |
| Training_Progress | phone (unique)                 | get_progress, update_progress (the upsert's |
|                   |                                | filter; unique so racing upserts cannot     |
|                   |                                | create two records for one partner)         |
| GMT_CH            | phone, time, _id               | chat_history(phone) sorted newest first     |
| GMT_CH            | phone, session, time, _id      | chat_history(phone, session)                |
| GMT_CH            | phone, message_id              | turn_lines (a redelivered message's turn)   |

The chat indexes end in _id so the tie-break between lines written in the same
millisecond (BSON dates keep milliseconds) is served by the index, not an in-memory sort.
GMT_Leads is owned by other tools and gets no index from us (see docs/mongodb.md).
Default index names (e.g. "phone_1") are used so an index someone already created with
the same keys is recognised instead of duplicated.
"""

from __future__ import annotations

import logging
from typing import Any

from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.errors import OperationFailure

from store.mongo_errors import is_outage

log = logging.getLogger("genie.store")

KB_INDEX = [("s_no", ASCENDING)]
PROGRESS_INDEX = [("phone", ASCENDING)]
CHAT_BY_PHONE = [("phone", ASCENDING), ("time", ASCENDING), ("_id", ASCENDING)]
CHAT_BY_MESSAGE = [("phone", ASCENDING), ("message_id", ASCENDING)]
CHAT_BY_SESSION = [
    ("phone", ASCENDING),
    ("session", ASCENDING),
    ("time", ASCENDING),
    ("_id", ASCENDING),
]


def _create(collection: Collection[Any], keys: list[tuple[str, int]], unique: bool) -> None:
    """Create one index; a conflict with existing data or indexes is logged, not fatal."""
    try:
        collection.create_index(keys, unique=unique)
    except OperationFailure as exc:
        if is_outage(exc):
            raise
        # e.g. duplicate phones in old data (11000) or an index with other options (85/86):
        # the store still works, but an operator must fix it, so say so loudly.
        log.error(
            "could not create index %s on %s (code %s): %s",
            keys,
            collection.name,
            exc.code,
            exc,
        )


def create_indexes(kb: Collection[Any], progress: Collection[Any], chat: Collection[Any]) -> None:
    """Create every index MongoStore relies on; safe to call repeatedly."""
    _create(kb, KB_INDEX, unique=True)
    _create(progress, PROGRESS_INDEX, unique=True)
    _create(chat, CHAT_BY_PHONE, unique=False)
    _create(chat, CHAT_BY_SESSION, unique=False)
    _create(chat, CHAT_BY_MESSAGE, unique=False)
