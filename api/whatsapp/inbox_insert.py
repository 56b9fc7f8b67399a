"""The webhook's inbox insert: on the event loop when SQLite takes it at once, else on one
dedicated thread; it returns only once the row is committed (the 200 ack waits for it).

Why one thread rather than anyio's pool when SQLite cannot take the insert at once: the insert
then waits for the messaging store's lock (a worker is writing), and the inserts are
serialised by that lock whatever runs them. A pool thread per waiting webhook (up to 40) only
adds threads to wake and switch: measured at ~0.3 ms more CPU per webhook than one thread
taking the waiting inserts in turn. The thread is also the webhook's own, so the inserts never
queue behind other work in anyio's pool. Stores without `try_record_inbound` (MongoDB: writes
that run in parallel) keep anyio's pool.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from starlette.concurrency import run_in_threadpool

from store.messaging import MessagingStore, NewInbound

INSERT_THREAD = "genie-inbox-insert"
_inserter = ThreadPoolExecutor(max_workers=1, thread_name_prefix=INSERT_THREAD)


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
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_inserter, messaging.record_inbound, message)
