"""MongoStore specifics: production document shapes, indexes, one atomic update, outages."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import mongomock
import pytest
from pymongo import MongoClient
from pymongo.errors import AutoReconnect, DuplicateKeyError, OperationFailure

import store.mongo_store as mongo_store_module
from agent.settings import Settings
from store.base import StoreUnavailable, TrainingStore
from store.models import ChatEntry, ProgressUpdate, TrainingSession
from store.mongo_docs import progress_update_ops
from store.mongo_store import MongoStore

PHONE = "+919876543210"


@pytest.fixture
def db() -> Any:
    """An empty fake database."""
    return mongomock.MongoClient()["genie_test"]


@pytest.fixture
def store(db: Any) -> MongoStore:
    """A MongoStore over the fake database."""
    return MongoStore(db)


def test_is_a_training_store(store: MongoStore) -> None:
    assert isinstance(store, TrainingStore)


def test_progress_document_uses_production_camel_case(store: MongoStore, db: Any) -> None:
    store.update_progress(PHONE, ProgressUpdate(name="Asha", current_section=1, add_completed=[1]))
    doc = db["Training_Progress"].find_one({"phone": PHONE}, {"_id": 0})
    assert set(doc) == {
        "phone",
        "name",
        "currentSection",
        "completedSections",
        "inTrainingMode",
        "trainingStarted",
        "lastUpdated",
        "createdAt",
        "version",
    }
    assert doc["completedSections"] == [1] and doc["inTrainingMode"] is False


def test_kb_and_chat_document_shapes(store: MongoStore, db: Any) -> None:
    store.upsert_session(TrainingSession(s_no=1, heading="H", content="C"))
    assert db["Training_KB"].find_one({}, {"_id": 0}) == {"s_no": 1, "heading": "H", "content": "C"}
    when = datetime(2025, 1, 1, tzinfo=UTC)
    store.append_chat(
        ChatEntry(phone=PHONE, who="partner", text="hi", time=when, session=2, source="keyword")
    )
    doc = db["GMT_CH"].find_one({}, {"_id": 0})
    assert doc == {
        "phone": PHONE,
        "session": 2,
        "who": "partner",
        "text": "hi",
        "time": when.replace(tzinfo=None),
        "intent": None,
        "source": "keyword",
        "message_id": None,
    }


def test_indexes_created_and_idempotent(db: Any) -> None:
    MongoStore(db)
    MongoStore(db)  # second start-up must not fail
    progress = db["Training_Progress"].index_information()
    assert progress["phone_1"].get("unique") is True
    assert db["Training_KB"].index_information()["s_no_1"].get("unique") is True
    chat_keys = [info["key"] for info in db["GMT_CH"].index_information().values()]
    assert [("phone", 1), ("time", 1), ("_id", 1)] in chat_keys
    assert [("phone", 1), ("session", 1), ("time", 1), ("_id", 1)] in chat_keys


class CallLog:
    """Wraps a collection and records which methods were called."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self.inner, name)


def test_update_progress_is_one_find_one_and_update(store: MongoStore) -> None:
    spy = CallLog(store._progress)
    store._progress = spy  # type: ignore[assignment]
    store.update_progress(PHONE, ProgressUpdate(add_completed=[1], current_section=2))
    assert spy.calls == ["find_one_and_update"]


@pytest.mark.parametrize(
    "update",
    [
        ProgressUpdate(),
        ProgressUpdate(name="A", current_section=1, in_training_mode=True, training_started=True),
        ProgressUpdate(add_completed=[1, 1, 2]),
        ProgressUpdate(reset_completed=True),
        ProgressUpdate(reset_completed=True, add_completed=[3, 1, 3]),
        ProgressUpdate(completed_at=datetime(2025, 1, 1, tzinfo=UTC), clear_completed_at=True),
    ],
)
def test_update_operators_never_touch_one_field_twice(update: ProgressUpdate) -> None:
    # A real server rejects two operators on one path; mongomock does not, so check here.
    ops = progress_update_ops(PHONE, update, datetime(2025, 1, 1, tzinfo=UTC))
    paths = [path for fields in ops.values() for path in fields]
    assert len(paths) == len(set(paths)), ops
    assert "lastUpdated" in ops["$set"] and ops["$setOnInsert"]["phone"] == PHONE
    if update.add_completed and not update.reset_completed:
        assert ops["$addToSet"]["completedSections"]["$each"] == [1, 2]
    if update.reset_completed:
        assert ops["$set"]["completedSections"] == sorted(set(update.add_completed))
    if update.clear_completed_at:
        assert ops["$unset"] == {"completedAt": ""}


def test_naive_datetimes_read_back_as_aware_utc(store: MongoStore, db: Any) -> None:
    naive = datetime(2024, 5, 6, 7, 8, 9)
    db["Training_Progress"].insert_one({"phone": PHONE, "startedAt": naive, "lastUpdated": naive})
    progress = store.get_progress(PHONE)
    assert progress is not None and progress.started_at == naive.replace(tzinfo=UTC)
    assert progress.in_training_mode is False and progress.completed_sections == []


