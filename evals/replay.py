"""Record a chat model's answers to a cassette, and replay them offline, deterministically."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult, LLMResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from evals.cassette import (
    CassetteWriter,
    ReplayMiss,
    load_cassette,
    record_to_message,
    request_key,
    tool_names,
)


class CassetteRecorder(BaseCallbackHandler):
    """Attach to any chat model (`callbacks=[...]`): writes each answer to a cassette.

    A callback rather than a wrapper model, so the recorded model keeps its own tool binding
    and request format exactly as in production.
    """

    def __init__(self, writer: CassetteWriter, model: str) -> None:
        self.writer = writer
        self.model = model
        self._pending: dict[UUID, tuple[str, list[str], str]] = {}
        self._lock = threading.Lock()

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        **kwargs: Any,
    ) -> None:
        """Remember the key of the request until its answer arrives."""
        tools = (kwargs.get("invocation_params") or {}).get("tools")
        key = request_key(messages[0], tools, self.model)
        last = messages[0][-1] if messages[0] else None
        asked = f"{last.type}: {last.text}" if last is not None else ""
        with self._lock:
            self._pending[run_id] = (key, tool_names(tools), asked)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Write the answer under its request key."""
        with self._lock:
            pending = self._pending.pop(run_id, None)
        generation = response.generations[0][0] if response.generations else None
        if pending is None or not isinstance(generation, ChatGeneration):
            return
        if isinstance(generation.message, AIMessage):
            key, names, asked = pending
            self.writer.write(key, self.model, names, generation.message, asked)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """Failed requests are not recorded: replaying them would hide the failure's cause."""
        with self._lock:
            self._pending.pop(run_id, None)


class OpenAIToolsChatModel(BaseChatModel):
    """A chat model binding tools in the OpenAI format, as ChatOpenAI does, so keys match."""

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind OpenAI-format tool schemas: they reach `_generate` (and callbacks) as `tools`."""
        formatted = [convert_to_openai_tool(tool, strict=strict) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)


class ReplayChatModel(OpenAIToolsChatModel):
    """Answers each request with the response recorded for it; raises ReplayMiss otherwise."""

    model: str
    entries: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @classmethod
    def from_file(
        cls, path: str | Path, model: str | None = None, **kwargs: Any
    ) -> ReplayChatModel:
        """Load a cassette; the model defaults to the one it was recorded with."""
        entries = load_cassette(path)
        recorded = sorted({str(e.get("model")) for e in entries.values()})
        model = model or (recorded[0] if recorded else "unknown")
        return cls(model=model, entries=entries, **kwargs)

    @property
    def _llm_type(self) -> str:
        return "replay"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        key = request_key(messages, kwargs.get("tools"), self.model)
        entry = self.entries.get(key)
        if entry is None:
            last = messages[-1].content if messages else ""
            raise ReplayMiss(
                f"replay miss: no recorded response for this request (key {key}, "
                f"last message {str(last)[:80]!r}); the prompt, tools, model or history "
                "changed since recording: record the cassette again"
            )
        message = record_to_message(entry["response"])
        return ChatResult(generations=[ChatGeneration(message=message)])
