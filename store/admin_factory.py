"""Build the AdminStore that matches an open TrainingStore (same connection or database)."""

from __future__ import annotations

from store.admin import AdminStore
from store.base import TrainingStore
from store.sqlite_store import SQLiteStore


def admin_store_for(store: TrainingStore) -> AdminStore:
    """SQLiteAdmin for a SQLiteStore, MongoAdmin for a MongoStore; TypeError otherwise."""
    if isinstance(store, SQLiteStore):
        from store.sqlite_admin import SQLiteAdmin

        return SQLiteAdmin(store)
    from store.mongo_store import MongoStore

    if isinstance(store, MongoStore):
        from store.mongo_admin import MongoAdmin

        return MongoAdmin(store)
    raise TypeError(f"no admin store for {type(store).__name__}")
