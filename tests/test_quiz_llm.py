"""The quiz on the LLM path: exact answers cost no call, paraphrases go to the answer_quiz tool."""

from __future__ import annotations

from agent.intents import Intent
from store.sqlite_store import SQLiteStore
from tests.fakes.chat_models import scripted, tool_call_message
from tests.llm_helpers import partner_on


def test_exact_answers_and_commands_mid_quiz_cost_no_llm_call(store: SQLiteStore) -> None:
    asha = partner_on(store, scripted())  # a model with no answers: any call would fail
    assert asha.turn("done").llm_calls == 0
    for text in ("SS316", "menu", "done", "yes"):
        result = asha.turn(text)
        assert (result.llm_calls, result.fallback_reason) == (0, None), text
    quiz = asha.progress.quiz
    assert quiz is not None and quiz["pos"] == 2 and quiz["right"] == [0, 1]


def test_a_paraphrase_is_mapped_by_the_model_and_graded_by_the_content(store: SQLiteStore) -> None:
    model = scripted(tool_call_message("answer_quiz", {"meant": "C"}))
    asha = partner_on(store, model)
    asha.say("done")
    result = asha.turn("the grade with molybdenum in it")
    assert (result.intent, result.source, result.llm_calls) == (Intent.QUIZ, "llm", 1)
    assert "✅ Correct!" in result.replies[0].text
    [prompt] = model.prompts
    assert "Session 2 quiz" in prompt[0].text and "C) SS316" in prompt[0].text


def test_the_model_cannot_mark_right_what_the_content_does_not_allow(store: SQLiteStore) -> None:
    # The short answer is "IS 2062 E250"; the model claims "SS304" is what the partner meant.
    model = scripted(tool_call_message("answer_quiz", {"meant": "SS304"}))
    asha = partner_on(store, model)
    for text in ("done", "C", "true"):
        asha.say(text)
    result = asha.turn("the usual mild steel one")
    assert "❌ Not quite. The answer is: IS 2062 E250" in result.replies[0].text
    answers = [a for a in _answers(store) if a.q_no == 3]
    assert [(a.answer, a.correct) for a in answers] == [("the usual mild steel one", False)]


def test_without_a_usable_model_the_deterministic_grader_decides(store: SQLiteStore) -> None:
    asha = partner_on(store, scripted("I cannot decide"))  # prose, no tool call: fallback
    asha.say("done")
    result = asha.turn("SS 316 grade")
    assert result.fallback_reason is not None
    assert "✅ Correct!" in result.replies[0].text


def _answers(store: SQLiteStore) -> list:  # type: ignore[type-arg]
    from store.quiz_factory import quiz_store_for

    return quiz_store_for(store).answers(phone="+15550001")
