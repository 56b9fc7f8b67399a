"""The Twilio content templates Genie created (buttons, lists): name -> content SID.

SQLite table `wa_templates`, MongoDB collection `WA_Templates`; both keyed by name, so
running `genie whatsapp templates sync` twice records nothing new.
"""

from __future__ import annotations

from typing import Any, Protocol

from pymongo.database import Database

from store.mongo_errors import unavailable_on_error
from store.sqlite_db import SQLiteDatabase

SCHEMA = """
CREATE TABLE IF NOT EXISTS wa_templates (name TEXT PRIMARY KEY, sid TEXT NOT NULL);
"""


class TemplateRegistry(Protocol):
    """Where content template SIDs are kept."""

    def sids(self) -> dict[str, str]:
        """Every recorded template: name -> SID."""
        ...

    def record(self, name: str, sid: str) -> None:
        """Remember (or replace) the SID for a template name."""
        ...


class SQLiteTemplateRegistry(SQLiteDatabase):
    """Template SIDs in the embedded database (shares the training store's connection)."""

    def __init__(self, source: str | SQLiteDatabase) -> None:
        super().__init__(source, SCHEMA)

    def sids(self) -> dict[str, str]:
        """Every recorded template: name -> SID."""
        return {r["name"]: r["sid"] for r in self._rows("SELECT name, sid FROM wa_templates")}

    def record(self, name: str, sid: str) -> None:
        """Remember (or replace) the SID for a template name."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO wa_templates VALUES (?, ?)", (name, sid))


class MongoTemplateRegistry:
    """Template SIDs in the `WA_Templates` collection."""

    def __init__(self, db: Database[Any], collection: str = "WA_Templates") -> None:
        self._templates = db[collection]

    def sids(self) -> dict[str, str]:
        """Every recorded template: name -> SID."""
        with unavailable_on_error("template_sids"):
            docs = list(self._templates.find({}, {"_id": 0}))
        return {str(d["name"]): str(d["sid"]) for d in docs if d.get("name") and d.get("sid")}

    def record(self, name: str, sid: str) -> None:
        """Remember (or replace) the SID for a template name."""
        with unavailable_on_error("record_template"):
            self._templates.update_one({"name": name}, {"$set": {"sid": sid}}, upsert=True)


def registry_for(store: object) -> TemplateRegistry:
    """The registry next to a training store: its SQLite connection or its MongoDB database."""
    if isinstance(store, SQLiteDatabase):
        return SQLiteTemplateRegistry(store)
    db = getattr(store, "db", None)
    if db is None:
        raise TypeError(f"no template registry for {type(store).__name__}")
    return MongoTemplateRegistry(db)
