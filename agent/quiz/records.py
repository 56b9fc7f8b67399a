"""Quiz answers and feedback are written with the turn that gave them: once, even if redone."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from agent.turn_unit import TurnUnit
from store.base import TrainingStore
from store.quiz_factory import quiz_store_for
from store.quiz_store import Feedback, QuizAnswer, QuizStore

Record = TypeVar("Record", QuizAnswer, Feedback)


def _keep(
    store: TrainingStore,
    record: Record,
    in_turn: Callable[[TurnUnit], Callable[[Record], None]],
    in_store: Callable[[QuizStore], Callable[[Record], None]],
) -> None:
    """Keep a record: in the turn's unit during a turn, else straight in the quiz store."""
    quiz = quiz_store_for(store)  # also makes sure the tables a turn's commit writes exist
    if isinstance(store, TurnUnit):
        in_turn(store)(record)
    else:
        in_store(quiz)(record)


def record_answer(store: TrainingStore, answer: QuizAnswer) -> None:
    """Keep a quiz answer: in the turn's unit during a turn, else straight in the store."""
    _keep(store, answer, lambda turn: turn.record_quiz_answer, lambda quiz: quiz.record_answer)


def record_feedback(store: TrainingStore, feedback: Feedback) -> None:
    """Keep a feedback record: in the turn's unit during a turn, else straight in the store."""
    _keep(store, feedback, lambda turn: turn.record_feedback, lambda quiz: quiz.record_feedback)


def pending_answers(store: TrainingStore) -> list[QuizAnswer]:
    """The answers this turn gave that are not written yet (none outside a turn)."""
    return list(store.quiz_answers) if isinstance(store, TurnUnit) else []
