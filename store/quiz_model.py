"""The typed quiz of a session (stored as `TrainingSession.quiz`) and its three question kinds."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, ValidationError, model_validator

from store.models import TrainingSession


class Kind(StrEnum):
    """How a question is answered."""

    CHOICE = "choice"  # pick one of the options
    TRUE_FALSE = "true_false"  # true or false
    SHORT = "short"  # free text, any accepted answer


class Question(BaseModel):
    """One question; `answer` is an option number/text, a bool, or the accepted short answers."""

    question: str = Field(min_length=1)
    options: list[str] = Field(default_factory=list)
    answer: int | bool | str | list[str]
    explanation: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        problem = question_problem(self.options, self.answer)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def kind(self) -> Kind:
        """Multiple choice with options, true/false with a bool, otherwise short answer."""
        if self.options:
            return Kind.CHOICE
        return Kind.TRUE_FALSE if isinstance(self.answer, bool) else Kind.SHORT

    @property
    def correct_option(self) -> int:
        """The 0-based index of the right option (multiple choice only)."""
        if isinstance(self.answer, int) and not isinstance(self.answer, bool):
            return self.answer - 1
        return self.options.index(str(self.answer))

    @property
    def accepted(self) -> list[str]:
        """The accepted short answers (short-answer questions only)."""
        if isinstance(self.answer, str):
            return [self.answer]
        return list(self.answer) if isinstance(self.answer, list) else []

    def right_reply(self) -> str:
        """A message a partner who knows the answer might send (tests, benchmarks, demos)."""
        if self.kind is Kind.CHOICE:
            return chr(ord("A") + self.correct_option)
        if self.kind is Kind.TRUE_FALSE:
            return "true" if self.answer else "false"
        return self.accepted[0]

    def answer_text(self) -> str:
        """The right answer as a partner reads it."""
        if self.kind is Kind.CHOICE:
            i = self.correct_option
            return f"{chr(ord('A') + i)}) {self.options[i]}"
        if self.kind is Kind.TRUE_FALSE:
            return "True" if self.answer else "False"
        return self.accepted[0]


class Quiz(BaseModel):
    """A session's knowledge check: questions and an optional pass mark (percent)."""

    pass_mark: int | None = Field(default=None, ge=0, le=100)
    questions: list[Question] = Field(min_length=1)


def question_problem(options: list[str], answer: object) -> str | None:
    """Why a question's options and answer do not fit together, or None when they do."""
    if options:
        if odd := next((o for o in options if not isinstance(o, str)), None):
            return f"option {odd!r} must be text (put it in quotes)"
        if any(not o.strip() for o in options):
            return "has an empty option"
        if len(options) < 2:
            return "needs at least 2 options"
        if len({o.strip().lower() for o in options}) < len(options):
            return "has the same option twice"
        if isinstance(answer, bool):
            return "is a true/false answer with options (drop the options or answer a number)"
        if isinstance(answer, int):
            if not 1 <= answer <= len(options):
                return f"answer {answer} is out of range (options 1 to {len(options)})"
            return None
        if isinstance(answer, str):
            return None if answer in options else f"answer {answer!r} is not one of the options"
        return "answer must be an option number or the exact text of an option"
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return "a numbered answer needs options"
    if isinstance(answer, str):
        return None if answer.strip() else "has an empty answer"
    if isinstance(answer, list):
        if not answer:
            return "has an empty list of accepted answers"
        if any(not isinstance(a, str) or not a.strip() for a in answer):
            return "has an empty accepted answer"
        return None
    return "answer must be an option number or text, true/false, or a list of accepted answers"


def quiz_of(session: TrainingSession | None) -> Quiz | None:
    """The session's quiz, or None when it has none (or a stored one no longer validates)."""
    if session is None or not session.quiz:
        return None
    try:
        return Quiz.model_validate(session.quiz)
    except ValidationError:
        return None


def quiz_dict(quiz: Quiz) -> dict[str, Any]:
    """The quiz as stored on the session: only what the author wrote."""
    return quiz.model_dump(exclude_none=True, exclude_defaults=True)
