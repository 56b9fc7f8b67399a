"""AdminStore on every backend: the same data must give the same numbers everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from store.admin import AdminStore, erase_variants
from store.admin_factory import admin_store_for
from store.admin_models import ContentVersion
from store.base import TrainingStore
from store.models import ChatEntry, ProgressUpdate, TrainingSession
from store.partner_list import PartnerQuery
from tests.store_backends import BACKENDS, make_backend

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def store(backend_store: TrainingStore) -> TrainingStore:
    """An open store of each backend with three training sessions."""
    for n in (1, 2, 3):
        backend_store.upsert_session(
            TrainingSession(s_no=n, heading=f"Part {n}", content=f"Text {n}")
        )
    return backend_store


@pytest.fixture
def admin(store: TrainingStore) -> AdminStore:
    """The admin store over the same database."""
    return admin_store_for(store)


def at(store: TrainingStore, when: datetime, phone: str, update: ProgressUpdate) -> None:
    """Apply a progress update as if it happened at `when` (the stores stamp last_updated)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("store.sqlite_store.utcnow", lambda: when)
        patch.setattr("store.mongo_store.utcnow", lambda: when)
        store.update_progress(phone, update)


def say(store: TrainingStore, phone: str, text: str, when: datetime, **tags: Any) -> None:
    """A partner line and Genie's answer in the chat history."""
    store.append_chat(ChatEntry(phone=phone, who="partner", text=text, time=when, **tags))
    store.append_chat(ChatEntry(phone=phone, who="genie", text="ok", time=when, **tags))


def seed(store: TrainingStore) -> None:
    """Two finished (48 h, 24 h), one stalled, two active (one reviewing), one not started."""
    for phone, start, end in (
        ("+1001", NOW - 10 * DAY, NOW - 8 * DAY),
        ("+1002", NOW - 5 * DAY, NOW - 4 * DAY),
    ):
        at(store, start, phone, ProgressUpdate(name="Fin", training_started=True, started_at=start))
        done = ProgressUpdate(current_section=3, add_completed=[1, 2, 3], completed_at=end)
        at(store, end, phone, done)
    for phone, when in (("+1003", NOW - 10 * DAY), ("+1004", NOW - DAY / 24)):
        started = ProgressUpdate(
            training_started=True, in_training_mode=True, started_at=when, current_section=2
        )
        at(store, when, phone, started.model_copy(update={"add_completed": [1]}))
    at(store, NOW - DAY / 2, "+1005", ProgressUpdate(name="Newbie Ng"))
    # Went back to review session 1 after finishing 2: the drop-off counts their furthest session.
    review = ProgressUpdate(
        training_started=True, in_training_mode=True, current_section=1, add_completed=[1, 2]
    )
    at(store, NOW - 3 * DAY / 24, "+1006", review)
    say(store, "+1001", "I am a new partner", NOW - 10 * DAY, intent="enroll", source="keyword")
    question = {"intent": "question", "session": 2}
    say(store, "+1003", "What is the minimum order?", NOW - 10 * DAY, source="llm", **question)
    say(
        store,
        "+1004",
        "what is the minimum order?",
        NOW - 2 * DAY / 24,
        source="fallback",
        **question,
    )
    say(store, "+1004", "next", NOW - DAY / 24, intent="next", session=2, source="keyword")
    say(store, "+1005", "hello", NOW - DAY / 48, intent="other", source="default")
    say(
        store,
        "+1002",
        "How do I get paid?",
        NOW - 5 * DAY,
        intent="question",
        session=1,
        source="llm",
    )


