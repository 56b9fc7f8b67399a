"""Cassettes: recorded LLM responses in JSONL, keyed by a stable hash of the request."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

CASSETTE_VERSION = 1


class ReplayMiss(LookupError):
    """No recorded response for this request: the prompt, tools, model or history changed."""


class CassetteError(ValueError):
    """A cassette file that cannot be read."""


def _message_fingerprint(message: BaseMessage) -> dict[str, Any]:
    """The parts of a message a model reads; tool-call ids are random per recording, so left out."""
    content = message.content if isinstance(message.content, str) else json.dumps(message.content)
    fingerprint: dict[str, Any] = {"type": message.type, "content": content}
    if isinstance(message, AIMessage) and message.tool_calls:
        fingerprint["tool_calls"] = [[c["name"], c["args"]] for c in message.tool_calls]
    if isinstance(message, ToolMessage) and message.name:
        fingerprint["tool"] = message.name
    return fingerprint


def request_key(
    messages: Sequence[BaseMessage], tools: Sequence[Mapping[str, Any]] | None, model: str
) -> str:
    """A stable hash of everything that shapes the answer: messages, tool schemas and model.

    Tool schemas (names, descriptions, parameters) are part of the key: their descriptions are
    prompts too, and a replay must never pretend an edited prompt was answered.
    """
    payload = {
        "model": model,
        "messages": [_message_fingerprint(m) for m in messages],
        "tools": sorted(json.dumps(t, sort_keys=True, default=str) for t in tools or []),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def tool_names(tools: Sequence[Mapping[str, Any]] | None) -> list[str]:
    """The names of OpenAI-format tool schemas."""
    return [str(t.get("function", t).get("name", "?")) for t in tools or []]


def message_to_record(message: AIMessage) -> dict[str, Any]:
    """The parts of a model answer worth replaying: text, tool calls and reported usage."""
    return {
        "content": message.content,
        "tool_calls": [
            {"name": c["name"], "args": c["args"], "id": c.get("id")} for c in message.tool_calls
        ],
        "usage": dict(message.usage_metadata) if message.usage_metadata else None,
        "finish_reason": message.response_metadata.get("finish_reason"),
    }


def record_to_message(record: Mapping[str, Any]) -> AIMessage:
    """Rebuild the recorded answer as an AIMessage."""
    calls = [
        {"name": c["name"], "args": c["args"], "id": c.get("id"), "type": "tool_call"}
        for c in record.get("tool_calls") or []
    ]
    usage = record.get("usage")
    return AIMessage(
        content=record.get("content") or "",
        tool_calls=calls,
        usage_metadata=dict(usage) if usage else None,  # type: ignore[arg-type]
        response_metadata={"finish_reason": record.get("finish_reason"), "replayed": True},
    )


def load_cassette(path: str | Path) -> dict[str, dict[str, Any]]:
    """Recorded responses by request key (a later line for the same key wins)."""
    entries: dict[str, dict[str, Any]] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CassetteError(f"cannot read cassette {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            entries[str(entry["key"])] = entry
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CassetteError(f"{path}:{number}: not a cassette entry ({exc})") from exc
    return entries


class CassetteWriter:
    """Appends recorded responses to a JSONL cassette; safe to share between threads."""

    def __init__(self, path: str | Path, *, truncate: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        if truncate:
            self.path.write_text("", encoding="utf-8")
        self.count = 0

    def write(
        self, key: str, model: str, tools: list[str], message: AIMessage, asked: str = ""
    ) -> None:
        """Append one response; a request seen before in this recording is written once.

        `asked` (the request's last message) is kept for people reading the cassette only.
        """
        entry = {"v": CASSETTE_VERSION, "key": key, "model": model, "tools": tools}
        entry["asked"] = asked[:200]
        entry["response"] = message_to_record(message)
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
            self.count += 1
