"""The agent's chat client sends exactly what ChatOpenAI sends, without the SDK's type walk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai.resources.chat.completions.completions as sdk_completions
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent import llm_agent
from agent.llm_client import LeanChatOpenAI
from evals.fakes.openai_server import FakeOpenAI, text
from tests.llm_helpers import settings
from tools import described_tools

CHAT = [
    SystemMessage("You are Genie."),
    HumanMessage("what is the MOQ?"),
    AIMessage(
        "", tool_calls=[{"id": "call_1", "name": "search_training", "args": {"query": "MOQ"}}]
    ),
    ToolMessage('<passage session="3">500 kg per grade.</passage>', tool_call_id="call_1"),
    HumanMessage("and for stainless? ₹ १५००"),
]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default=text("ok")) as srv:
        yield srv


def _client(cls: type[ChatOpenAI], srv: FakeOpenAI, **extra: Any) -> ChatOpenAI:
    return cls(
        model="gpt-4o-mini", base_url=srv.base_url, api_key=SecretStr("k"), timeout=5,
        max_retries=0, **extra,
    )  # fmt: skip


def _sent(cls: type[ChatOpenAI], srv: FakeOpenAI, **extra: Any) -> dict[str, Any]:
    model = _client(cls, srv, **extra).bind_tools(described_tools(), parallel_tool_calls=False)
    assert model.invoke(CHAT, timeout=4.0).text == "ok"
    return srv.requests[-1]


def test_the_request_on_the_wire_is_the_same_as_chat_openai_sends(server: FakeOpenAI) -> None:
    plain, lean = _sent(ChatOpenAI, server), _sent(LeanChatOpenAI, server)
    assert lean == plain
    assert list(lean) == list(plain)  # the same keys in the same order, too
    assert len(lean["messages"]) == len(CHAT) and len(lean["tools"]) == len(described_tools())
    assert json.dumps(lean, ensure_ascii=False) == json.dumps(plain, ensure_ascii=False)


def test_the_sdk_does_not_walk_messages_and_tools(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked: list[dict[str, Any]] = []
    original = sdk_completions.maybe_transform

    def spy(data: Any, expected_type: Any) -> Any:
        walked.append(dict(data))
        return original(data, expected_type)

    monkeypatch.setattr(sdk_completions, "maybe_transform", spy)
    _sent(ChatOpenAI, server)
    assert len(walked[-1]["messages"]) == len(CHAT)  # the stock client walks them all
    _sent(LeanChatOpenAI, server)
    assert walked[-1]["messages"] == [] and not isinstance(walked[-1]["tools"], list)
    assert len(server.requests[-1]["messages"]) == len(CHAT)


def test_a_callers_extra_body_is_still_sent_and_wins(server: FakeOpenAI) -> None:
    sent = _sent(LeanChatOpenAI, server, extra_body={"user_tier": "gold"})
    assert sent["user_tier"] == "gold" and len(sent["messages"]) == len(CHAT)


def test_structured_output_requests_keep_the_ordinary_path(server: FakeOpenAI) -> None:
    client = _client(LeanChatOpenAI, server)
    payload = client._get_request_payload(CHAT, response_format={"type": "json_object"})
    assert len(payload["messages"]) == len(CHAT) and "extra_body" not in payload


def test_the_interpreter_uses_the_lean_client_with_a_timeout_and_bounded_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Any] = []
    monkeypatch.setattr(llm_agent, "LLMInterpreter", lambda _settings, model: built.append(model))
    llm_agent.build_llm_interpreter(settings(llm_timeout_s=5, llm_max_retries=1))
    (client,) = built
    assert isinstance(client, LeanChatOpenAI)
    assert (client.request_timeout, client.max_retries) == (5, 1)
