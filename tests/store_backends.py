"""Each store implementation as a fixture (`backend`, `backend_store`), and legacy records.

Registered for every test module by `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import mongomock
import pytest
from pymongo import MongoClient

from store.base import TrainingStore
from store.messaging import MessagingStore
from store.mongo_messaging import MongoMessagingStore
from store.mongo_store import MongoStore
from store.sqlite_messaging import SQLiteMessagingStore
from store.sqlite_store import SQLiteStore

BACKENDS = ["sqlite", "mongomock", "mongo_real"]
REAL_SKIP_REASON = "MONGODB_URI not set: real MongoDB contract tests skipped"
# `-m "not mongo_real"` deselects the real-MongoDB cases; without MONGODB_URI they skip anyway.
_PARAMS = [
    pytest.param(name, marks=pytest.mark.mongo_real) if name == "mongo_real" else name
    for name in BACKENDS
]


@dataclass
class LegacyProgress:
    """A progress record as written before inTrainingMode/trainingStarted existed."""

    phone: str
    name: str
    current_section: int
    completed: list[int]
    last_updated: datetime


@dataclass
class Backend:
    """How to (re)open one store implementation over the same data, and tidy up after."""

    name: str
    open: Callable[[], TrainingStore]
    insert_legacy: Callable[[LegacyProgress], None]
    open_messaging: Callable[[], MessagingStore]
    cleanup: Callable[[], None] = lambda: None


def _legacy_doc(record: LegacyProgress) -> dict[str, Any]:
    return {
        "phone": record.phone,
        "name": record.name,
        "currentSection": record.current_section,
        "completedSections": record.completed,
        "lastUpdated": record.last_updated,
        "createdAt": record.last_updated,
    }


def _sqlite_backend(tmp_path: Path) -> Backend:
    path = tmp_path / "genie.db"

    def insert_legacy(record: LegacyProgress) -> None:
        with sqlite3.connect(path) as conn:
            columns = {
                row[1]: row[3] for row in conn.execute("PRAGMA table_info(training_progress)")
            }
            flags = ("in_training_mode", "training_started")
            if any(columns.get(flag, 1) for flag in flags):  # missing or NOT NULL
                pytest.skip("sqlite schema cannot hold a record without the training flags")
            conn.execute(
                "INSERT INTO training_progress (phone, name, current_section, completed_sections,"
                " in_training_mode, training_started, last_updated, created_at)"
                " VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)",
                (
                    record.phone,
                    record.name,
                    record.current_section,
                    json.dumps(record.completed),
                    record.last_updated.isoformat(),
                    record.last_updated.isoformat(),
                ),
            )

    return Backend(
        "sqlite", lambda: SQLiteStore(str(path)), insert_legacy, lambda: SQLiteMessagingStore(path)
    )


def _mongomock_backend() -> Backend:
    # Restart keeps the same client: mongomock's data lives in the client object.
    db: Any = mongomock.MongoClient()["genie_test"]

    def insert_legacy(record: LegacyProgress) -> None:
        db["Training_Progress"].insert_one(_legacy_doc(record))

    return Backend(
        "mongomock", lambda: MongoStore(db), insert_legacy, lambda: MongoMessagingStore(db)
    )


def _real_client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, serverSelectionTimeoutMS=3000, timeoutMS=10000, appname="genie-tests")


def _mongo_real_backend() -> Backend:
    uri = os.environ.get("MONGODB_URI")
    if not uri:
        pytest.skip(REAL_SKIP_REASON)
    db_name = f"genie_contract_{uuid.uuid4().hex[:12]}"
    admin = _real_client(uri)

    def insert_legacy(record: LegacyProgress) -> None:
        admin[db_name]["Training_Progress"].insert_one(_legacy_doc(record))

    def cleanup() -> None:
        admin.drop_database(db_name)
        admin.close()

    return Backend(
        "mongo_real",
        # A new client per open, so close-and-reopen is a real reconnect.
        lambda: MongoStore(_real_client(uri)[db_name], owns_client=True),
        insert_legacy,
        lambda: MongoMessagingStore(admin[db_name]),  # the backend's client, closed at cleanup
        cleanup,
    )


def make_backend(name: str, tmp_path: Path) -> Backend:
    """The named backend over fresh, empty storage (skips mongo_real without MONGODB_URI)."""
    if name == "sqlite":
        return _sqlite_backend(tmp_path)
    if name == "mongomock":
        return _mongomock_backend()
    return _mongo_real_backend()


@pytest.fixture(params=_PARAMS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Fresh, empty storage of each implementation; test ids [sqlite], [mongomock], [mongo_real]."""
    made = make_backend(request.param, tmp_path)
    yield made
    made.cleanup()


@pytest.fixture
def backend_store(backend: Backend) -> Iterator[TrainingStore]:
    """An open, empty store on each backend, closed after the test."""
    opened = backend.open()
    yield opened
    opened.close()
