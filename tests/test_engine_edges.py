"""Edge cases of the training conversation: the ends of the course, bad input, a store outage."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent.engine import MAX_INBOUND_CHARS, Engine
from agent.messages import Inbound
from store.base import StoreUnavailable
from store.factory import seed_if_empty
from store.models import ChatEntry, Progress, TrainingSession
from store.sqlite_store import SQLiteStore
from store.turns import TurnWrite
from tests.conversation import Conversation

HEADINGS = [
    "Welcome to Kestrel Metals and the Partner Network",
    "Our Products and Grades",
    "Quotes and Pricing",
    "Orders and Logistics",
    "Commissions and Payments",
    "Leads and the CRM",
    "Compliance, KYC and Support",
]


def test_next_on_the_last_session_offers_to_complete(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.say("session 7")
    reply = partner.say("next")
    assert "This is the last session (7/7). Say *done* to mark it complete" in reply
    assert "still open: 1, 2, 3, 4, 5, 6, 7" in reply
    assert partner.state() == (True, 7, [])


def test_previous_on_session_1_says_it_is_the_first(partner: Conversation) -> None:
    partner.say("I am a new partner")
    reply = partner.say("previous")
    assert "You're already on Session 1, the first one." in reply
    assert partner.state() == (True, 1, [])


@pytest.mark.parametrize("text", ["session 9", "go to session 10", "session 0", "42"])
def test_an_unknown_session_shows_the_valid_range_and_the_menu(
    partner: Conversation, text: str
) -> None:
    partner.say("I am a new partner")
    partner.say("2")
    reply = partner.say(text)
    assert "I couldn't find Session" in reply and "Sessions run from 1 to 7." in reply
    assert "📋 *Training menu*, Asha" in reply
    assert partner.state() == (True, 2, [])


def test_completing_the_last_open_session_celebrates_and_leaves_training(
    partner: Conversation,
) -> None:
    partner.say("I am a new partner")
    for n in range(1, 7):
        assert f"✅ Session {n} marked complete. {n}/7 sessions done." in partner.complete()
    assert partner.progress.completed_at is None
    reply = partner.complete()
    assert "🎉 Congratulations, Asha! You've completed all 7 training sessions" in reply
    for n, heading in enumerate(HEADINGS, start=1):
        assert f"✅ {n}. {heading}" in reply
    progress = partner.progress
    assert (progress.in_training_mode, progress.completed_sections) == (False, list(range(1, 8)))
    assert progress.completed_at is not None
    assert "already completed all 7 training sessions" in partner.say("continue my training")
    assert partner.state()[0] is False


def test_the_last_open_session_need_not_be_session_7(partner: Conversation) -> None:
    partner.say("I am a new partner")
    for n in (7, 6, 5, 4, 3, 2):
        partner.say(str(n))
        partner.complete()
    partner.say("1")
    assert "🎉 Congratulations, Asha!" in partner.complete("finished")
    assert partner.state() == (False, 1, list(range(1, 8)))


def test_exit_summarises_and_keeps_all_progress(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.complete()
    partner.complete()
    before = partner.progress
    reply = partner.say("I'll continue later")
    assert "Your progress is saved: 2/7 sessions completed (Session 1, 2)." in reply
    assert "say *continue my training* to pick up at Session 3" in reply
    after = partner.progress
    assert after.in_training_mode is False
    assert after.model_dump(
        exclude={"in_training_mode", "last_updated", "version"}
    ) == before.model_dump(exclude={"in_training_mode", "last_updated", "version"})


@pytest.mark.parametrize("text", ["done", "previous"])
def test_training_commands_while_paused_point_back_to_training(
    partner: Conversation, text: str
) -> None:
    partner.say("I am a new partner")
    partner.say("4")
    partner.say("pause")
    reply = partner.say(text)
    assert "You're not in a training session right now." in reply
    assert "pick up at Session 4" in reply
    assert partner.state() == (False, 4, [])


FAILABLE = ["get_progress", "list_sessions", "commit_turn", "append_chat", "lead_name"]


class OutageStore(SQLiteStore):
    """A seeded SQLite store whose chosen methods fail like an unreachable database."""

    def __init__(self, path: Path, failing: set[str]) -> None:
        self.failing: set[str] = set()
        super().__init__(path)
        seed_if_empty(self)
        self.failing = failing

    def _fail_if(self, method: str) -> None:
        if method in self.failing:
            raise StoreUnavailable(f"{method}: server selection timed out")

    def get_progress(self, phone: str) -> Progress | None:
        self._fail_if("get_progress")
        return super().get_progress(phone)

    def list_sessions(self) -> list[TrainingSession]:
        self._fail_if("list_sessions")
        return super().list_sessions()

    def commit_turn(self, turn: TurnWrite) -> bool:
        self._fail_if("commit_turn")
        return super().commit_turn(turn)

    def append_chat(self, entry: ChatEntry) -> None:
        self._fail_if("append_chat")
        super().append_chat(entry)

    def lead_name(self, phone: str) -> str | None:
        self._fail_if("lead_name")
        return super().lead_name(phone)


@pytest.mark.parametrize(
    ("inbound", "expected"),
    [
        (Inbound(phone="+15550001", text=""), "I received an empty message"),
        (Inbound(phone="+15550001", text="  \n "), "I received an empty message"),
        (Inbound(phone="+15550001", media_urls=["https://x/p.jpg"]), "I can only read text"),
        (Inbound(phone="+15550001", text="x" * (MAX_INBOUND_CHARS + 1)), "under 2000 characters"),
    ],
)
def test_empty_media_only_and_over_long_messages_get_a_fixed_reply(
    tmp_path: Path, inbound: Inbound, expected: str
) -> None:
    store = OutageStore(tmp_path / "g.db", failing=set(FAILABLE))  # proves no store access
    replies = Engine(store).handle_message(inbound)
    assert len(replies) == 1 and expected in replies[0].text
    store.close()


@pytest.mark.parametrize("method", [m for m in FAILABLE if m != "append_chat"])
def test_a_store_outage_gets_an_apology_and_the_engine_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, method: str
) -> None:
    store = OutageStore(tmp_path / "g.db", failing=set())
    asha = Conversation(Engine(store), store, name=None)  # no name: lead_name gets asked
    asha.say("I am a new partner")
    store.failing = {method}
    with caplog.at_level(logging.ERROR, logger="genie.engine"):
        replies = asha.send("next" if method != "lead_name" else "menu")
    assert [r.text for r in replies] == [
        "Sorry, I'm having a technical problem right now and couldn't process your message. "
        "Please try again in a few minutes."
    ]
    assert "store unavailable" in caplog.text and method in caplog.text
    store.failing = set()
    assert "📚 *Session" in asha.say("next")
    store.close()


def test_a_turn_whose_commit_fails_changes_nothing_so_saying_it_again_applies_it_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Progress and transcript are one unit: an apology never hides a half-applied turn."""
    store = OutageStore(tmp_path / "g.db", failing=set())
    asha = Conversation(Engine(store), store, name=None)
    asha.say("I am a new partner")
    asha.say("done")
    asha.say("B")
    asha.say("false")
    lines_before = len(store.chat_history(asha.phone, limit=100))
    store.failing = {"commit_turn"}
    with caplog.at_level(logging.ERROR, logger="genie.engine"):
        replies = asha.send("3")  # the last quiz answer would complete Session 1
    assert "technical problem" in replies[0].text
    assert asha.state() == (True, 1, [])
    assert len(store.chat_history(asha.phone, limit=100)) == lines_before
    store.failing = set()
    assert "Session 1 marked complete" in asha.say("3")
    assert asha.state() == (True, 2, [1])
    store.close()


def test_a_redelivered_message_gets_its_recorded_replies_and_is_not_applied_twice(
    engine: Engine, store: SQLiteStore
) -> None:
    """After a crash between the turn and saving its replies, the message is handled again."""
    phone = "+15550001"
    engine.handle_message(Inbound(phone=phone, text="I am a new partner", message_id="SM1"))
    engine.handle_message(Inbound(phone=phone, text="done", message_id="SM2"))  # the quiz
    engine.handle_message(Inbound(phone=phone, text="B", message_id="SM3"))
    first = engine.handle_message(Inbound(phone=phone, text="false", message_id="SM4"))
    again = engine.handle_message(Inbound(phone=phone, text="false", message_id="SM4"))
    assert [r.text for r in again] == [r.text for r in first]
    progress = store.get_progress(phone)
    assert progress is not None and progress.quiz is not None
    assert progress.quiz["pos"] == 2, "the redelivered answer was graded twice"
    later = engine.handle_message(Inbound(phone=phone, text="3", message_id="SM5"))
    assert "Session 1 marked complete" in "\n".join(r.text for r in later)
    progress = store.get_progress(phone)
    assert progress is not None
    assert progress.completed_sections == [1] and progress.current_section == 2
