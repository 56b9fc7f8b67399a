"""One SQLite connection shared by threads: IMMEDIATE write transactions, WAL reads."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from store.base import StoreUnavailable


def from_epoch(epoch: float) -> datetime:
    """An aware UTC datetime from the epoch seconds SQLite rows hold."""
    return datetime.fromtimestamp(epoch, UTC)


class SQLiteDatabase:
    """A connection (WAL mode, schema applied) with helpers that map errors to StoreUnavailable."""

    def __init__(self, path: str | Path, schema: str, timeout_s: float = 5.0) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, timeout=timeout_s, check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL keeps this crash-safe
        self._conn.executescript(schema)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: other connections and processes wait their turn."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite error: {exc}") from exc

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """A read outside any write transaction (WAL readers do not block writers)."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite error: {exc}") from exc

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            self._rows("SELECT 1")
        except StoreUnavailable:
            return False
        return True

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
