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