def test_analytics_numbers(store: TrainingStore, admin: AdminStore) -> None:
    seed(store)
    got = admin.analytics(NOW, stalled_days=7, top=5)
    totals = (got.partners, got.enrolled, got.completed, got.in_training, got.stalled)
    assert totals == (6, 5, 2, 3, 1)
    assert (got.active_24h, got.active_7d) == (2, 3)
    assert got.completion_rate == 0.4
    assert got.median_completion_hours == 36.0
    rows = {
        s.s_no: (s.heading, s.reached, s.completed, s.stopped, s.stalled, s.questions)
        for s in got.sessions
    }
    assert rows == {
        1: ("Part 1", 5, 5, 0, 0, 1),
        2: ("Part 2", 5, 3, 3, 1, 2),
        3: ("Part 3", 2, 2, 0, 0, 0),
    }
    assert [(q.text, q.count) for q in got.top_questions] == [
        ("What is the minimum order?", 2),
        ("How do I get paid?", 1),
    ]
    assert got.turns_by_source == {"default": 1, "fallback": 1, "keyword": 2, "llm": 2}
    assert got.partner_turns == 6
    assert got.fallback_rate == pytest.approx(1 / 3, abs=1e-4)


def test_analytics_on_empty_store(admin: AdminStore) -> None:
    got = admin.analytics(NOW)
    assert (got.partners, got.enrolled, got.active_7d, got.partner_turns) == (0, 0, 0, 0)
    assert got.completion_rate is None and got.median_completion_hours is None
    assert got.fallback_rate is None
    assert [s.reached for s in got.sessions] == [0, 0, 0]


def test_list_partners_filters_search_and_pages(store: TrainingStore, admin: AdminStore) -> None:
    seed(store)

    def phones(**query: Any) -> list[str]:
        return [p.phone for p in admin.list_partners(PartnerQuery(now=NOW, **query)).items]

    everyone = ["+1005", "+1004", "+1006", "+1002", "+1001", "+1003"]
    assert phones() == everyone  # latest activity (message or progress) first
    assert phones(descending=False) == everyone[::-1]
    assert phones(status="completed") == ["+1002", "+1001"]
    assert phones(status="in_training") == ["+1004", "+1006"]
    assert phones(status="paused") == ["+1003"]  # no message for 10 days
    assert phones(status="paused", paused_days=30) == []
    assert phones(status="new") == ["+1005"]
    assert phones(search="newbie") == ["+1005"]
    assert phones(search="100") == phones()
    assert phones(search="%") == []
    assert phones(sort="name", descending=False)[:3] == ["+1003", "+1004", "+1006"]  # no name
    assert phones(sort="questions")[:4] == ["+1002", "+1003", "+1004", "+1001"]
    assert phones(sort="progress")[:2] == ["+1001", "+1002"]
    assert phones(sort="status", descending=False)[0] == "+1005"
    page = admin.list_partners(PartnerQuery(now=NOW, limit=2, offset=1))
    assert page.total == 6 and [p.phone for p in page.items] == ["+1004", "+1006"]
    four = admin.list_partners(PartnerQuery(now=NOW, search="+1004")).items[0]
    assert (four.status, four.messages, four.questions) == ("in_training", 2, 1)
    assert four.last_message_at == NOW - DAY / 24
    assert four.first_message_at == NOW - 2 * DAY / 24
    assert four.completed_sections == [1] and four.current_section == 2


def test_paused_and_opted_out_partners(store: TrainingStore, admin: AdminStore) -> None:
    """Saying exit pauses at once; STOP is opted out; a message from a stranger makes them new."""
    going = ProgressUpdate(training_started=True, in_training_mode=True, current_section=2)
    at(store, NOW - DAY, "+2001", going)
    at(store, NOW - DAY / 2, "+2001", ProgressUpdate(in_training_mode=False))  # said exit
    at(store, NOW - DAY, "+2002", going)
    at(store, NOW - DAY / 2, "+2002", ProgressUpdate(opted_out=True, opted_out_at=NOW))
    at(store, NOW - DAY, "+2003", going)
    store.append_chat(ChatEntry(phone="+2004", who="partner", text="hi", time=NOW - DAY))
    got = {p.phone: p.status for p in admin.list_partners(PartnerQuery(now=NOW)).items}
    assert got == {"+2001": "paused", "+2002": "opted_out", "+2003": "in_training", "+2004": "new"}
    stranger = admin.list_partners(PartnerQuery(now=NOW, search="+2004")).items[0]
    assert (stranger.messages, stranger.last_activity) == (1, NOW - DAY)


