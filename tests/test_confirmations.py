"""A restart with completed sessions waits for yes/no; other messages drop the question."""

from __future__ import annotations

import pytest

from agent.confirmations import CONFIRM_RESTART, answer_of
from agent.engine import Engine
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation
from tests.fakes.chat_models import scripted, tool_call_message
from tests.llm_helpers import partner_on


@pytest.fixture
def asha(quizless_store: SQLiteStore) -> Conversation:
    """Asha, enrolled, with Session 1 done."""
    partner = Conversation(Engine(quizless_store), quizless_store, phone="+15550001", name="Asha")
    partner.say("I am a new partner")
    partner.say("done")
    return partner


@pytest.mark.parametrize(
    ("text", "answer"),
    [("yes", "yes"), ("Yes!", "yes"), ("haan ji", "yes"), ("हाँ", "yes"), ("👍", "yes"),
     ("no", "no"), ("Nahi.", "no"), ("keep my progress", "no"), ("नहीं", "no"),
     ("yes but what is SS304?", None), ("next", None), ("", None)],
)  # fmt: skip
def test_answers(text: str, answer: str | None) -> None:
    assert answer_of(text) == answer


def test_restart_with_progress_waits_for_the_answer(asha: Conversation) -> None:
    assert "Are you sure?" in asha.say("restart")
    assert asha.progress.pending == CONFIRM_RESTART and asha.state() == (True, 2, [1])
    assert "Training restarted" in asha.say("yes")
    assert asha.progress.pending is None and asha.state() == (True, 1, [])


def test_no_keeps_everything_and_clears_the_question(asha: Conversation) -> None:
    asha.say("start over")
    assert "your progress is kept" in asha.say("no")
    assert asha.progress.pending is None and asha.state() == (True, 2, [1])


def test_any_other_message_drops_the_question_and_is_handled(asha: Conversation) -> None:
    asha.say("restart")
    assert "Session 3" in asha.say("next")
    assert asha.progress.pending is None
    asha.say("yes")  # too late: nothing to confirm any more
    assert asha.state() == (True, 3, [1])


def test_without_completed_sessions_restart_is_immediate(quizless_store: SQLiteStore) -> None:
    ben = Conversation(Engine(quizless_store), quizless_store, phone="+15550002", name="Ben")
    ben.say("I am a new partner")
    ben.say("next")
    assert "Training restarted" in ben.say("restart")
    assert ben.state() == (True, 1, []) and ben.progress.pending is None


def test_a_restart_the_model_guessed_is_asked_even_without_completed_sessions(
    quizless_store: SQLiteStore,
) -> None:
    ben = Conversation(Engine(quizless_store), quizless_store, phone="+15550002", name="Ben")
    ben.say("I am a new partner")
    ben.say("next")
    assert "Are you sure?" in ben.say("please reset everything so i can begin fresh")
    assert ben.state() == (True, 2, []) and ben.progress.pending == CONFIRM_RESTART
    assert "Training restarted" in ben.say("yes")


def test_the_llm_tool_asks_and_no_is_understood_without_a_model_call(
    quizless_store: SQLiteStore,
) -> None:
    model = scripted(tool_call_message("navigate", {"action": "restart"}))
    partner = partner_on(quizless_store, model)
    assert "Are you sure?" in partner.say("honestly let me redo everything from the top")
    prompts_before = len(model.prompts)
    assert "your progress is kept" in partner.say("nahi")
    assert len(model.prompts) == prompts_before and partner.state() == (True, 2, [1])
