"""The one-call question lane: a plain question is searched first, the model only answers."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.intents import Intent
from agent.question_lane import QuestionLane
from agent.turn_context import TurnContext
from store.models import Progress, ProgressUpdate
from store.sqlite_store import SQLiteStore
from tests.fakes.chat_models import scripted, tool_call_message
from tests.llm_helpers import NO_QUESTION_LANE, PHONE, partner_on

QUESTION = "what is the minimum order quantity?"
ANSWER = "The MOQ is 500 kg per grade for stock items, Asha (from Session 3)."


def test_a_plain_question_is_one_answer_call_with_the_search_already_done(
    store: SQLiteStore,
) -> None:
    model = scripted(ANSWER)
    asha = partner_on(store, model, session=3, completed=(1, 2))
    result = asha.turn(QUESTION)
    assert (result.intent, result.source, result.llm_calls) == (Intent.QUESTION, "llm", 1)
    assert result.fallback_reason is None
    assert [r.text for r in result.replies] == [ANSWER]
    assert result.passages and result.passages[0][0] == 3
    assert result.prompt_tokens == 0  # the script reports no usage; a real model's is counted
    [prompt] = model.prompts
    system, *_, human, call, data = prompt
    assert isinstance(system, SystemMessage) and "NOT_COVERED" in system.text  # answer rules
    assert isinstance(human, HumanMessage) and human.text == QUESTION
    assert isinstance(call, AIMessage) and call.tool_calls[0]["name"] == "search_training"
    assert call.tool_calls[0]["args"] == {"query": QUESTION}
    assert isinstance(data, ToolMessage) and data.tool_call_id == call.tool_calls[0]["id"]
    assert '<passage session="3"' in data.text and "500 kg" in data.text
    assert model.bound_tools == []  # the answer call offers no tools


def test_the_lane_sends_what_the_second_call_of_the_agents_path_sends(
    store: SQLiteStore,
) -> None:
    lane = scripted(ANSWER)
    by_tool = scripted(tool_call_message("search_training", {"query": QUESTION}), ANSWER)
    one = partner_on(store, lane, session=3, completed=(1, 2)).turn(QUESTION)
    two = partner_on(store, by_tool, session=3, completed=(1, 2), **NO_QUESTION_LANE)
    result = two.turn(QUESTION)
    assert (one.llm_calls, result.llm_calls) == (1, 2)
    assert one.passages == result.passages and one.replies == result.replies

    def shown(prompt: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [(m.type, m.text) for m in prompt[-3:]]  # the question, the call, the passages

    assert shown(lane.prompts[0]) == shown(by_tool.prompts[1])
    assert lane.prompts[0][0].text == by_tool.prompts[1][0].text  # the same answer rules


def test_an_answer_with_an_invented_number_still_gives_the_extract(store: SQLiteStore) -> None:
    asha = partner_on(store, scripted("The MOQ is 250 kg (from Session 3)."), session=3)
    result = asha.turn(QUESTION)
    text = result.replies[0].text
    assert result.llm_calls == 1 and "250" not in text
    assert "500 kg per grade for stock items" in text and "Session 3" in text


def test_a_tool_call_instead_of_the_answer_falls_back_to_the_extract(store: SQLiteStore) -> None:
    model = scripted(tool_call_message("navigate", {"action": "next"}))
    asha = partner_on(store, model, session=3, completed=(1, 2))
    result = asha.turn(QUESTION)
    assert result.llm_calls == 1 and result.fallback_reason is not None
    assert "500 kg per grade" in result.replies[0].text and asha.state() == (True, 3, [1, 2])


def test_a_question_the_search_finds_nothing_for_is_left_to_the_agent(
    store: SQLiteStore,
) -> None:
    model = scripted(tool_call_message("small_talk", {}))
    result = partner_on(store, model).turn("who is the CEO of Tesla?")
    assert result.llm_calls == 1 and result.intent is Intent.OTHER
    [prompt] = model.prompts
    assert "NOT_COVERED" not in prompt[0].text  # the tool-choosing instructions
    assert model.bound_tools and "small_talk" in model.bound_tools[0]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (QUESTION, True),
        ("btw what's the MOQ?", True),
        ("पेआउट कब मिलता है?", True),
        ("go to session 4 and tell me the delivery charges", False),  # compound
        ("mark session 7 complete, and what is the MOQ?", False),  # a command clause too
        ("ok I get it, what's next?", False),  # navigation
        ("and that?", False),  # the model is not sure
        ("thanks a lot!", False),
        ("how are you?", False),  # small talk, though classified a question in training
    ],
)
def test_which_messages_are_plain_questions(store: SQLiteStore, text: str, plain: bool) -> None:
    asha = partner_on(store, scripted(), session=3, completed=(1, 2))
    ctx = TurnContext(PHONE, text, asha.engine.trainer, asha.progress)
    assert QuestionLane(0.6).is_plain_question(ctx) is plain


def test_the_threshold_and_the_partners_state_keep_questions_on_the_agents_path(
    store: SQLiteStore,
) -> None:
    asha = partner_on(store, scripted(), session=2)
    trainer = asha.engine.trainer
    ctx = TurnContext(PHONE, "btw what's the MOQ?", trainer, asha.progress)  # p(question) 0.83
    assert QuestionLane(0.8).is_plain_question(ctx)
    assert not QuestionLane(0.9).is_plain_question(ctx)
    assert not QuestionLane(1.0).is_plain_question(ctx)  # the setting's "off"
    new = Progress(phone="+15550009")
    assert not QuestionLane(0.6).is_plain_question(TurnContext("+15550009", QUESTION, trainer, new))
    asha.say("done")  # the session 2 quiz starts: its answers go to answer_quiz
    quiz = TurnContext(PHONE, "is it the grade with molybdenum in it?", trainer, asha.progress)
    assert not QuestionLane(0.6).is_plain_question(quiz)
    store.update_progress(PHONE, ProgressUpdate(quiz={}))
    after = TurnContext(PHONE, quiz.text, trainer, store.get_progress(PHONE))
    assert QuestionLane(0.6).is_plain_question(after)
