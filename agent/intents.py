"""The intents Genie recognises and the result of classifying one message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Intent(StrEnum):
    """What a partner wants from one message."""

    ENROLL = "enroll"
    RESUME = "resume"
    NEXT = "next"
    PREVIOUS = "previous"
    MENU = "menu"
    COMPLETE = "complete"
    JUMP = "jump"
    RESTART = "restart"
    EXIT = "exit"
    PROGRESS = "progress"
    QUESTION = "question"
    QUIZ = "quiz"  # an answer (or control) inside a session's quiz
    OTHER = "other"


Source = Literal["keyword", "fuzzy", "model", "llm", "default"]


@dataclass(frozen=True)
class Classification:
    """An intent with its session argument (for jump), where it came from and how sure we are.

    `exact` marks a command matched as a whole message: it takes the fast path, no LLM call.
    `last_session` stands for "the last one" (resolved against the content when acted on);
    `question` is the question part of a compound message ("go to session 4, what is the
    MOQ?"), answered after the navigation.
    """

    intent: Intent
    session: int | None = None
    source: Source = "keyword"
    confidence: float = 1.0
    exact: bool = False
    last_session: bool = False
    question: str | None = None