def test_versions_record_list_get(admin: AdminStore) -> None:
    old = TrainingSession(s_no=2, heading="Old", content="old text")
    new = TrainingSession(s_no=2, heading="New", content="new text")
    first = admin.record_version(ContentVersion(s_no=2, action="create", who="ann", current=old))
    second = admin.record_version(
        ContentVersion(s_no=2, action="update", who="bob", previous=old, current=new)
    )
    admin.record_version(ContentVersion(s_no=3, action="delete", who="ann", previous=new))
    assert first.id and second.id and first.id != second.id
    assert [v.who for v in admin.list_versions(2)] == ["bob", "ann"]
    assert len(admin.list_versions()) == 3 and len(admin.list_versions(limit=1)) == 1
    got = admin.get_version(second.id)
    assert got is not None and got.previous == old and got.current == new
    assert got.action == "update" and got.at.tzinfo is not None
    assert admin.get_version("nope") is None and admin.get_version("999999") is None


def test_renumber_moves_progress_and_chat(store: TrainingStore, admin: AdminStore) -> None:
    store.update_progress("+1", ProgressUpdate(current_section=1, add_completed=[1, 2]))
    store.append_chat(ChatEntry(phone="+1", who="partner", text="q1", session=1))
    store.append_chat(ChatEntry(phone="+1", who="partner", text="q2", session=2))
    before = store.get_progress("+1")
    admin.renumber_sessions({1: 2, 2: 3, 3: 1})
    after = store.get_progress("+1")
    assert after is not None and before is not None
    assert (after.current_section, after.completed_sections) == (2, [2, 3])
    assert after.last_updated == before.last_updated
    assert [(c.text, c.session) for c in store.chat_history("+1")] == [("q1", 2), ("q2", 3)]


def test_whole_training_versions_round_trip(store: TrainingStore, admin: AdminStore) -> None:
    before = store.list_sessions()
    after = [TrainingSession(s_no=1, heading="New", content="New text", questions=["q?"])]
    saved = admin.record_version(
        ContentVersion(s_no=0, action="load", who="cli:ops", previous_kb=before, current_kb=after)
    )
    assert saved.id is not None
    got = admin.get_version(saved.id)
    assert got is not None and got.whole_kb and got.who == "cli:ops"
    assert got.previous_kb == before and got.current_kb == after
    listed = admin.list_versions(None, 5)[0]
    assert listed.id == saved.id and listed.current_kb == after
    admin.record_version(ContentVersion(s_no=1, action="update", who="a", current=after[0]))
    assert not admin.list_versions(1, 5)[0].whole_kb


def test_fit_progress_to_new_sessions(store: TrainingStore, admin: AdminStore) -> None:
    store.update_progress("+1", ProgressUpdate(current_section=3, add_completed=[1, 2]))
    store.update_progress("+2", ProgressUpdate(current_section=2, add_completed=[1]))
    store.update_progress("+3", ProgressUpdate(current_section=1))
    before = store.get_progress("+1")
    assert admin.fit_progress_to_sessions([1, 2]) == 1  # only +1 changes
    after = store.get_progress("+1")
    assert after is not None and before is not None
    assert (after.current_section, after.completed_sections) == (2, [1, 2])
    assert after.last_updated == before.last_updated
    assert admin.fit_progress_to_sessions([2, 5]) == 3
    moved = {p: store.get_progress(p) for p in ("+1", "+2", "+3")}
    assert [(m.current_section, m.completed_sections) for m in moved.values() if m] == [
        (2, [2]), (2, []), (2, []),
    ]  # fmt: skip


