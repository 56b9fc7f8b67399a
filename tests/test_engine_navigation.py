"""Navigation commands through the public engine API, checking the saved state after each turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.engine import Engine
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation

# (message, in training, current session, completed, text the replies must contain)
JOURNEY = [
    ("I am a new partner", True, 1, [], "📚 *Session 1: Welcome to Kestrel Metals"),
    ("next", True, 2, [], "📚 *Session 2: Our Products and Grades*"),
    ("previous", True, 1, [], "📚 *Session 1:"),
    ("menu", True, 1, [], "Progress: 0/7 sessions completed"),
    ("done", True, 2, [1], "✅ Session 1 marked complete. 1/7 sessions done."),
    ("mark this finished", True, 3, [1, 2], "✅ Session 2 marked complete. 2/7 sessions done."),
    ("help", True, 3, [1, 2], "Progress: 2/7 sessions completed"),
    ("section 5", True, 5, [1, 2], "📚 *Session 5: Commissions and Payments*"),
    ("how far am I?", True, 5, [1, 2], "📊 Asha, you've completed 2/7 sessions."),
    ("I'll continue later", False, 5, [1, 2], "Your progress is saved: 2/7 sessions completed"),
    ("continue my training", True, 5, [1, 2], "Welcome back, Asha! You've completed 2/7"),
    ("restart", True, 5, [1, 2], "Reply *yes* to start over or *no* to keep your progress."),
    ("yes", True, 1, [], "🔄 Training restarted, Asha."),
]


def test_every_command_moves_and_saves_the_state(partner: Conversation) -> None:
    for text, in_training, current, completed, expected in JOURNEY:
        completing = text in ("done", "mark this finished")  # passes the session's quiz too
        reply = partner.complete(text) if completing else partner.say(text)
        assert expected in reply, f"{text!r} replied {reply[:200]!r}"
        assert partner.state() == (in_training, current, completed), f"after {text!r}"


@pytest.mark.parametrize(
    ("text", "session"),
    [
        ("section 5", 5),
        ("session five", 5),
        ("take me to the 2nd session", 2),
        ("go to #3", 3),
        ("3", 3),
        ("Session 7", 7),
        ("show me session 4 please", 4),
        ("teesra session", 3),
        ("session 6 dikhao", 6),
    ],
)
def test_jump_phrasings_open_that_session(partner: Conversation, text: str, session: int) -> None:
    partner.say("I am a new partner")
    reply = partner.say(text)
    assert reply.startswith(f"📚 *Session {session}:")
    assert partner.state() == (True, session, [])


def test_menu_shows_progress_current_session_and_commands(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.complete()
    menu = partner.say("menu")
    assert "📋 *Training menu*, Asha" in menu
    assert "Progress: 1/7 sessions completed" in menu
    assert "Current: Session 2: Our Products and Grades" in menu
    assert "jump to a session (1-7)" in menu


def test_progress_lists_every_session_with_its_status(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.complete()
    lines = partner.say("how far am I?").splitlines()
    assert "✅ 1. Welcome to Kestrel Metals and the Partner Network" in lines
    assert "👉 2. Our Products and Grades" in lines
    assert sum(line.startswith("⬜ ") for line in lines) == 5
    assert partner.state() == (True, 2, [1])


def test_progress_before_starting_says_how_to_begin(partner: Conversation) -> None:
    reply = partner.say("how far am I?")
    assert "You haven't started the training yet, Asha" in reply
    assert partner.state() == (False, None, [])


def test_completing_skips_to_the_next_open_session(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.say("2")
    partner.complete()  # completes 2, moves to 3
    partner.say("1")
    reply = partner.complete()  # completes 1; 2 is done so on to 3
    assert "✅ Session 1 marked complete. 2/7 sessions done." in reply
    assert "📚 *Session 3:" in reply
    assert partner.state() == (True, 3, [1, 2])


def test_completing_a_completed_session_again_says_so(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.complete()
    partner.say("previous")
    reply = partner.say("done")  # no quiz again: the session is complete
    assert "✅ Session 1 was already complete. 1/7 sessions done." in reply
    assert partner.state() == (True, 2, [1])


def test_next_outside_training_resumes_where_the_partner_paused(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.say("3")
    partner.say("exit")
    reply = partner.say("next")
    assert "Welcome back, Asha! You've completed 0/7 sessions. Picking up at Session 3." in reply
    assert partner.state() == (True, 3, [])


def test_restart_before_starting_enrols(partner: Conversation) -> None:
    assert "Welcome to the partner programme, Asha!" in partner.say("restart")
    assert partner.state() == (True, 1, [])


def test_restart_clears_completion(partner: Conversation) -> None:
    partner.say("I am a new partner")
    for _ in range(7):
        partner.complete()
    assert partner.progress.completed_at is not None
    assert "Are you sure?" in partner.say("start over")
    assert partner.progress.completed_at is not None  # nothing changes before the answer
    partner.say("haan")
    assert partner.progress.completed_at is None
    assert partner.state() == (True, 1, [])


def test_a_server_restart_mid_training_loses_nothing(db_path: Path, store: SQLiteStore) -> None:
    first = Conversation(Engine(store), store)
    first.say("I am a new partner")
    first.complete()
    first.say("next")  # on 3, 1 complete
    store.close()

    reopened = SQLiteStore(db_path)  # a new process: new store, new engine, same file
    try:
        second = Conversation(Engine(reopened), reopened)
        assert second.state() == (True, 3, [1])
        assert second.progress.name == "Asha Rao"
        assert "✅ Session 3 marked complete. 2/7 sessions done." in second.complete()
        assert second.state() == (True, 4, [1, 3])
        assert "Progress: 2/7 sessions completed" in second.say("menu")
        assert len(reopened.chat_history(second.phone, limit=500)) > 6
    finally:
        reopened.close()
