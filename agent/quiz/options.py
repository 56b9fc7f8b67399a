"""A quiz question's options as a list to tap, and the payloads those rows send back.

Payloads are `quiz:<session>:<question index>:<answer>` (answer: the option letter, or
true/false), so a tap on a question already answered is recognised and never counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.interactive import (
    LIST_ROWS,
    ROW_DESCRIPTION_LIMIT,
    ROW_TITLE_LIMIT,
    Interactive,
    Option,
    short,
)
from agent.messages import Reply
from agent.quiz.state import QuizState
from prompts import message
from store.quiz_model import Kind, Quiz

QUIZ_PREFIX = "quiz:"


@dataclass(frozen=True)
class QuizTap:
    """A tapped quiz option: the question it was shown for and the answer it gives."""

    s_no: int
    index: int
    answer: str


def quiz_options(quiz: Quiz, state: QuizState) -> Interactive | None:
    """The current question's options as list rows; None for free-text questions."""
    question = quiz.questions[state.current]
    prefix = f"{QUIZ_PREFIX}{state.s_no}:{state.current}:"
    if question.kind is Kind.CHOICE and len(question.options) <= LIST_ROWS:
        letters = [chr(ord("A") + i) for i in range(len(question.options))]
        options = [
            Option(
                payload=prefix + letter,
                title=short(f"{letter}) {text}", ROW_TITLE_LIMIT),
                description=short(text, ROW_DESCRIPTION_LIMIT),
            )
            for letter, text in zip(letters, question.options, strict=True)
        ]
    elif question.kind is Kind.TRUE_FALSE:
        options = [
            Option(payload=prefix + value, title=message(f"quiz_{value}"))
            for value in ("true", "false")
        ]
    else:
        return None
    return Interactive(
        kind="list", purpose="quiz", body=message("quiz_list_body"), options=options,
        button=message("quiz_list_button"),
    )  # fmt: skip


def with_options(reply: Reply, quiz: Quiz, state: QuizState) -> Reply:
    """The reply that asks the current question, carrying its options to tap."""
    return reply.model_copy(update={"interactive": quiz_options(quiz, state)})


def parse_quiz_payload(payload: str | None) -> QuizTap | None:
    """The quiz tap a payload stands for, or None when it is not a quiz option of ours."""
    if not payload or not payload.startswith(QUIZ_PREFIX):
        return None
    s_no, index, answer = [*payload.removeprefix(QUIZ_PREFIX).split(":", 2), "", ""][:3]
    if not (s_no.isdigit() and index.isdigit() and answer):
        return None
    return QuizTap(int(s_no), int(index), answer)