def test_erase_partner_everywhere(store: TrainingStore, admin: AdminStore) -> None:
    for phone in ("+15550001", "+15550002"):
        store.update_progress(phone, ProgressUpdate(name="X", current_section=1))
        store.append_chat(ChatEntry(phone=phone, who="partner", text="hi"))
    store.upsert_lead("15550001", "Lead Bare")  # CRM stored it without '+'
    messaging = _messaging_for(store)
    if messaging is not None:
        from store.messaging import NewInbound, OutboundPart

        messaging.record_inbound(NewInbound(message_sid="SM1", phone="+15550001", text="hi"))
        messaging.complete_inbound("SM1", [OutboundPart(body="hello")])
    deleted = admin.erase_partner("+15550001")
    assert sum(deleted.values()) >= 3
    assert store.get_progress("+15550001") is None
    assert store.chat_history("+15550001") == []
    assert store.lead_name("+15550001") is None
    if messaging is not None:
        assert messaging.next_unprocessed("+15550001") is None
        assert messaging.parts_for("SM1") == []
    assert store.get_progress("+15550002") is not None  # nobody else
    assert len(store.chat_history("+15550002")) == 1
    assert admin.erase_partner("+15550001") == {}


def test_erase_deletes_the_phones_whatsapp_leases(store: TrainingStore, admin: AdminStore) -> None:
    messaging = _messaging_for(store)
    for key in ("inbox:+15550001", "outbox:+15550001", "inbox:+15550002"):
        assert messaging.acquire_lease(key, "worker-1", 3600)
    deleted = admin.erase_partner("15550001")  # any stored form of the phone
    assert sum(deleted.values()) == 2
    # Gone: another owner can take them at once, the other partner's lease is still held.
    assert messaging.acquire_lease("inbox:+15550001", "worker-2", 60)
    assert messaging.acquire_lease("outbox:+15550001", "worker-2", 60)
    assert not messaging.acquire_lease("inbox:+15550002", "worker-2", 60)


def _messaging_for(store: TrainingStore) -> Any:
    """The WhatsApp messaging store on the same database, when that module exists."""
    try:
        from store.messaging_factory import open_messaging
    except ImportError:
        return None
    from agent.settings import Settings

    if hasattr(store, "path"):
        return open_messaging(Settings(store="sqlite", sqlite_path=store.path), store)
    settings = Settings(store="mongo", mongodb_uri="mongodb://unused")
    return open_messaging(settings, store)


def test_erase_variants() -> None:
    assert erase_variants("+15550001") == [
        "+15550001",
        "15550001",
        "whatsapp:+15550001",
        15550001,
    ]
    assert "+44" in erase_variants("whatsapp:+44")


def on_every_backend(tmp_path: Path, measure: Callable[[TrainingStore], object]) -> list[object]:
    """measure(store) on each available backend, every one seeded with the same data."""
    results = []
    for name in BACKENDS:
        try:
            made = make_backend(name, tmp_path / name)
        except pytest.skip.Exception:
            continue  # no real MongoDB here
        opened = made.open()
        try:
            for n in (1, 2, 3):
                opened.upsert_session(
                    TrainingSession(s_no=n, heading=f"Part {n}", content=f"Text {n}")
                )
            seed(opened)
            results.append(measure(opened))
        finally:
            opened.close()
            made.cleanup()
    assert len(results) >= 2
    return results


def test_backends_agree(tmp_path: Path) -> None:
    """The same data gives identical analytics and partner pages on SQLite and MongoDB."""

    def measure(opened: TrainingStore) -> object:
        admin = admin_store_for(opened)
        page = admin.list_partners(PartnerQuery(now=NOW, limit=100))
        return admin.analytics(NOW).model_dump(), page.model_dump()

    results = on_every_backend(tmp_path, measure)
    assert all(result == results[0] for result in results[1:])
