"""Questions in training are answered from the content with a citation; chat history is saved."""

from __future__ import annotations

import pytest

from agent.engine import Engine
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation


@pytest.fixture
def training(partner: Conversation) -> Conversation:
    """Asha, enrolled and on Session 1."""
    partner.say("I am a new partner")
    return partner


@pytest.mark.parametrize(
    ("question", "session", "fact"),
    [
        ("How long are quotes valid?", 3, "valid for 7 calendar days"),
        ("what is SS316 used for?", 2, "SS316 adds 2-3% molybdenum"),
        ("What is the MOQ?", 3, "500 kg per grade"),
        ("when is commission paid?", 5, "paid the invoice in full"),
        ("who do I contact for KYC problems?", 7, "partners@kestrelmetals"),
    ],
)
def test_questions_are_answered_from_the_content_with_a_citation(
    training: Conversation, question: str, session: int, fact: str
) -> None:
    turn = training.turn(question)
    reply = "\n".join(r.text for r in turn.replies)
    assert turn.intent.value == "question"
    assert fact in reply
    assert f"(from Session {session}: " in reply
    assert turn.passages and turn.passages[0][0] == session
    assert training.state() == (True, 1, [])  # asking never moves the partner


@pytest.mark.parametrize("current", [2, 4])
def test_the_current_session_is_preferred_when_several_cover_it(
    training: Conversation, current: int
) -> None:
    training.say(f"session {current}")
    reply = training.say("what is the mill test certificate?")
    assert f"(from Session {current}: " in reply


def test_an_off_topic_question_is_not_guessed(training: Conversation) -> None:
    turn = training.turn("what is the CEO's birthday?")
    reply = "\n".join(r.text for r in turn.replies)
    assert "I couldn't find that in the training material, Asha" in reply
    assert "Please ask your partner manager" in reply
    assert "(from Session" not in reply and not turn.passages
    assert training.state() == (True, 1, [])


def test_the_not_covered_reply_names_the_configured_contact(store: SQLiteStore) -> None:
    asha = Conversation(Engine(store, support_contact="Meera at partners@example.com"), store)
    asha.say("I am a new partner")
    assert "Please ask Meera at partners@example.com" in asha.say("do we get diwali gifts?")


def test_chat_history_is_saved_per_session_with_who_and_intent(
    training: Conversation, store: SQLiteStore
) -> None:
    training.say("next")
    training.say("How long are quotes valid?")
    training.say("thanks")
    session_2 = store.chat_history(training.phone, session=2)
    # The partner's "next" was written from Session 1; the session it showed belongs to 2.
    assert ("partner", "next") in [
        (e.who, e.intent) for e in store.chat_history(training.phone, session=1)
    ]
    assert [(e.who, e.intent) for e in session_2] == [
        ("genie", "next"),
        ("genie", "next"),
        ("partner", "question"),
        ("genie", "question"),
        ("partner", "other"),
        ("genie", "other"),
    ]
    assert session_2[2].text == "How long are quotes valid?"
    assert "valid for 7 calendar days" in session_2[3].text
    session_1 = store.chat_history(training.phone, session=1)
    assert session_1[0].who == "partner" and session_1[0].text == "I am a new partner"
    assert {e.intent for e in session_1} == {"enroll", "next"}
    everything = store.chat_history(training.phone, limit=500)
    assert len(everything) == len(session_1) + len(session_2)


def test_history_keeps_the_message_as_sent(partner: Conversation, store: SQLiteStore) -> None:
    partner.say("  Hi Genie 👋  ")
    entries = store.chat_history(partner.phone)
    assert entries[0].text == "Hi Genie 👋" and entries[0].session is None
    assert entries[1].who == "genie" and entries[1].intent == "other"
