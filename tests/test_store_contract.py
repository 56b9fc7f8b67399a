"""One storage contract for every store: SQLite, mongomock, and MongoDB when MONGODB_URI is set."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest

from store.base import TrainingStore
from store.models import ChatEntry, ChatOptions, ProgressUpdate, TrainingSession
from tests.store_backends import Backend, LegacyProgress

# Whole milliseconds: BSON dates keep no microseconds.
T0 = datetime(2025, 3, 1, 9, 0, 0, 123000, tzinfo=UTC)
PHONE = "+919876543210"


@pytest.fixture
def store(backend_store: TrainingStore) -> TrainingStore:
    """Here `store` is an empty store of each backend (not conftest's seeded SQLite one)."""
    return backend_store


def session(s_no: int, heading: str = "", media_url: str | None = None) -> TrainingSession:
    """A training session with recognisable text."""
    heading = heading or f"Session {s_no}"
    return TrainingSession(
        s_no=s_no, heading=heading, content=f"Body of {heading}", media_url=media_url
    )


# -- training content --
def test_kb_upsert_get_list_in_s_no_order(store: TrainingStore) -> None:
    for s_no in (3, 1, 2):
        store.upsert_session(session(s_no, media_url="https://x.test/a.pdf" if s_no == 2 else None))
    assert [s.s_no for s in store.list_sessions()] == [1, 2, 3]
    assert store.get_session(2) == session(2, media_url="https://x.test/a.pdf")
    assert store.get_session(99) is None

    store.upsert_session(session(2, "Renamed"))  # replaces, media_url included
    assert store.get_session(2) == session(2, "Renamed")
    assert len(store.list_sessions()) == 3


def test_kb_delete(store: TrainingStore) -> None:
    store.upsert_session(session(1))
    store.upsert_session(session(2))
    assert store.delete_session(1) is True
    assert store.delete_session(1) is False
    assert store.get_session(1) is None
    assert [s.s_no for s in store.list_sessions()] == [2]


def test_kb_replace_sessions(store: TrainingStore) -> None:
    for s_no in (1, 2, 3):
        store.upsert_session(session(s_no))
    store.replace_sessions([session(4), session(2, "New two")])
    assert store.list_sessions() == [session(2, "New two"), session(4)]
    store.replace_sessions([])
    assert store.list_sessions() == []


# -- progress --
def test_update_creates_record_with_defaults(store: TrainingStore) -> None:
    assert store.get_progress(PHONE) is None
    created = store.update_progress(PHONE, ProgressUpdate(name="Asha"))
    assert created.phone == PHONE and created.name == "Asha"
    assert created.current_section is None and created.completed_sections == []
    assert created.in_training_mode is False and created.training_started is False
    assert created.created_at is not None and created.last_updated is not None
    assert created.created_at.tzinfo is not None
    stored = store.get_progress(PHONE)
    assert stored is not None
    assert stored.name == "Asha" and stored.created_at is not None
    assert abs(stored.created_at - created.created_at) < timedelta(milliseconds=2)


def test_every_update_field(store: TrainingStore) -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    started = datetime(2025, 3, 1, 14, 30, 0, 250000, tzinfo=ist)
    update = ProgressUpdate(
        name="Asha",
        current_section=3,
        in_training_mode=True,
        training_started=True,
        started_at=started,
        completed_at=T0,
    )
    returned = store.update_progress(PHONE, update)
    stored = store.get_progress(PHONE)
    for progress in (returned, stored):
        assert progress is not None
        assert (progress.name, progress.current_section) == ("Asha", 3)
        assert progress.in_training_mode is True and progress.training_started is True
        assert progress.started_at == started  # same instant, whatever the zone
        assert progress.completed_at == T0


def test_unset_fields_are_left_alone_and_explicit_none_clears(store: TrainingStore) -> None:
    first = store.update_progress(
        PHONE, ProgressUpdate(name="Asha", current_section=2, in_training_mode=True)
    )
    second = store.update_progress(PHONE, ProgressUpdate(current_section=4))
    assert (second.name, second.current_section, second.in_training_mode) == ("Asha", 4, True)
    assert second.last_updated and first.last_updated
    assert second.last_updated >= first.last_updated
    cleared = store.update_progress(PHONE, ProgressUpdate(current_section=None))
    assert cleared.current_section is None and cleared.name == "Asha"


def test_add_completed_dedupes(store: TrainingStore) -> None:
    store.update_progress(PHONE, ProgressUpdate(add_completed=[1, 2]))
    after = store.update_progress(PHONE, ProgressUpdate(add_completed=[2, 3, 3]))
    assert after.completed_sections == [1, 2, 3]
    stored = store.get_progress(PHONE)
    assert stored is not None and stored.completed_sections == [1, 2, 3]


def test_reset_completed_alone_and_with_added(store: TrainingStore) -> None:
    store.update_progress(PHONE, ProgressUpdate(add_completed=[1, 2, 3]))
    assert (
        store.update_progress(PHONE, ProgressUpdate(reset_completed=True)).completed_sections == []
    )
    store.update_progress(PHONE, ProgressUpdate(add_completed=[1, 2]))
    both = ProgressUpdate(reset_completed=True, add_completed=[5, 4, 5])
    assert store.update_progress(PHONE, both).completed_sections == [4, 5]
    stored = store.get_progress(PHONE)
    assert stored is not None and stored.completed_sections == [4, 5]


def test_clear_completed_at(store: TrainingStore) -> None:
    store.update_progress(PHONE, ProgressUpdate(name="Asha", completed_at=T0))
    cleared = store.update_progress(PHONE, ProgressUpdate(clear_completed_at=True))
    assert cleared.completed_at is None and cleared.name == "Asha"
    stored = store.get_progress(PHONE)
    assert stored is not None and stored.completed_at is None


def test_list_progress(store: TrainingStore) -> None:
    assert store.list_progress() == []
    store.update_progress("+911", ProgressUpdate(name="A", add_completed=[1]))
    store.update_progress("+912", ProgressUpdate(name="B"))
    by_phone = {p.phone: p for p in store.list_progress()}
    assert set(by_phone) == {"+911", "+912"}
    assert by_phone["+911"].completed_sections == [1] and by_phone["+912"].name == "B"


def test_old_record_without_training_flags(backend: Backend, store: TrainingStore) -> None:
    backend.insert_legacy(LegacyProgress(PHONE, "Old Partner", 2, [1], T0))
    old = store.get_progress(PHONE)
    assert old is not None
    assert (old.in_training_mode, old.training_started) == (False, False)
    assert (old.name, old.current_section, old.completed_sections) == ("Old Partner", 2, [1])
    assert old.last_updated == T0
    updated = store.update_progress(PHONE, ProgressUpdate(in_training_mode=True, add_completed=[2]))
    assert updated.in_training_mode is True and updated.training_started is False
    assert updated.completed_sections == [1, 2] and updated.name == "Old Partner"


@pytest.fixture
def eager_thread_switching() -> Iterator[None]:
    """Switch threads every microsecond so a read-modify-write race shows up in-process."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("eager_thread_switching")
def test_concurrent_updates_lose_nothing(store: TrainingStore) -> None:
    # mongomock runs in-process, so there this checks our update logic (a read-modify-write
    # version fails it), not the server-side atomicity a real MongoDB provides.
    rounds = 25
    barrier = threading.Barrier(2, timeout=10)

    def worker(offset: int) -> None:
        for i in range(rounds):
            barrier.wait()
            store.update_progress(
                PHONE, ProgressUpdate(current_section=offset, add_completed=[2 * i + offset])
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(worker, 1), pool.submit(worker, 2)]:
            future.result(timeout=60)
    stored = store.get_progress(PHONE)
    assert stored is not None
    assert stored.completed_sections == list(range(1, 2 * rounds + 1))


# -- chat history --
def line(i: int, who: str = "partner", session: int | None = 1, phone: str = PHONE) -> ChatEntry:
    """Chat line i, i seconds after T0."""
    return ChatEntry(
        phone=phone,
        who="partner" if who == "partner" else "genie",
        text=f"line {i}",
        time=T0 + timedelta(seconds=i),
        intent="next" if who == "partner" else None,
        source="keyword" if who == "partner" else None,
        session=session,
    )


def test_chat_history_order_filter_and_limit(store: TrainingStore) -> None:
    entries = [
        line(0, session=None),
        line(1),
        line(2, "genie"),
        line(3, session=2),
        line(4, "genie", 2),
    ]
    for entry in reversed(entries):  # insertion order must not matter
        store.append_chat(entry)
    store.append_chat(line(9, phone="+910000000000"))

    assert store.chat_history(PHONE) == entries
    assert store.chat_history(PHONE, session=2) == entries[3:]
    assert store.chat_history(PHONE, session=1) == entries[1:3]
    assert store.chat_history(PHONE, limit=2) == entries[3:]
    assert store.chat_history(PHONE, session=1, limit=1) == [entries[2]]
    assert store.chat_history(PHONE, limit=0) == []
    assert store.chat_history("+000") == []


def test_chat_lines_at_the_same_time_keep_insertion_order(store: TrainingStore) -> None:
    same = [line(0).model_copy(update={"text": f"tie {i}"}) for i in range(3)]
    for entry in same:
        store.append_chat(entry)
    assert [e.text for e in store.chat_history(PHONE)] == ["tie 0", "tie 1", "tie 2"]
    assert [e.text for e in store.chat_history(PHONE, limit=2)] == ["tie 1", "tie 2"]


def test_a_line_keeps_the_buttons_or_list_it_offered(store: TrainingStore) -> None:
    listing = ChatOptions(
        kind="list", titles=["✅ 1. Welcome", "📘 2. Products"], button="Sessions"
    )
    offered = line(0).model_copy(update={"who": "genie", "options": listing})
    store.append_chat(offered)
    store.append_chat(line(1))
    [with_list, plain] = store.chat_history(PHONE)
    assert with_list.options == listing and plain.options is None


# -- leads --
def test_lead_name_with_and_without_plus(store: TrainingStore) -> None:
    store.upsert_lead("+919876543210", "Asha")
    store.upsert_lead("918888888888", "Ravi")
    assert store.lead_name("+919876543210") == "Asha"
    assert store.lead_name("919876543210") == "Asha"
    assert store.lead_name("+918888888888") == "Ravi"
    assert store.lead_name("918888888888") == "Ravi"
    assert store.lead_name("+917777777777") is None
    store.upsert_lead("+919876543210", "Asha K")
    assert store.lead_name("919876543210") == "Asha K"


# -- lifecycle --
def test_ping(store: TrainingStore) -> None:
    assert store.ping() is True


def test_restart_keeps_data(backend: Backend) -> None:
    first = backend.open()
    first.upsert_session(session(1))
    first.update_progress(PHONE, ProgressUpdate(name="Asha", add_completed=[1]))
    first.append_chat(line(1))
    first.upsert_lead(PHONE, "Asha")
    first.close()

    again = backend.open()
    try:
        assert again.list_sessions() == [session(1)]
        progress = again.get_progress(PHONE)
        assert progress is not None and progress.completed_sections == [1]
        assert again.chat_history(PHONE) == [line(1)]
        assert again.lead_name(PHONE) == "Asha"
    finally:
        again.close()


def test_an_explicit_none_flag_leaves_the_flag_alone(store: TrainingStore) -> None:
    created = store.update_progress(PHONE, ProgressUpdate(training_started=None))
    assert created.training_started is False and created.in_training_mode is False
    store.update_progress(PHONE, ProgressUpdate(in_training_mode=True))
    after = store.update_progress(PHONE, ProgressUpdate(in_training_mode=None))
    assert after.in_training_mode is True


def test_turn_lines_find_the_lines_of_one_inbound_message(store: TrainingStore) -> None:
    for who, text, message_id in [
        ("partner", "done", "SM1"),
        ("genie", "Session 1 marked complete", "SM1"),
        ("genie", "Session 2: ...", "SM1"),
        ("partner", "menu", "SM2"),
        ("partner", "typed in genie chat", None),
    ]:
        store.append_chat(ChatEntry(phone=PHONE, who=who, text=text, message_id=message_id))  # type: ignore[arg-type]
    lines = store.turn_lines(PHONE, "SM1")
    assert [(e.who, e.text) for e in lines] == [
        ("partner", "done"),
        ("genie", "Session 1 marked complete"),
        ("genie", "Session 2: ..."),
    ]
    assert all(e.message_id == "SM1" for e in lines)
    assert store.turn_lines(PHONE, "SM9") == [] and store.turn_lines("+15550999", "SM1") == []


# -- extension fields (quizzes, translations, media, example questions; language, opt-out) --
def test_session_extensions_round_trip(store: TrainingStore) -> None:
    rich = session(1).model_copy(
        update={
            "questions": ["What is the MOQ?"],
            "quiz": {"pass_mark": 80, "questions": [{"question": "Q?", "answer": True}]},
            "translations": {"hi": {"heading": "सत्र", "content": "सामग्री"}},
            "media": [{"url": "https://x.test/a.png", "kind": "image", "after_paragraph": 1}],
        }
    )
    store.upsert_session(rich)
    assert store.get_session(1) == rich
    store.replace_sessions([rich, session(2)])
    assert store.list_sessions() == [rich, session(2)]
    assert store.get_session(2) == session(2)  # defaults stay defaults


def test_progress_extensions_set_keep_and_clear(store: TrainingStore) -> None:
    update = ProgressUpdate(
        language="hi", timezone="Asia/Kolkata", opted_out=True, opted_out_at=T0,
        pending="confirm_restart", quiz={"s_no": 3, "index": 1, "answers": [True]},
    )  # fmt: skip
    store.update_progress(PHONE, update)
    kept = store.update_progress(PHONE, ProgressUpdate(current_section=2))
    assert (kept.language, kept.timezone, kept.opted_out, kept.opted_out_at) == (
        "hi", "Asia/Kolkata", True, T0,
    )  # fmt: skip
    assert kept.pending == "confirm_restart" and kept.quiz == {
        "s_no": 3,
        "index": 1,
        "answers": [True],
    }
    cleared = store.update_progress(PHONE, ProgressUpdate(pending=None, quiz=None, opted_out=False))
    assert cleared.pending is None and cleared.quiz is None and cleared.opted_out is False
    assert store.get_progress(PHONE) == cleared
