"""The LLM agent with the real ChatOpenAI client against a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from agent import llm_agent
from agent.intents import Intent
from agent.tokens import count_message_tokens, count_tokens
from prompts import prompt
from store.models import ProgressUpdate
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation
from tests.fakes.openai_server import FakeOpenAI, Reply, delay, error, text, tool_call
from tests.llm_helpers import PHONE, agent_engine

MODEL = "gpt-4o-mini"
NAVIGATION_BUDGET = 1500
QUESTION_BUDGET = 2500
TOOLS = [
    "navigate", "complete_session", "show_progress", "start_training", "search_training",
    "small_talk", "answer_quiz",
]  # fmt: skip


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as srv:
        yield srv


def asha(store: SQLiteStore, srv: FakeOpenAI, **overrides: Any) -> Conversation:
    """Asha mid-training (session 3, sessions 1-2 done) with some chat history behind her."""
    engine = agent_engine(
        store, model=None, openai_base_url=srv.base_url, openai_model=MODEL, **overrides
    )
    partner = Conversation(engine, store, phone=PHONE)
    # Exact commands and exact quiz answers: no LLM requests.
    for command in ["I am a new partner", "next", "done", "C", "true", "E250"]:
        partner.send(command)
    assert srv.requests == [] and partner.state() == (True, 3, [2])
    store.update_progress(PHONE, ProgressUpdate(add_completed=[1]))
    return partner


def prompt_tokens(request: dict[str, Any]) -> int:
    """What the request costs: its messages plus the tool schemas, with the real tokenizer."""
    tools = json.dumps(request.get("tools") or [], ensure_ascii=False)
    return count_message_tokens(request["messages"], MODEL) + count_tokens(tools, MODEL)


def test_navigation_is_one_request_with_tools_model_and_no_identity(
    store: SQLiteStore, server: FakeOpenAI
) -> None:
    partner = asha(store, server)
    server.enqueue(tool_call("navigate", {"action": "next"}))
    result = partner.turn("ok I get it, what's next?")
    assert (result.source, result.intent, result.llm_calls) == ("llm", Intent.NEXT, 1)
    assert partner.state() == (True, 4, [1, 2])
    [request] = server.requests
    assert request["model"] == MODEL and request["parallel_tool_calls"] is False
    offered = {t["function"]["name"]: t["function"] for t in request["tools"]}
    assert list(offered) == TOOLS
    assert offered["navigate"]["description"] == prompt("tools/navigate.md")
    for function in offered.values():
        assert not {"phone", "runtime"} & set(function["parameters"].get("properties", {}))
    assert PHONE not in json.dumps(request) and PHONE.lstrip("+") not in json.dumps(request)
    assert request["messages"][0]["role"] == "system"
    assert request["messages"][-1] == {"role": "user", "content": "ok I get it, what's next?"}
    assert prompt_tokens(request) <= NAVIGATION_BUDGET
    assert result.prompt_tokens == count_message_tokens(request["messages"], MODEL)


QUOTE_ANSWER = (
    "Quotes are valid for 7 calendar days; copper and brass for 48 hours (from Session 3)."
)


def test_a_plain_question_is_one_request_within_the_budget(
    store: SQLiteStore, server: FakeOpenAI
) -> None:
    partner = asha(store, server)
    server.enqueue(text(QUOTE_ANSWER))
    result = partner.turn("hmm how long do quotes stay valid?")
    assert [r.text for r in result.replies] == [QUOTE_ANSWER]
    assert (result.intent, result.llm_calls, len(server.requests)) == (Intent.QUESTION, 1, 1)
    [request] = server.requests
    assert "tools" not in request and "parallel_tool_calls" not in request
    assert request["messages"][0]["content"].startswith(prompt("answer.md")[:30])
    *_, asked, call, data = request["messages"]
    assert asked == {"role": "user", "content": "hmm how long do quotes stay valid?"}
    assert call["role"] == "assistant" and call["tool_calls"][0]["id"] == data["tool_call_id"]
    assert data["role"] == "tool" and '<passage session="3"' in data["content"]
    assert PHONE not in json.dumps(request) and prompt_tokens(request) <= QUESTION_BUDGET
    assert result.prompt_tokens == count_message_tokens(request["messages"], MODEL)


def test_a_question_the_model_looks_up_is_two_requests_within_the_budget(
    store: SQLiteStore, server: FakeOpenAI
) -> None:
    partner = asha(store, server, llm_question_lane_confidence=1.0)
    answer = QUOTE_ANSWER
    server.enqueue(tool_call("search_training", {"query": "quote validity"}), text(answer))
    result = partner.turn("hmm how long do quotes stay valid?")
    assert [r.text for r in result.replies] == [answer]
    assert (result.intent, result.llm_calls, len(server.requests)) == (Intent.QUESTION, 2, 2)
    first, second = server.requests
    assert "tools" not in second and "parallel_tool_calls" not in second
    assert second["messages"][0]["content"].startswith(prompt("answer.md")[:30])
    assert second["messages"][-1]["role"] == "tool"
    assert '<passage session="3"' in second["messages"][-1]["content"]
    assert PHONE not in json.dumps(server.requests)
    assert max(prompt_tokens(first), prompt_tokens(second)) <= QUESTION_BUDGET
    assert prompt_tokens(first) <= NAVIGATION_BUDGET


FAULTS: list[tuple[str, list[Reply], str]] = [
    ("timeout", [delay(2.0, tool_call("navigate", {"action": "next"}))] * 2, "Timeout"),
    ("http 500", [error(500)] * 2, "Error code: 500"),
    ("malformed arguments", [tool_call("navigate", '{"action": "ne')], "malformed"),
    ("unknown tool", [tool_call("delete_progress", {})], "unknown tool"),
    ("text without tool call", [text("Sure, moving on!")], "without a tool call"),
]


@pytest.mark.parametrize(("replies", "why"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_faults_fall_back_to_keywords(
    store: SQLiteStore, server: FakeOpenAI, replies: list[Reply], why: str
) -> None:
    partner = asha(store, server, llm_timeout_s=0.5)
    server.enqueue(*replies)
    started = time.monotonic()
    result = partner.turn("ok I get it, what's next?")
    assert time.monotonic() - started < 3.0
    assert result.fallback_reason is not None and why in result.fallback_reason
    assert result.llm_calls == 1 and 1 <= len(server.requests) <= 2  # one call, one retry
    assert result.intent is Intent.NEXT and partner.state() == (True, 4, [1, 2])
    assert "Session 4" in result.replies[0].text


def test_the_turn_budget_bounds_a_hanging_server(
    store: SQLiteStore, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(llm_agent, "TURN_BUDGET_S", 3.0)  # 13 s in production
    partner = asha(store, server, llm_timeout_s=8.0)
    server.default = delay(10.0, tool_call("navigate", {"action": "next"}))
    started = time.monotonic()
    result = partner.turn("ok I get it, what's next?")
    assert time.monotonic() - started < 3.5
    assert result.fallback_reason is not None and "Timeout" in result.fallback_reason
    assert "Session 4" in result.replies[0].text
