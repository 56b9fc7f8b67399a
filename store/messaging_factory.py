"""Open the MessagingStore next to the training store: same SQLite connection or MongoDB client."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient
from pymongo.database import Database

from agent.settings import Settings
from store.base import TrainingStore
from store.messaging import MessagingStore
from store.sqlite_db import SQLiteDatabase
from store.sqlite_messaging import SQLiteMessagingStore


def _database_of(store: TrainingStore | None) -> Database[Any] | None:
    """The pymongo (or mongomock) Database behind a MongoStore, so both share one client."""
    db: Any = getattr(store, "db", None)
    if db is not None and hasattr(db, "command") and hasattr(db, "client"):
        return db  # type: ignore[no-any-return]
    return None


def open_messaging(settings: Settings, store: TrainingStore | None = None) -> MessagingStore:
    """The messaging store for the configured backend, sharing the training store's database."""
    if settings.store == "mongo":
        from store.mongo_messaging import MongoMessagingStore

        db = _database_of(store)
        if db is not None:
            return MongoMessagingStore(db, turns=getattr(store, "turns", None))
        if not settings.mongodb_uri:
            raise ValueError("MONGODB_URI is not set")
        timeout_ms = settings.mongo_timeout_ms
        client: MongoClient[dict[str, Any]] = MongoClient(
            settings.mongodb_uri,
            serverSelectionTimeoutMS=timeout_ms,
            timeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            appname="genie-messaging",
        )
        return MongoMessagingStore(client[settings.mongodb_db], owns_client=True)
    if isinstance(store, SQLiteDatabase):
        # One connection and lock per process: no busy-handler sleeps between the two stores.
        return SQLiteMessagingStore(store)
    path = getattr(store, "path", None) if store is not None else None
    return SQLiteMessagingStore(path if isinstance(path, str) else settings.sqlite_path)
