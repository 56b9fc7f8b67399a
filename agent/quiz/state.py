"""The quiz in progress, kept in `Progress.quiz` so it survives restarts and pauses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from store.models import Progress, TrainingSession
from store.quiz_model import Kind, quiz_of

Phase = Literal["asking", "review", "locked"]


class QuizState(BaseModel):
    """Where a partner is in a session's quiz.

    `queue` holds the question indices of this round (all, then the missed ones on a retry),
    `pos` the next one to ask; `right` every question answered correctly in any round.
    """

    s_no: int
    attempt: int = 1
    queue: list[int] = Field(default_factory=list)
    pos: int = 0
    right: list[int] = Field(default_factory=list)
    phase: Phase = "asking"
    paused: bool = False

    @property
    def current(self) -> int:
        """The index of the question being asked."""
        return self.queue[min(self.pos, len(self.queue) - 1)]

    def as_dict(self) -> dict[str, Any]:
        """The state as stored in Progress.quiz."""
        return self.model_dump()


def state_of(progress: Progress | None) -> QuizState | None:
    """The partner's quiz in progress, or None (also for a record that no longer validates)."""
    if progress is None or not progress.quiz:
        return None
    try:
        state = QuizState.model_validate(progress.quiz)
    except ValidationError:
        return None
    return state if state.queue else None


def quiz_status(progress: Progress, sessions: Sequence[TrainingSession]) -> str | None:
    """For the model's instructions: the quiz question being asked, or None."""
    state = state_of(progress)
    if state is None or state.paused or state.phase != "asking":
        return None
    session = next((s for s in sessions if s.s_no == state.s_no), None)
    quiz = quiz_of(session)
    if quiz is None:
        return None
    question = quiz.questions[state.current]
    lines = [f"is taking the Session {state.s_no} quiz (answers go to answer_quiz). Question:"]
    lines.append(question.question)
    if question.kind is Kind.CHOICE:
        lines += [f"{chr(ord('A') + i)}) {o}" for i, o in enumerate(question.options)]
    elif question.kind is Kind.TRUE_FALSE:
        lines.append("(true or false)")
    else:
        lines.append("(short answer; accepted: " + " | ".join(question.accepted) + ")")
    return "\n".join(lines)
