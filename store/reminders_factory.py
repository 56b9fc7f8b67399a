"""Build the ReminderStore that matches an open TrainingStore (same connection or database)."""

from __future__ import annotations

from store.base import TrainingStore
from store.reminders import ReminderStore
from store.sqlite_store import SQLiteStore


def reminder_store_for(store: TrainingStore, collection: str = "Genie_Reminders") -> ReminderStore:
    """SQLiteReminders for a SQLiteStore, MongoReminders for a MongoStore; TypeError otherwise."""
    if isinstance(store, SQLiteStore):
        from store.sqlite_reminders import SQLiteReminders

        return SQLiteReminders(store)
    from store.mongo_store import MongoStore

    if isinstance(store, MongoStore):
        from store.mongo_reminders import MongoReminders

        return MongoReminders(store.db, store._chat, collection)
    raise TypeError(f"no reminder store for {type(store).__name__}")
