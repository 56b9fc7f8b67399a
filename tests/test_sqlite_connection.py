"""One SQLite connection per process for both stores, and WAL checkpoints off the request path."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

import store.sqlite_checkpoint as checkpoint_module
from agent.settings import Settings
from store.messaging import NewInbound
from store.messaging_factory import open_messaging
from store.models import ChatEntry
from store.sqlite_checkpoint import Checkpointer
from store.sqlite_messaging import SQLiteMessagingStore
from store.sqlite_store import SQLiteStore


def _auto_checkpoint(db: SQLiteStore) -> int:
    return int(db._rows("PRAGMA wal_autocheckpoint")[0][0])


def test_the_messaging_store_shares_the_training_stores_connection(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "genie.db")
    messaging = open_messaging(Settings(_env_file=None, store="sqlite"), store)  # type: ignore[call-arg]
    assert isinstance(messaging, SQLiteMessagingStore)
    assert messaging._conn is store._conn and messaging._lock is store._lock
    assert messaging.record_inbound(NewInbound(message_sid="SM1", phone="+1555", text="hi"))
    messaging.close()  # not the owner: the connection stays open for the training store
    assert store.ping() and messaging.ping()
    assert store.list_sessions() == []
    store.close()
    assert not messaging.ping()  # the owner closed it, once


def test_a_messaging_store_opened_by_path_still_owns_its_connection(tmp_path: Path) -> None:
    messaging = SQLiteMessagingStore(tmp_path / "genie.db")
    assert messaging.record_inbound(NewInbound(message_sid="SM1", phone="+1555", text="hi"))
    messaging.close()
    assert not messaging.ping()


def test_commits_do_not_checkpoint_and_the_thread_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint_module, "CHECKPOINT_INTERVAL_S", 0.05)
    store = SQLiteStore(tmp_path / "genie.db")
    try:
        assert _auto_checkpoint(store) == 0
        for i in range(50):
            store.append_chat(ChatEntry(phone="+1555", who="partner", text="x" * 2000 + str(i)))
        assert store._checkpointer is not None
        checkpointer = store._checkpointer
        deadline = time.monotonic() + 3.0
        while checkpointer.checkpoints < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.checkpoints >= 2 and checkpointer.alive
    finally:
        store.close()
    assert not checkpointer.alive  # stopped with its database


def test_auto_checkpoint_comes_back_when_the_thread_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Checkpointer, conn: sqlite3.Connection) -> None:
        raise RuntimeError("checkpoint thread bug")

    monkeypatch.setattr(checkpoint_module, "CHECKPOINT_INTERVAL_S", 0.02)
    monkeypatch.setattr(Checkpointer, "checkpoint", broken)
    store = SQLiteStore(tmp_path / "genie.db")
    try:
        deadline = time.monotonic() + 3.0
        while _auto_checkpoint(store) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _auto_checkpoint(store) == 1000  # the WAL stays bounded without the thread
    finally:
        store.close()


def test_a_wal_past_the_bound_is_truncated(tmp_path: Path) -> None:
    path = str(tmp_path / "genie.db")
    store = SQLiteStore(path)
    try:
        for i in range(20):
            store.append_chat(ChatEntry(phone="+1555", who="partner", text="y" * 4000 + str(i)))
        assert os.path.getsize(path + "-wal") > 0
        checkpointer = Checkpointer(path, on_exit=lambda: None, truncate_bytes=0)
        with sqlite3.connect(path) as conn:
            checkpointer.checkpoint(conn)
        assert os.path.getsize(path + "-wal") == 0
    finally:
        store.close()
