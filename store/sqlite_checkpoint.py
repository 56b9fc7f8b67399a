"""WAL checkpoints off the request path: one background thread per database file and process."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable

log = logging.getLogger("genie.store")

CHECKPOINT_INTERVAL_S = 0.1  # measured: 1 s lets a checkpoint grow to ~160 ms; see performance.md
# A WAL past this size is truncated (a brief exclusive step) rather than only copied back;
# PASSIVE checkpoints never shrink the file, and a reader that never lets go can keep it growing.
WAL_TRUNCATE_BYTES = 64 * 1024 * 1024


class Checkpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` every interval on its own connection.

    The request connection has auto-checkpoint off, so no commit pays for a checkpoint (with its
    fsyncs) any more. A PASSIVE checkpoint takes no write lock: it copies what it can and never
    waits, so writers in this and other processes carry on. If the thread ever dies,
    `on_exit` turns auto-checkpoint back on, so the WAL stays bounded either way.
    """

    def __init__(
        self,
        path: str,
        on_exit: Callable[[], None],
        interval_s: float | None = None,
        truncate_bytes: int | None = None,
    ) -> None:
        self.path = path
        self.interval_s = interval_s or CHECKPOINT_INTERVAL_S
        self.truncate_bytes = WAL_TRUNCATE_BYTES if truncate_bytes is None else truncate_bytes
        self.checkpoints = 0
        self._on_exit = on_exit
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop the thread (bounded wait); the owner closes its own connection afterwards."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=timeout_s)

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        return self._thread.is_alive()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            # Short busy timeout: only TRUNCATE waits for the write lock, and only briefly.
            conn = sqlite3.connect(self.path, timeout=0.5, check_same_thread=False)
            while not self._stop.wait(self.interval_s):
                self.checkpoint(conn)
        except Exception:
            log.exception("WAL checkpoint thread stopped; auto-checkpoint is back on")
        finally:
            if conn is not None:
                conn.close()
            if not self._stop.is_set():
                self._on_exit()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One checkpoint: PASSIVE, or TRUNCATE when the WAL file has grown past the bound."""
        mode = "TRUNCATE" if self._wal_bytes() > self.truncate_bytes else "PASSIVE"
        try:
            conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
            self.checkpoints += 1
        except sqlite3.OperationalError as exc:  # locked or busy: the next tick tries again
            log.debug("WAL checkpoint skipped: %s", exc)

    def _wal_bytes(self) -> int:
        try:
            return os.path.getsize(self.path + "-wal")
        except OSError:
            return 0
