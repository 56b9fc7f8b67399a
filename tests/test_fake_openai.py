"""Tests for the fake OpenAI server, driven by the real langchain ChatOpenAI client."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.tokens import count_message_tokens, count_tokens
from tests.fakes.openai_server import FakeOpenAI, delay, error, text, tool_call, tool_calls


@tool
def navigate(action: str) -> str:
    """Move through the training sessions (next, previous, ...)."""
    return action


def _llm(srv: FakeOpenAI, timeout: float = 2) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4o-mini",
        base_url=srv.base_url,
        api_key=SecretStr("test"),
        timeout=timeout,
        max_retries=0,
    )


def test_text_reply_with_realistic_usage() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(text("Welcome to Genie!"))
        reply = _llm(srv).invoke([SystemMessage("Be brief."), HumanMessage("I am a new partner")])
    assert isinstance(reply, AIMessage)
    assert reply.content == "Welcome to Genie!"
    assert reply.usage_metadata is not None
    sent = srv.requests[0]["messages"]
    assert reply.usage_metadata["input_tokens"] == count_message_tokens(sent, "gpt-4o-mini")
    assert reply.usage_metadata["output_tokens"] == count_tokens("Welcome to Genie!")


def test_default_reply_when_queue_is_empty() -> None:
    with FakeOpenAI() as srv:
        assert _llm(srv).invoke("hi").content == "ok"
        srv.default = text("fallback")
        assert _llm(srv).invoke("hi").content == "fallback"


def test_replies_are_consumed_in_order() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(text("one"), text("two"))
        llm = _llm(srv)
        assert [llm.invoke("a").content, llm.invoke("b").content, llm.invoke("c").content] == [
            "one",
            "two",
            "ok",
        ]


def test_tool_call_reply_and_recorded_request() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(tool_call("navigate", {"action": "next"}, call_id="call_nav"))
        reply = _llm(srv).bind_tools([navigate]).invoke("next please")
    assert isinstance(reply, AIMessage)
    assert reply.tool_calls == [
        {"name": "navigate", "args": {"action": "next"}, "id": "call_nav", "type": "tool_call"}
    ]
    [request] = srv.requests
    assert request["model"] == "gpt-4o-mini"
    assert [t["function"]["name"] for t in request["tools"]] == ["navigate"]
    assert request["messages"] == [{"role": "user", "content": "next please"}]


def test_parallel_tool_calls_get_generated_ids() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(
            tool_calls(tool_call("navigate", {"action": "next"}), tool_call("navigate", {}))
        )
        reply = _llm(srv).bind_tools([navigate]).invoke("go")
    assert isinstance(reply, AIMessage)
    assert [c["args"] for c in reply.tool_calls] == [{"action": "next"}, {}]
    ids = [c["id"] for c in reply.tool_calls]
    assert all(ids) and len(set(ids)) == 2


def test_malformed_tool_arguments_become_invalid_tool_calls() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(tool_call("navigate", '{"action": "ne'))
        reply = _llm(srv).bind_tools([navigate]).invoke("next")
    assert isinstance(reply, AIMessage)
    assert reply.tool_calls == []
    assert reply.invalid_tool_calls[0]["args"] == '{"action": "ne'


def test_server_error_raises_internal_server_error() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(error(500))
        with pytest.raises(openai.InternalServerError):
            _llm(srv).invoke("hi")
        assert len(srv.requests) == 1, "max_retries=0 means exactly one attempt"


def test_other_error_status_is_passed_through() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(error(429, "slow down"))
        with pytest.raises(openai.RateLimitError, match="slow down"):
            _llm(srv).invoke("hi")


def test_delay_beyond_timeout_raises_timeout_and_exits_quickly() -> None:
    started = time.monotonic()
    with FakeOpenAI() as srv:
        srv.enqueue(delay(10))
        with pytest.raises(openai.APITimeoutError):
            _llm(srv, timeout=0.5).invoke("hi")
    assert time.monotonic() - started < 5, "closing must not wait for the delayed handler"


def test_delay_within_timeout_answers_with_then() -> None:
    with FakeOpenAI() as srv:
        srv.enqueue(delay(0.1, then=text("late but fine")))
        assert _llm(srv).invoke("hi").content == "late but fine"


def test_unknown_paths_are_404() -> None:
    with FakeOpenAI() as srv:
        for method, path in [("GET", "/v1/models"), ("POST", "/v1/completions")]:
            body = json.dumps({}).encode() if method == "POST" else None
            req = urllib.request.Request(srv.base_url + path[3:], data=body, method=method)
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(req, timeout=2)
            assert caught.value.code == 404
        assert srv.requests == []
