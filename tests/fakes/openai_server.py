"""Re-export of the fake OpenAI server, which lives in evals.fakes so benchmarks can use it."""

from evals.fakes.openai_server import (
    CHAT_PATH,
    FakeOpenAI,
    Reply,
    Responder,
    delay,
    error,
    text,
    tool_call,
    tool_calls,
)

__all__ = [
    "CHAT_PATH",
    "FakeOpenAI",
    "Reply",
    "Responder",
    "delay",
    "error",
    "text",
    "tool_call",
    "tool_calls",
]
