"""Quiz answers and feedback are written with the turn that gave them: once, even if redone."""

from __future__ import annotations

from agent.turn_unit import TurnUnit
from store.base import TrainingStore
from store.quiz_factory import quiz_store_for
from store.quiz_store import Feedback, QuizAnswer


def record_answer(store: TrainingStore, answer: QuizAnswer) -> None:
    """Keep a quiz answer: in the turn's unit during a turn, else straight in the store."""
    quiz = quiz_store_for(store)  # also makes sure the tables a turn's commit writes exist
    if isinstance(store, TurnUnit):
        store.record_quiz_answer(answer)
    else:
        quiz.record_answer(answer)


def record_feedback(store: TrainingStore, feedback: Feedback) -> None:
    """Keep a feedback record: in the turn's unit during a turn, else straight in the store."""
    quiz = quiz_store_for(store)
    if isinstance(store, TurnUnit):
        store.record_feedback(feedback)
    else:
        quiz.record_feedback(feedback)


def pending_answers(store: TrainingStore) -> list[QuizAnswer]:
    """The answers this turn gave that are not written yet (none outside a turn)."""
    return list(store.quiz_answers) if isinstance(store, TurnUnit) else []
