"""LLM usage and latency per turn (metered by a LangChain callback) and their run totals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from agent.tokens import count_message_tokens, count_tokens
from agent.turns import TurnResult
from evals.cassette import ReplayMiss
from evals.metrics import percentile
from evals.pricing import cost_usd


@dataclass
class TurnUsage:
    """What one turn cost: requests the model saw, tokens (reported and tiktoken), latency."""

    latency_ms: float = 0.0
    llm_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tiktoken_prompt: int = 0
    tiktoken_completion: int = 0
    llm_errors: int = 0
    replay_misses: int = 0


_CURRENT: ContextVar[TurnUsage | None] = ContextVar("evals_turn_usage", default=None)


@contextmanager
def metering() -> Iterator[TurnUsage]:
    """Collect the usage of the LLM requests made inside the block."""
    usage = TurnUsage()
    token = _CURRENT.set(usage)
    try:
        yield usage
    finally:
        _CURRENT.reset(token)


def _completion_text(message: AIMessage) -> list[str]:
    content = message.content if isinstance(message.content, str) else json.dumps(message.content)
    return [content] + [call["name"] + json.dumps(call["args"]) for call in message.tool_calls]


class UsageMeter(BaseCallbackHandler):
    """A callback for any chat model: adds each request to the current turn's TurnUsage."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._estimates: dict[UUID, int] = {}

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        **kwargs: Any,
    ) -> None:
        """Count the request and estimate its prompt tokens (messages + tool schemas)."""
        usage = _CURRENT.get()
        if usage is None:
            return
        tools = (kwargs.get("invocation_params") or {}).get("tools") or []
        schema_tokens = sum(count_tokens(json.dumps(t, sort_keys=True), self.model) for t in tools)
        estimate = sum(
            count_message_tokens(batch, self.model) + schema_tokens for batch in messages
        )
        usage.llm_requests += len(messages)
        usage.tiktoken_prompt += estimate
        self._estimates[run_id] = estimate

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Add the provider-reported usage and the tiktoken count of the answer."""
        self._estimates.pop(run_id, None)
        usage = _CURRENT.get()
        if usage is None:
            return
        for generation in (g for batch in response.generations for g in batch):
            if not isinstance(generation, ChatGeneration):
                continue
            message = generation.message
            if not isinstance(message, AIMessage):
                continue
            reported = message.usage_metadata
            if reported:
                usage.prompt_tokens += int(reported.get("input_tokens", 0))
                usage.completion_tokens += int(reported.get("output_tokens", 0))
            usage.tiktoken_completion += sum(
                count_tokens(part, self.model) for part in _completion_text(message) if part
            )

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """Count failed requests, replay misses separately (a miss never reached a model)."""
        estimate = self._estimates.pop(run_id, 0)
        usage = _CURRENT.get()
        if usage is None:
            return
        usage.llm_errors += 1
        if isinstance(error, ReplayMiss):
            usage.replay_misses += 1
            usage.tiktoken_prompt -= estimate


def turn_record(result: TurnResult, usage: TurnUsage) -> dict[str, Any]:
    """One turn as a JSON-ready dict: how it was understood and what it cost."""
    record = asdict(usage)
    # An interpreter that reports usage itself is trusted when the meter saw none.
    record["prompt_tokens"] = usage.prompt_tokens or result.prompt_tokens
    record["completion_tokens"] = usage.completion_tokens or result.completion_tokens
    record.update(
        source=result.source,
        llm_calls=max(result.llm_calls, usage.llm_requests),
        fallback_reason=result.fallback_reason,
    )
    return record


def summarise_usage(turns: list[dict[str, Any]], model: str | None) -> dict[str, Any]:
    """Totals, latency and token percentiles, and the estimated cost of a list of turn records."""
    latencies = [t["latency_ms"] for t in turns]
    llm_turns = [t for t in turns if t["llm_calls"]]

    def total(key: str) -> int:
        return sum(int(t[key]) for t in turns)

    prompt, completion = total("prompt_tokens"), total("completion_tokens")
    if not prompt and not completion:  # no usage reported: price the tiktoken estimate
        prompt, completion = total("tiktoken_prompt"), total("tiktoken_completion")
    per_turn_tokens = [t["prompt_tokens"] + t["completion_tokens"] for t in llm_turns]
    return {
        "turns": len(turns),
        "llm_turns": len(llm_turns),
        "llm_calls": total("llm_calls"),
        "prompt_tokens": total("prompt_tokens"),
        "completion_tokens": total("completion_tokens"),
        "tiktoken_prompt": total("tiktoken_prompt"),
        "tiktoken_completion": total("tiktoken_completion"),
        "fallbacks": sum(1 for t in turns if t["fallback_reason"]),
        "llm_errors": total("llm_errors"),
        "replay_misses": total("replay_misses"),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "latency_max_ms": max(latencies, default=None),
        "tokens_per_llm_turn_p50": percentile(per_turn_tokens, 50),
        "tokens_per_llm_turn_p95": percentile(per_turn_tokens, 95),
        "cost_usd": cost_usd(model, prompt, completion) if llm_turns else 0.0,
    }
