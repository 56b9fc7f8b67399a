"""Open the configured store and seed the sample training content into an empty one."""

from __future__ import annotations

import logging

from agent.settings import Settings
from store.base import StoreUnavailable, TrainingStore
from store.kb_files import sample_sessions
from store.sqlite_store import SQLiteStore

log = logging.getLogger("genie.store")


def open_store(settings: Settings, seed: bool | None = None) -> TrainingStore:
    """The store the settings select (SQLite by default, MongoDB when configured)."""
    store: TrainingStore
    if settings.store == "mongo":
        from store.mongo_store import MongoStore  # only production needs pymongo connected

        store = MongoStore.from_settings(settings)
    else:
        store = SQLiteStore(settings.sqlite_path)
    if settings.seed_sample_content if seed is None else seed:
        try:
            seed_if_empty(store)
        except StoreUnavailable as exc:  # start anyway: the store recovers when the DB is back
            log.error("could not check or seed the knowledge base at start-up: %s", exc)
    return store


def seed_if_empty(store: TrainingStore) -> bool:
    """Load the packaged sample training content when the knowledge base is empty."""
    if store.list_sessions():
        return False
    store.replace_sessions(sample_sessions())
    log.info("loaded the sample training content into an empty knowledge base")
    return True
