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

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from store.messaging import MessagingStore, NewInbound

INSERT_THREAD = "genie-inbox-insert"
MAX_BATCH = 64  # inserts written in one transaction; more wait for the next one
log = logging.getLogger("genie.whatsapp")


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
    return await _inserter.submit(messaging, message)


@dataclass
class _Waiting:
    messaging: MessagingStore
    message: NewInbound
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[bool]


class _BatchInserter:
    """One daemon thread that writes the waiting inserts, a store's batch in one transaction."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, messaging: MessagingStore, message: NewInbound) -> asyncio.Future[bool]:
        """A future that holds the insert's result once it is committed."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(messaging, message, loop, loop.create_future())
        self._ensure_thread()
        self._queue.put(waiting)
        return waiting.future

    def _ensure_thread(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=INSERT_THREAD, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            by_store: dict[int, list[_Waiting]] = {}
            for waiting in batch:
                by_store.setdefault(id(waiting.messaging), []).append(waiting)
            for group in by_store.values():
                _write(group)


def _write(group: list[_Waiting]) -> None:
    """Insert the group's messages in one transaction and hand each webhook its answer."""
    store = group[0].messaging
    messages = [w.message for w in group]
    try:
        many = getattr(store, "record_inbound_batch", None)
        results = many(messages) if many else [store.record_inbound(m) for m in messages]
    except Exception as exc:  # no row was committed: each webhook answers an error, Twilio retries
        for waiting in group:
            _answer(waiting, error=exc)
        return
    for waiting, new in zip(group, results, strict=True):
        _answer(waiting, result=new)


def _answer(waiting: _Waiting, result: bool = False, error: Exception | None = None) -> None:
    def settle() -> None:
        if waiting.future.done():
            return  # the webhook was cancelled (client gone): the row stays, a retry is a dup
        if error is not None:
            waiting.future.set_exception(error)
        else:
            waiting.future.set_result(result)

    try:
        waiting.loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the loop closed meanwhile (shutdown): nobody is waiting any more
        log.debug("inbox insert finished after its event loop closed")


_inserter = _BatchInserter()
