"""The webhook's inbox insert: on the loop when SQLite is free, else on its own thread, and
always committed before it returns (the 200 ack waits for it)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from api.whatsapp.inbox_insert import INSERT_THREAD, record_inbound
from store.messaging import NewInbound
from store.sqlite_messaging import SQLiteMessagingStore

MESSAGE = NewInbound(message_sid="SM" + "7" * 32, phone="+919876543210", text="next")


class SlowInbox:
    """An inbox without try_record_inbound (like MongoDB's): notes which thread inserted."""

    def __init__(self) -> None:
        self.inserted_by: list[str] = []

    def record_inbound(self, message: NewInbound) -> bool:
        time.sleep(0.05)
        self.inserted_by.append(threading.current_thread().name)
        return True


class BusySQLiteLikeInbox(SlowInbox):
    """An inbox whose try_record_inbound always finds another writer (SQLite under load)."""

    def try_record_inbound(self, message: NewInbound) -> bool | None:
        return None  # always busy: the insert must wait


def test_a_busy_sqlite_insert_runs_on_the_insert_thread_and_is_done_on_return() -> None:
    inbox = BusySQLiteLikeInbox()
    assert asyncio.run(record_inbound(inbox, MESSAGE)) is True  # type: ignore[arg-type]
    assert len(inbox.inserted_by) == 1 and inbox.inserted_by[0].startswith(INSERT_THREAD)


def test_a_store_without_try_record_inbound_keeps_the_thread_pool() -> None:
    inbox = SlowInbox()
    assert asyncio.run(record_inbound(inbox, MESSAGE)) is True  # type: ignore[arg-type]
    assert len(inbox.inserted_by) == 1 and not inbox.inserted_by[0].startswith(INSERT_THREAD)


def test_while_a_worker_holds_the_store_the_loop_runs_and_the_insert_lands_after(
    tmp_path: Path,
) -> None:
    store = SQLiteMessagingStore(tmp_path / "inbox.db")
    held, release = threading.Event(), threading.Event()

    def worker_writing() -> None:
        with store._lock:
            held.set()
            release.wait(5)

    async def scenario() -> tuple[bool, int, bool]:
        insert = asyncio.ensure_future(record_inbound(store, MESSAGE))
        ticks = 0
        while ticks < 20:  # the loop is free while the insert waits on its thread
            await asyncio.sleep(0.005)
            ticks += 1
        assert not insert.done()  # (reading the store here would wait for the worker too)
        release.set()
        new = await insert
        return new, ticks, await record_inbound(store, MESSAGE)

    holder = threading.Thread(target=worker_writing)
    holder.start()
    try:
        held.wait(5)
        new, ticks, again = asyncio.run(scenario())
    finally:
        release.set()
        holder.join()
    try:
        assert new is True and ticks == 20 and again is False  # the retry is recognised
        assert store.get_inbound(MESSAGE.message_sid) is not None
    finally:
        store.close()


class CountingSQLiteInbox(SQLiteMessagingStore):
    """The real SQLite inbox, noting the size of each batch it writes."""

    batches: list[int]

    def record_inbound_batch(self, messages: list[NewInbound]) -> list[bool]:
        self.batches.append(len(messages))
        return super().record_inbound_batch(messages)


def _message(n: int) -> NewInbound:
    return NewInbound(message_sid=f"SM{n:032d}", phone="+919876543210", text=f"msg {n}")


def test_inserts_waiting_for_a_busy_store_are_written_together(tmp_path: Path) -> None:
    store = CountingSQLiteInbox(tmp_path / "inbox.db")
    store.batches = []
    held, release = threading.Event(), threading.Event()

    def worker_writing() -> None:
        with store._lock:
            held.set()
            release.wait(5)

    async def scenario() -> list[bool]:
        inserts = [asyncio.ensure_future(record_inbound(store, _message(n))) for n in range(8)]
        inserts.append(asyncio.ensure_future(record_inbound(store, _message(0))))  # a retry
        await asyncio.sleep(0.05)  # all nine are waiting for the worker
        release.set()
        return list(await asyncio.gather(*inserts))

    holder = threading.Thread(target=worker_writing)
    holder.start()
    try:
        held.wait(5)
        results = asyncio.run(scenario())
    finally:
        release.set()
        holder.join()
    try:
        assert results == [True] * 8 + [False]  # the retry is recognised inside the batch
        assert sum(store.batches) == 9 and len(store.batches) <= 2  # the first may go alone
        assert all(store.get_inbound(_message(n).message_sid) for n in range(8))
    finally:
        store.close()


class FailingInbox(BusySQLiteLikeInbox):
    """A busy inbox whose write fails (the database is gone)."""

    def record_inbound_batch(self, messages: list[NewInbound]) -> list[bool]:
        raise OSError("disk I/O error")


def test_a_failed_batch_write_fails_every_waiting_webhook() -> None:
    async def scenario() -> list[BaseException | bool]:
        inbox = FailingInbox()
        inserts = [record_inbound(inbox, _message(n)) for n in range(3)]  # type: ignore[arg-type]
        return await asyncio.gather(*inserts, return_exceptions=True)

    results = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert len(results) == 3 and all(isinstance(r, OSError) for r in results)
