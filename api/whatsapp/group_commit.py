"""Group commit for webhooks: one thread writes every waiting item in one store call, and each
webhook's future gets its own result only once that write is committed.

Why: a webhook that writes on its own pays a thread-pool hop and a transaction (and a turn at
the store's lock against the workers) for one row. Waiting items written together cost one hop
back to the event loop per batch and one transaction, and nothing is acknowledged to Twilio
before it is stored.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger("genie.whatsapp")


class Backlog(Exception):
    """Too many writes wait already: answer an error now rather than queue without end."""


@dataclass
class _Waiting(Generic[T, R]):
    store: Any
    item: T
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[R]


class GroupCommit(Generic[T, R]):
    """A daemon thread (started on first use) that writes waiting items a store's batch at once.

    `write(store, items)` returns one result per item, in order, or raises: then every item of
    that batch gets the exception. After the first item of a batch it waits up to `linger_s`
    for more (0: takes only what is already waiting), and takes at most `max_batch`.
    """

    def __init__(
        self,
        name: str,
        write: Callable[[Any, list[T]], list[R]],
        max_batch: int,
        linger_s: float = 0.0,
        max_waiting: int = 0,
    ) -> None:
        self._name, self._write = name, write
        self._max_batch, self._linger_s = max_batch, linger_s
        # SimpleQueue (C, no Condition to notify per put); the bound is kept with _unsettled.
        self._queue: queue.SimpleQueue[_Waiting[T, R]] = queue.SimpleQueue()
        self._max_waiting = max_waiting
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._unsettled = 0  # submitted, not yet answered

    def submit(self, store: Any, item: T) -> asyncio.Future[R]:
        """A future that holds the item's result once it is committed; Backlog when full."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting[T, R](store, item, loop, loop.create_future())
        self._ensure_thread()
        with self._idle:
            if self._max_waiting and self._unsettled >= self._max_waiting:
                raise Backlog(f"{self._unsettled} {self._name} writes waiting")
            self._unsettled += 1
        self._queue.put(waiting)
        return waiting.future

    def drain(self, timeout_s: float) -> bool:
        """Wait until every submitted item was written (or failed); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unsettled == 0, timeout_s)

    def _ensure_thread(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            by_store: dict[int, list[_Waiting[T, R]]] = {}
            for waiting in batch:
                by_store.setdefault(id(waiting.store), []).append(waiting)
            for group in by_store.values():
                self._commit(group)
            with self._idle:
                self._unsettled -= len(batch)
                self._idle.notify_all()

    def _next_batch(self) -> list[_Waiting[T, R]]:
        batch = [self._queue.get()]
        deadline = time.monotonic() + self._linger_s
        while len(batch) < self._max_batch:
            wait = deadline - time.monotonic()
            try:
                batch.append(
                    self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _commit(self, group: list[_Waiting[T, R]]) -> None:
        """Write the group in one call and hand each webhook its answer."""
        try:
            results = self._write(group[0].store, [w.item for w in group])
            if len(results) != len(group):
                raise RuntimeError(f"{self._name}: {len(results)} results for {len(group)} items")
        except Exception as exc:  # nothing was committed: each webhook answers an error
            _settle(group, [None] * len(group), exc)
            return
        _settle(group, results, None)


def _settle(group: list[_Waiting[T, R]], results: list[Any], error: Exception | None) -> None:
    """Answer the group's futures with one wake-up per event loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[R], Any]]] = {}
    for waiting, result in zip(group, results, strict=True):
        by_loop.setdefault(waiting.loop, []).append((waiting.future, result))
    for loop, answers in by_loop.items():
        try:
            loop.call_soon_threadsafe(_answer, answers, error)
        except RuntimeError:  # the loop closed meanwhile (shutdown): nobody is waiting any more
            log.debug("a write finished after its event loop closed")


def _answer(answers: list[tuple[asyncio.Future[Any], Any]], error: Exception | None) -> None:
    for future, result in answers:
        if future.done():
            continue  # the webhook was cancelled (client gone): the row stays, a retry is a dup
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
