"""A turn is one unit on every store: progress (compare-and-set), chat lines, inbox and outbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from agent.engine import Engine
from agent.messages import Inbound
from store.base import TrainingStore
from store.messaging import MessagingStore, NewInbound, OutboundPart
from store.models import ChatEntry, Progress, ProgressUpdate, utcnow
from store.mongo_messaging import MongoMessagingStore
from store.mongo_store import MongoStore
from store.sqlite_messaging import SQLiteMessagingStore
from store.turns import TurnConflict, TurnWrite
from tests.quizless import seed_without_quizzes

PHONE = "+919876543210"


@pytest.fixture
def stores(backend_store: TrainingStore) -> Iterator[Any]:
    """A seeded training store of each kind and the messaging store sharing its database."""
    store = backend_store
    seed_without_quizzes(store)
    messaging: MessagingStore
    if isinstance(store, MongoStore):
        messaging = MongoMessagingStore(store.db, turns=store.turns)
    else:
        messaging = SQLiteMessagingStore(store)  # type: ignore[arg-type]
    yield store, messaging
    messaging.close()


def line(text: str, key: str, who: Any = "partner") -> ChatEntry:
    """A chat line of the turn `key`."""
    return ChatEntry(phone=PHONE, who=who, text=text, message_id=key, time=utcnow())


def after(progress: Progress | None, **fields: Any) -> Progress:
    """The progress a turn would leave."""
    base = progress or Progress(phone=PHONE, created_at=utcnow())
    return base.model_copy(update={**fields, "last_updated": utcnow()})


def test_a_turn_writes_progress_and_lines_together_once(stores: Any) -> None:
    store: Any = stores[0]
    turn = TurnWrite(
        key="SM1", phone=PHONE, progress=after(None, current_section=1, name="Asha"),
        lines=[line("hi", "SM1"), line("welcome", "SM1", "genie")],
    )  # fmt: skip
    assert store.commit_turn(turn) is True
    assert store.commit_turn(turn) is False  # the same key again writes nothing
    saved = store.get_progress(PHONE)
    assert saved.current_section == 1 and saved.version == 1
    assert [c.text for c in store.turn_lines(PHONE, "SM1")] == ["hi", "welcome"]


def test_a_stale_turn_raises_a_conflict_and_writes_nothing(stores: Any) -> None:
    store: Any = stores[0]
    read = store.update_progress(PHONE, ProgressUpdate(current_section=1))
    store.update_progress(PHONE, ProgressUpdate(current_section=2))  # another writer
    stale = TurnWrite(
        key="SM2", phone=PHONE, base_version=read.version,
        progress=after(read, add_completed=[1]), lines=[line("done", "SM2")],
    )  # fmt: skip
    with pytest.raises(TurnConflict):
        store.commit_turn(stale)
    assert store.get_progress(PHONE).current_section == 2
    assert store.turn_lines(PHONE, "SM2") == []
    fresh = store.get_progress(PHONE)
    ok = stale.model_copy(update={"base_version": fresh.version})
    assert store.commit_turn(ok) is True


def test_an_inbox_turn_commits_progress_lines_processed_mark_and_parts_as_one(
    stores: Any,
) -> None:
    store: Any = stores[0]
    messaging: Any = stores[1]
    messaging.record_inbound(NewInbound(message_sid="SM3", phone=PHONE, text="done"))
    turn = TurnWrite(
        key="SM3", phone=PHONE, progress=after(None, current_section=2),
        lines=[line("done", "SM3"), line("ok", "SM3", "genie")], inbound_sid="SM3",
        parts=[OutboundPart(body="part 1"), OutboundPart(body="part 2")],
    )  # fmt: skip
    assert messaging.commit_turn(turn) is True
    assert messaging.next_unprocessed(PHONE) is None
    assert [p.body for p in messaging.parts_for("SM3")] == ["part 1", "part 2"]
    assert store.get_progress(PHONE).current_section == 2
    # A redelivery of the same message finds it processed: nothing is written twice.
    assert messaging.commit_turn(turn) is False
    assert len(store.turn_lines(PHONE, "SM3")) == 2
    assert store.get_progress(PHONE).version == 1


def test_a_conflicting_inbox_turn_leaves_the_message_unprocessed(stores: Any) -> None:
    store: Any = stores[0]
    messaging: Any = stores[1]
    messaging.record_inbound(NewInbound(message_sid="SM4", phone=PHONE, text="done"))
    store.update_progress(PHONE, ProgressUpdate(current_section=1))
    turn = TurnWrite(
        key="SM4", phone=PHONE, base_version=None, progress=after(None, current_section=3),
        lines=[line("done", "SM4")], inbound_sid="SM4", parts=[OutboundPart(body="x")],
    )  # fmt: skip
    with pytest.raises(TurnConflict):
        messaging.commit_turn(turn)
    assert messaging.next_unprocessed(PHONE) is not None
    assert messaging.parts_for("SM4") == [] and store.turn_lines(PHONE, "SM4") == []


def _five_dones_each(engine: Engine, phones: list[str]) -> None:
    for phone in phones:
        engine.handle(Inbound(phone=phone, text="I am a new partner", profile_name="Asha"))
    jobs = [phone for phone in phones for _ in range(5)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda p: (p, engine.handle(Inbound(phone=p, text="done"))), jobs))
    for phone in phones:
        texts = [r.replies[0].text for p, r in results if p == phone]
        assert sum("Session 1 marked complete" in t for t in texts) == 1, texts
        for s_no in range(1, 6):
            assert sum(f"Session {s_no} marked complete" in t for t in texts) == 1, texts


class AtomicWrites:
    """A mongomock collection whose operations are atomic, as a server's are (mongomock
    matches and modifies in separate steps, and its storage is not thread-safe)."""

    _lock = threading.RLock()

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def atomic(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return atomic


def test_concurrent_turns_of_one_partner_apply_each_step_exactly_once(stores: Any) -> None:
    """5 concurrent "done" for each of 20 partners, with no lease: compare-and-set keeps
    every state consistent (the lease is not what protects progress)."""
    store: Any = stores[0]
    if isinstance(store, MongoStore) and store.db.client.__class__.__module__.startswith(
        "mongomock"
    ):
        mongo: Any = store
        turns: Any = store.turns
        mongo._progress = turns._progress = AtomicWrites(store._progress)
        mongo._chat = turns._chat = AtomicWrites(store._chat)
        turns._turns = AtomicWrites(turns._turns)
    engine = Engine(store)
    phones = [f"+1555000{i:04d}" for i in range(20)]
    _five_dones_each(engine, phones)
    for phone in phones:
        progress = store.get_progress(phone)
        assert progress.completed_sections == [1, 2, 3, 4, 5], phone
        assert progress.current_section == 6 and progress.in_training_mode
        done_lines = [c for c in store.chat_history(phone, limit=200) if c.text == "done"]
        assert len(done_lines) == 5


def test_mongo_finishes_a_turn_interrupted_after_its_progress_was_written(
    stores: Any,
) -> None:
    store: Any = stores[0]
    messaging: Any = stores[1]
    if not isinstance(store, MongoStore):
        pytest.skip("SQLite commits in one transaction: there is no half-written turn")
    messaging.record_inbound(NewInbound(message_sid="SM5", phone=PHONE, text="done"))
    turn = TurnWrite(
        key="SM5", phone=PHONE, progress=after(None, current_section=2),
        lines=[line("done", "SM5"), line("ok", "SM5", "genie")], inbound_sid="SM5",
        parts=[OutboundPart(body="ok")],
    )  # fmt: skip
    # A crash after steps 1 and 2 (turn document written, progress set), before the rest.
    store.db["GMT_Turns"].insert_one(
        {"_id": "SM5", "phone": PHONE, "created": utcnow(), "turn": turn.model_dump()}
    )
    store.turns._apply_progress(turn)
    assert messaging.next_unprocessed(PHONE) is None  # rolled forward, not handled again
    assert [p.body for p in messaging.parts_for("SM5")] == ["ok"]
    assert len(store.turn_lines(PHONE, "SM5")) == 2
    saved: Any = store.get_progress(PHONE)
    assert saved.version == 1
    assert messaging.commit_turn(turn) is False


def test_store_keeps_the_turn_api(stores: Any) -> None:
    store: Any = stores[0]
    messaging: Any = stores[1]
    assert isinstance(store, TrainingStore) and isinstance(messaging, MessagingStore)
