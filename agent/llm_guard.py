"""Agent middleware that keeps every model call of a turn safe, bounded and accounted for."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import openai
from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain_core.messages import AIMessage, SystemMessage
from langchain_core.tools import BaseTool
from langchain_openai.chat_models.base import BaseChatOpenAI
from pydantic import ValidationError

from agent.llm_gate import LLMBusy, LLMGate
from agent.turn_context import TurnContext

MIN_CALL_SECONDS = 1.0  # below this, a model call cannot finish: fall back instead
DEFAULT_MAX_CALLS = 3  # Settings.llm_max_calls_per_turn's default
RETRY_PAUSE_S = 1.0  # the OpenAI client waits ~0.5-1 s before its retry
DEFAULT_CONCURRENCY = 32  # Settings.llm_concurrency's default


class UnusableReply(RuntimeError):
    """The model answered something the turn cannot use; the engine falls back."""


class TurnGuard(AgentMiddleware[Any, TurnContext]):
    """Per call: prompt for the phase, time budget, call limit, reply validation, call and
    token counts.

    The call limit lives here rather than in LangChain's ModelCallLimitMiddleware, whose
    before- and after-model hooks add two graph steps to every model call (about a fifth of
    a navigation turn's CPU) to count what `TurnContext.calls` already counts.
    """

    def __init__(
        self,
        tools: Sequence[BaseTool],
        timeout_s: float,
        max_retries: int,
        gate: LLMGate | None = None,
        max_calls: int = DEFAULT_MAX_CALLS,
    ) -> None:
        super().__init__()
        self.known_tools = {t.name: t for t in tools}
        self.timeout_s = timeout_s
        self.attempts = 1 + max_retries
        self.gate = gate or LLMGate(DEFAULT_CONCURRENCY)
        self.max_calls = max_calls

    def wrap_model_call(
        self,
        request: ModelRequest[TurnContext],
        handler: Callable[[ModelRequest[TurnContext]], ModelResponse],
    ) -> ModelResponse:
        """Prepare the request, call the model once, and check what came back."""
        ctx = request.runtime.context
        if ctx.outcome is not None:
            # A tool already produced the reply (e.g. nothing found): no model call needed.
            return ModelResponse(result=[AIMessage(content="")])
        if ctx.calls >= self.max_calls:
            # End the run with no tool call: the interpreter falls back as for any reply it
            # cannot use (or keeps a tool's reply that already stands).
            limit = f"Model call limit reached ({ctx.calls}/{self.max_calls} in this turn)."
            return ModelResponse(result=[AIMessage(content=limit)])
        remaining = ctx.deadline - time.monotonic()
        if remaining < MIN_CALL_SECONDS:
            raise UnusableReply(f"turn time budget spent before model call {ctx.calls + 1}")
        try:
            with self.gate.call(remaining - MIN_CALL_SECONDS):
                remaining = ctx.deadline - time.monotonic()
                ctx.calls += 1
                response = handler(self._prepare(request, ctx, remaining))
        except LLMBusy as exc:
            raise UnusableReply(str(exc)) from exc
        except openai.RateLimitError:
            self.gate.rate_limited()
            raise
        self.gate.succeeded()
        message = next((m for m in reversed(response.result) if isinstance(m, AIMessage)), None)
        if message is None:
            raise UnusableReply("the model returned no message")
        self._count(ctx, message)
        self._check(ctx, message)
        return response

    def _prepare(
        self, request: ModelRequest[TurnContext], ctx: TurnContext, remaining: float
    ) -> ModelRequest[TurnContext]:
        settings: dict[str, Any] = dict(request.model_settings)
        if isinstance(request.model, BaseChatOpenAI):
            # The client retries a timed-out request: share the time left between attempts,
            # so one turn stays inside WhatsApp's 15 s whatever the server does.
            per_attempt = (remaining - RETRY_PAUSE_S * (self.attempts - 1)) / self.attempts
            settings["timeout"] = max(min(self.timeout_s, per_attempt), 0.1)
            if not ctx.answering:
                settings["parallel_tool_calls"] = False
        if ctx.answering:  # the answer call: answer rules, no tools (a smaller prompt)
            return request.override(
                system_message=SystemMessage(ctx.answer_prompt), tools=[], model_settings=settings
            )
        return request.override(
            system_message=SystemMessage(ctx.system_prompt), model_settings=settings
        )

    def _count(self, ctx: TurnContext, message: AIMessage) -> None:
        usage = message.usage_metadata
        if usage:
            ctx.prompt_tokens += usage.get("input_tokens", 0)
            ctx.completion_tokens += usage.get("output_tokens", 0)

    def _check(self, ctx: TurnContext, message: AIMessage) -> None:
        """Reject replies that would run no tool, the wrong tool, or a tool with bad arguments."""
        if message.invalid_tool_calls:
            raise UnusableReply("malformed tool call arguments")
        if ctx.answering:
            if message.tool_calls:
                raise UnusableReply("a tool call where the answer was expected")
            return
        if not message.tool_calls:
            raise UnusableReply("a text reply without a tool call")
        if len(message.tool_calls) > 1:
            raise UnusableReply(f"{len(message.tool_calls)} tool calls in one reply")
        call = message.tool_calls[0]
        tool = self.known_tools.get(call["name"])
        if tool is None:
            raise UnusableReply(f"unknown tool {call['name']!r}")
        try:
            tool.tool_call_schema.model_validate(call["args"])  # type: ignore[union-attr]
        except ValidationError as exc:
            first = exc.errors()[:1]
            raise UnusableReply(f"invalid arguments for {call['name']}: {first}") from exc
