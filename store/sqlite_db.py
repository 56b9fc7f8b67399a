"""One SQLite connection per file and process, shared by threads and stores: IMMEDIATE writes."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from store.base import StoreUnavailable
from store.sqlite_checkpoint import Checkpointer

AUTO_CHECKPOINT_PAGES = 1000  # SQLite's default, back on if the checkpoint thread dies
CHECKPOINT_TRIES, CHECKPOINT_RETRY_S = 50, 0.02  # an erasure waits at most ~1 s for the log
T = TypeVar("T")


def from_epoch(epoch: float) -> datetime:
    """An aware UTC datetime from the epoch seconds SQLite rows hold."""
    return datetime.fromtimestamp(epoch, UTC)


class SQLiteDatabase:
    """A connection (WAL mode, schema applied) with helpers that map errors to StoreUnavailable.

    Pass another SQLiteDatabase instead of a path to share its connection and lock: two stores
    on one file then never make each other sleep in SQLite's busy handler within a process.
    The database that opened the connection owns it (and its checkpoint thread) and closes it.
    """

    path: str
    _conn: sqlite3.Connection
    _lock: threading.RLock
    _busy_ms: int  # the busy timeout, restored after a write that must not wait

    def __init__(
        self, source: str | Path | SQLiteDatabase, schema: str, timeout_s: float = 5.0
    ) -> None:
        if isinstance(source, SQLiteDatabase):
            self.path, self._conn, self._lock = source.path, source._conn, source._lock
            self._busy_ms = source._busy_ms
            self._checkpointer: Checkpointer | None = None
            self._owner = False
            with self._lock:
                self._conn.executescript(schema)
            return
        self.path = str(source)
        self._owner = True
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._busy_ms = int(timeout_s * 1000)
        self._conn = sqlite3.connect(
            self.path, timeout=timeout_s, check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL keeps this crash-safe
        # Deleted rows are overwritten, not just unlinked: erasure must not leave them readable.
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.executescript(schema)
        self._checkpointer = None
        if self.path != ":memory:":
            # Checkpoints move to a background thread (see store/sqlite_checkpoint.py).
            self._conn.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = Checkpointer(self.path, self._restore_auto_checkpoint)
            self._checkpointer.start()

    def _restore_auto_checkpoint(self) -> None:
        """The checkpoint thread died: let commits checkpoint again, so the WAL stays bounded."""
        try:
            with self._lock:
                self._conn.execute(f"PRAGMA wal_autocheckpoint={AUTO_CHECKPOINT_PAGES}")
        except sqlite3.Error:
            pass  # closed already

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: other connections and processes wait their turn."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                with self._committed() as conn:
                    yield conn
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite error: {exc}") from exc

    @contextmanager
    def _committed(self) -> Iterator[sqlite3.Connection]:
        """The body of an open transaction: COMMIT after it, ROLLBACK when it raises."""
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _write_now(self, write: Callable[[sqlite3.Connection], T]) -> T | None:
        """`write` in an IMMEDIATE transaction if one can start without waiting, else None.

        For callers on an event loop, which must not sleep on the lock (another thread writes)
        nor in SQLite's busy handler (another process writes): they retry in a thread instead.
        """
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if not self._begin_without_waiting():
                return None
            with self._committed() as conn:
                return write(conn)
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"SQLite error: {exc}") from exc
        finally:
            self._lock.release()

    def _begin_without_waiting(self) -> bool:
        """BEGIN IMMEDIATE with the busy timeout off for that statement; False when busy."""
        self._conn.execute("PRAGMA busy_timeout=0")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return False
            raise
        finally:
            self._conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
        return True

    def _rows(
        self, sql: str, params: Mapping[str, object] | Sequence[object] = ()
    ) -> list[sqlite3.Row]:
        """A read with ? or :name parameters, outside any write transaction (WAL readers
        do not block writers)."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite error: {exc}") from exc

    def checkpoint_now(self) -> None:
        """Copy the write-ahead log into the database and empty it (after an erasure)."""
        if self.path == ":memory:":
            return
        # The background checkpointer (another connection) may be copying pages right now,
        # which makes TRUNCATE report busy and leave the log as it is: try again, briefly.
        for _ in range(CHECKPOINT_TRIES):
            with self._lock:
                try:
                    busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                except sqlite3.OperationalError as exc:
                    raise StoreUnavailable(f"SQLite error: {exc}") from exc
            if not busy:
                return
            time.sleep(CHECKPOINT_RETRY_S)
        raise StoreUnavailable("SQLite checkpoint stayed busy; the log was not emptied")

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            self._rows("SELECT 1")
        except (StoreUnavailable, sqlite3.ProgrammingError):  # down, or closed
            return False
        return True

    def close(self) -> None:
        """Close the connection if this database opened it; a sharing store leaves it open."""
        if not self._owner:
            return
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._lock:
            self._conn.close()
