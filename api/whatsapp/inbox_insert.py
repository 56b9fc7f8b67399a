"""The webhook's inbox insert: on the event loop when SQLite takes it at once, else on one
dedicated thread that writes every waiting insert in one transaction; it returns only once the
row is committed (the 200 ack waits for it).

Why one batching thread when SQLite cannot take the insert at once: the insert then waits for
the messaging store's lock (a worker is writing), and that lock serialises the inserts
whatever runs them. A pool thread per waiting webhook only adds threads to wake; one thread
taking them one at a time gets one lock turn in ten against the workers, so under saturation
the webhooks queued behind it (ack p99 265–432 ms in `genie bench --keyword-only`). Taking
every waiting insert at once costs one lock turn and one commit for all of them. Stores
without `try_record_inbound` (MongoDB: writes that run in parallel) keep anyio's pool.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from api.whatsapp.group_commit import GroupCommit
from store.messaging import MessagingStore, NewInbound

INSERT_THREAD = "genie-inbox-insert"
MAX_BATCH = 64  # inserts written in one transaction; more wait for the next one


async def record_inbound(messaging: MessagingStore, message: NewInbound) -> bool:
    """Record the message once (by MessageSid): True if new, False for a repeated delivery.

    On the event loop when the store can do it without waiting (SQLite's optional
    try_record_inbound: a short write, no lock or busy wait), else on the insert thread.
    """
    record_now = getattr(messaging, "try_record_inbound", None)
    if record_now is None:
        return await run_in_threadpool(messaging.record_inbound, message)
    new: bool | None = record_now(message)
    if new is not None:
        return new
    return await inserts.submit(messaging, message)


def _write(store: MessagingStore, messages: list[NewInbound]) -> list[bool]:
    """Insert the messages in one transaction where the store can."""
    many = getattr(store, "record_inbound_batch", None)
    return many(messages) if many else [store.record_inbound(m) for m in messages]


inserts: GroupCommit[NewInbound, bool] = GroupCommit(INSERT_THREAD, _write, MAX_BATCH)
