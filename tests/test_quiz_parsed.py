"""A session's quiz is parsed once per stored quiz dict; an edited quiz is parsed again."""

from __future__ import annotations

from typing import Any

from agent.quiz import parsed
from agent.quiz.parsed import parsed_quiz
from store.models import TrainingSession

QUIZ = {"questions": [{"question": "Pick one", "options": ["a", "b"], "answer": 1}]}


def _session(quiz: dict[str, Any] | None) -> TrainingSession:
    return TrainingSession(s_no=1, heading="One", content="text", quiz=quiz)


def test_copies_sharing_the_stored_quiz_get_the_same_parse() -> None:
    session = _session({**QUIZ})
    first = parsed_quiz(session)
    assert first is not None and first.questions[0].options == ["a", "b"]
    assert parsed_quiz(session.model_copy()) is first  # the store's copies share the dict


def test_an_edited_quiz_is_parsed_again() -> None:
    before = parsed_quiz(_session({**QUIZ}))
    edited = {"questions": [{"question": "Pick one", "options": ["a", "b", "c"], "answer": 3}]}
    after = parsed_quiz(_session(edited))
    assert before is not None and after is not None
    assert after.questions[0].options == ["a", "b", "c"]


def test_no_quiz_and_an_invalid_quiz_are_none() -> None:
    assert parsed_quiz(None) is None
    assert parsed_quiz(_session(None)) is None
    assert parsed_quiz(_session({"questions": []})) is None


def test_the_kept_parses_stay_bounded() -> None:
    for _ in range(parsed.MAX_KEPT * 2):
        parsed_quiz(_session({**QUIZ}))
    assert len(parsed._kept) <= parsed.MAX_KEPT
