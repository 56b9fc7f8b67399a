"""Scripted answers of the fake OpenAI server and the chat.completion bodies built from them."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from agent.tokens import count_message_tokens, count_tokens


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a chat message, an HTTP error, or a delay before another reply."""

    content: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    status: int = 200
    delay_seconds: float = 0.0
    then: Reply | None = None


def text(content: str) -> Reply:
    """Reply with an assistant text message."""
    return Reply(content=content)


def tool_call(name: str, args: dict[str, Any] | str, call_id: str | None = None) -> Reply:
    """Reply with one tool call; a str ``args`` is sent verbatim (e.g. malformed JSON)."""
    arguments = args if isinstance(args, str) else json.dumps(args)
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    return Reply(tool_calls=(call,))


def tool_calls(*calls: Reply) -> Reply:
    """Merge several ``tool_call`` replies into one parallel tool-call reply."""
    return Reply(tool_calls=tuple(c for reply in calls for c in reply.tool_calls))


def error(status: int = 500, message: str = "fake server error") -> Reply:
    """Reply with an HTTP error status and an OpenAI-style error body."""
    return Reply(content=message, status=status)


def delay(seconds: float, then: Reply | None = None) -> Reply:
    """Wait ``seconds`` before answering with ``then`` (default: text "ok"), to force timeouts."""
    return Reply(delay_seconds=seconds, then=then or text("ok"))


def completion_body(reply: Reply, request: dict[str, Any], number: int) -> dict[str, Any]:
    """Build a chat.completion response with usage counted by the real tokenizer."""
    model = str(request.get("model") or "gpt-4o-mini")
    calls = [
        {**call, "id": call["id"] or f"call_{number}_{index}"}
        for index, call in enumerate(reply.tool_calls)
    ]
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if calls:
        message["tool_calls"] = calls
    prompt_tokens = count_message_tokens(request.get("messages") or [], model)
    completion_text = [reply.content or ""] + [c["function"]["arguments"] for c in calls]
    completion_tokens = sum(count_tokens(part, model) for part in completion_text)
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
