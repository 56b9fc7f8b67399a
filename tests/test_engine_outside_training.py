"""Messages that are not about training go to the regular assistant and never change state."""

from __future__ import annotations

import pytest

from tests.conversation import Conversation

GREETINGS = ["hi", "Hello!", "hey", "good morning", "namaste", "hii"]
UNRELATED = [
    "what's the weather like today?",
    "can you book me a cab",
    "I love pizza",
    "my cat is sick",
    "tell me a joke",
    "what is the CEO's birthday?",
]
SMALL_TALK = ["thanks", "thank you!", "ok", "👍", "shukriya"]


def _unchanged_fields(partner: Conversation) -> dict[str, object]:
    progress = partner.store.get_progress(partner.phone)
    if progress is None:
        return {}
    return progress.model_dump(exclude={"last_updated", "name", "created_at"})


@pytest.mark.parametrize("text", GREETINGS)
def test_a_greeting_before_training_introduces_genie(partner: Conversation, text: str) -> None:
    reply = partner.say(text)
    assert reply.startswith("Hi Asha! 👋 I'm Genie")
    assert "Say *I am a new partner* to start." in reply
    assert "continue my training" not in reply
    assert partner.state() == (False, None, [])
    assert partner.progress.training_started is False


@pytest.mark.parametrize("text", [*UNRELATED, "next", "done", "previous", "session 3", "exit"])
def test_before_training_nothing_else_starts_it(partner: Conversation, text: str) -> None:
    reply = partner.say(text)
    assert "📚 *Session" not in reply
    assert "I am a new partner" in reply
    assert partner.state() == (False, None, [])
    assert partner.progress.training_started is False


@pytest.mark.parametrize("text", [*GREETINGS, *UNRELATED])
def test_while_paused_the_assistant_mentions_where_to_resume(
    partner: Conversation, text: str
) -> None:
    partner.say("I am a new partner")
    partner.complete()
    partner.say("exit")
    before = _unchanged_fields(partner)
    reply = partner.say(text)
    assert "*continue my training*" in reply and "Session 2" in reply
    assert _unchanged_fields(partner) == before


@pytest.mark.parametrize("text", SMALL_TALK)
def test_small_talk_in_training_keeps_the_partner_where_they_are(
    partner: Conversation, text: str
) -> None:
    partner.say("I am a new partner")
    partner.say("3")
    before = _unchanged_fields(partner)
    turn = partner.turn(text)
    reply = turn.replies[0].text
    assert len(turn.replies) == 1 and turn.intent.value == "other"
    assert "You're on Session 3: Quotes and Pricing." in reply
    assert _unchanged_fields(partner) == before


def test_thanks_in_training_is_acknowledged(partner: Conversation) -> None:
    partner.say("I am a new partner")
    assert partner.say("thanks").startswith("You're welcome, Asha! 😊")
    assert partner.state() == (True, 1, [])


@pytest.mark.parametrize("text", UNRELATED)
def test_training_never_swallows_unrelated_messages(partner: Conversation, text: str) -> None:
    partner.say("I am a new partner")
    partner.say("2")
    before = _unchanged_fields(partner)
    reply = partner.say(text)
    assert "📚 *Session" not in reply and "(from Session" not in reply
    assert "Asha" in reply
    assert _unchanged_fields(partner) == before


def test_a_question_sharing_one_place_name_with_the_content_is_not_answered(
    partner: Conversation,
) -> None:
    partner.say("I am a new partner")
    assert "(from Session" not in partner.say("what's the weather in Pune?")


def test_questions_after_a_pause_or_after_finishing_are_answered_from_the_training(
    partner: Conversation,
) -> None:
    """The completion message says "you can still ask me anything": that must hold."""
    asha = partner
    asha.say("I am a new partner")
    asha.say("exit")
    paused = asha.state()
    assert "(from Session 3" in asha.say("what is the minimum order quantity?")
    assert asha.state() == paused
    off_topic = asha.say("who won the cricket match yesterday?")
    assert "(from Session" not in off_topic and asha.state() == paused


def test_questions_after_finishing_the_training_are_answered(partner: Conversation) -> None:
    partner.say("I am a new partner")
    for _ in range(7):
        partner.complete()
    finished = partner.state()
    assert finished[0] is False and finished[2] == [1, 2, 3, 4, 5, 6, 7]
    assert "(from Session 5" in partner.say("when are commissions paid out?")
    assert partner.state() == finished
