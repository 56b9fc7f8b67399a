"""The result of one conversation turn, and the interface the LLM interpreter implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from agent.intents import Intent
from agent.messages import Reply
from agent.training import Trainer
from store.models import Progress


@dataclass
class TurnResult:
    """Replies to send plus what the turn cost and how it was understood (for evals and logs)."""

    replies: list[Reply]
    intent: Intent
    source: str = "keyword"
    session: int | None = None
    session_arg: int | None = None
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    fallback_reason: str | None = None
    passages: list[tuple[int, str]] = field(default_factory=list)


class InterpreterFailed(RuntimeError):
    """The LLM could not produce a usable turn; the engine falls back to keywords."""

    def __init__(self, reason: str, llm_calls: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.llm_calls = llm_calls


class Interpreter(Protocol):
    """Understands a free-form message with an LLM and acts through the trainer's tools."""

    def interpret(
        self, text: str, phone: str, progress: Progress | None, trainer: Trainer
    ) -> TurnResult:
        """Handle the message or raise InterpreterFailed."""
        ...
