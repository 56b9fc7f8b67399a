"""The status webhook's write: callbacks that wait are recorded together, a batch in one write.

Twilio posts 2–3 status callbacks per part sent (~6 per inbound message). Each one written on
its own cost a thread-pool hop and a transaction at the store's lock; here one thread takes
what waits (up to MAX_BATCH, lingering LINGER_S after the first so batches form under load) and
records it with one `record_statuses` call. The webhook answers only after that commit: a
crash loses no acknowledged status, and Twilio sees the unanswered ones as failed connections.
"""

from __future__ import annotations

from api.whatsapp.group_commit import Backlog, GroupCommit
from store.messaging import MessagingStore, StatusUpdate

STATUS_THREAD = "genie-status-write"
MAX_BATCH = 200
LINGER_S = 0.05  # Twilio waits 15 s for an answer; 50 ms more buys batches of many callbacks
MAX_WAITING = 5000  # beyond this the store is not keeping up: answer 503 at once

__all__ = ["Backlog", "record_status", "statuses"]


async def record_status(messaging: MessagingStore, update: StatusUpdate) -> bool:
    """Record the callback once it is committed with the others waiting; whether a part
    matched. Raises Backlog when too many wait, and what the store raises (StoreUnavailable)."""
    return await statuses.submit(messaging, update)


def _write(store: MessagingStore, updates: list[StatusUpdate]) -> list[bool]:
    return store.record_statuses(updates)


statuses: GroupCommit[StatusUpdate, bool] = GroupCommit(
    STATUS_THREAD, _write, MAX_BATCH, LINGER_S, MAX_WAITING
)