@pytest.mark.parametrize(
    "lead",
    [
        {"Phone": "+919876543210", "Name": "Asha"},
        {"mobile": "919876543210", "full_name": "Asha"},
        {"phone": 919876543210, "name": "Asha"},
    ],
)
def test_lead_field_variants(store: MongoStore, db: Any, lead: dict[str, Any]) -> None:
    db["GMT_Leads"].insert_one(lead)
    assert store.lead_name(PHONE) == "Asha"
    assert store.lead_name(PHONE.removeprefix("+")) == "Asha"


def test_malformed_kb_document_is_skipped(store: MongoStore, db: Any) -> None:
    store.upsert_session(TrainingSession(s_no=1, heading="H", content="C"))
    db["Training_KB"].insert_one({"s_no": 2, "heading": "no content"})
    assert [s.s_no for s in store.list_sessions()] == [1]


class FailingDeletes(CallLog):
    """A collection whose deletes fail as if the network dropped."""

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        raise AutoReconnect("connection reset")


def test_replace_sessions_failing_midway_never_empties_the_kb(store: MongoStore) -> None:
    store.replace_sessions([TrainingSession(s_no=n, heading="Old", content="C") for n in (1, 2)])
    store._kb = FailingDeletes(store._kb)  # type: ignore[assignment]
    with pytest.raises(StoreUnavailable):
        store.replace_sessions([TrainingSession(s_no=2, heading="New", content="C")])
    assert [(s.s_no, s.heading) for s in store.list_sessions()] == [(1, "Old"), (2, "New")]


def test_replace_sessions_rejects_duplicates(store: MongoStore) -> None:
    twice = [TrainingSession(s_no=1, heading="H", content="C")] * 2
    with pytest.raises(ValueError, match="duplicate"):
        store.replace_sessions(twice)


class RacingInsert(CallLog):
    """The first upsert loses a race with another process inserting the same phone."""

    def find_one_and_update(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("find_one_and_update")
        if self.calls.count("find_one_and_update") == 1:
            raise DuplicateKeyError("E11000 duplicate key error")
        return self.inner.find_one_and_update(*args, **kwargs)


def test_upsert_race_is_retried_once(store: MongoStore) -> None:
    store._progress = RacingInsert(store._progress)  # type: ignore[assignment]
    progress = store.update_progress(PHONE, ProgressUpdate(add_completed=[1]))
    assert progress.completed_sections == [1]


def test_other_driver_errors_become_store_unavailable(store: MongoStore) -> None:
    class Broken(CallLog):
        def find_one(self, *args: Any, **kwargs: Any) -> Any:
            raise OperationFailure("not authorized", code=13)

    store._progress = Broken(store._progress)  # type: ignore[assignment]
    with pytest.raises(StoreUnavailable, match="MongoDB error during get_progress"):
        store.get_progress(PHONE)


def test_unreachable_server_fails_fast(caplog: pytest.LogCaptureFixture) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(
        "mongodb://127.0.0.1:1", serverSelectionTimeoutMS=200, connectTimeoutMS=200
    )
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="genie.store"):
        unreachable = MongoStore(client["genie"], owns_client=True)  # must not raise
        with pytest.raises(StoreUnavailable, match="unreachable or timed out during get_progress"):
            unreachable.get_progress(PHONE)
        with pytest.raises(StoreUnavailable):
            unreachable.update_progress(PHONE, ProgressUpdate(current_section=1))
        assert unreachable.ping() is False
    assert time.monotonic() - started < 5
    assert any(r.name == "genie.store" and "unreachable" in r.getMessage() for r in caplog.records)
    unreachable.close()


def test_from_settings_builds_a_bounded_client(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_client(uri: str, **options: Any) -> Any:
        seen.update(options, uri=uri)
        return mongomock.MongoClient()

    monkeypatch.setattr(mongo_store_module, "MongoClient", fake_client)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mongodb_uri="mongodb://db:27017",
        mongodb_db="prod",
        progress_collection="Progress2",
        mongo_timeout_ms=4000,
    )
    built = MongoStore.from_settings(settings)
    assert seen["uri"] == "mongodb://db:27017"
    assert seen["serverSelectionTimeoutMS"] == seen["timeoutMS"] == 4000
    assert seen["connectTimeoutMS"] == 4000 and seen["w"] == "majority"
    assert seen["retryWrites"] is True and seen["appname"] == "genie"
    built.update_progress(PHONE, ProgressUpdate(name="Asha"))
    assert built._db.name == "prod" and built._progress.name == "Progress2"
    raw = built._progress.find_one({"phone": PHONE})
    assert raw is not None and raw["name"] == "Asha"


def test_from_settings_requires_a_uri() -> None:
    with pytest.raises(ValueError, match="MONGODB_URI"):
        MongoStore.from_settings(Settings(_env_file=None, mongodb_uri=None))  # type: ignore[call-arg]
