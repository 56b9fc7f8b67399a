"""Recording LLM answers to a cassette and replaying them offline, misses included."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from evals.cassette import CassetteError, CassetteWriter, ReplayMiss, load_cassette, request_key
from evals.oracle import OracleChatModel, answer_from
from evals.replay import ReplayChatModel
from evals.runner import RunOptions, run
from evals.usage import UsageMeter, metering
from prompts import DEFAULT_DIR

TOOLS = [{"type": "function", "function": {"name": "navigate", "parameters": {}}}]


def _chat(call_id: str) -> list[BaseMessage]:
    call = {"name": "navigate", "args": {"action": "next"}, "id": call_id}
    return [
        SystemMessage("rules"),
        HumanMessage("next please"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("done", tool_call_id=call_id, name="navigate"),
    ]


def test_request_key_ignores_call_ids_but_not_what_the_model_reads() -> None:
    key = request_key(_chat("call_a"), TOOLS, "gpt-4o-mini")
    assert key == request_key(_chat("call_b"), TOOLS, "gpt-4o-mini")
    assert key != request_key(_chat("call_a"), TOOLS, "gpt-4o")
    assert key != request_key(_chat("call_a"), [], "gpt-4o-mini")
    edited = [SystemMessage("other rules"), *_chat("call_a")[1:]]
    assert key != request_key(edited, TOOLS, "gpt-4o-mini")


def test_replay_returns_the_recorded_answer_and_raises_on_a_miss(tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    writer = CassetteWriter(cassette)
    asked = [HumanMessage("next please")]
    answer = AIMessage(
        "",
        tool_calls=[{"name": "navigate", "args": {"action": "next"}, "id": "c1"}],
        usage_metadata={"input_tokens": 50, "output_tokens": 5, "total_tokens": 55},
    )
    writer.write(request_key(asked, None, "gpt-4o-mini"), "gpt-4o-mini", [], answer)
    model = ReplayChatModel.from_file(cassette)
    assert model.model == "gpt-4o-mini"
    replayed = model.invoke(asked)
    assert isinstance(replayed, AIMessage)
    assert replayed.tool_calls[0]["args"] == {"action": "next"}
    assert replayed.usage_metadata and replayed.usage_metadata["input_tokens"] == 50
    with pytest.raises(ReplayMiss, match="record the cassette again"):
        model.invoke([HumanMessage("previous please")])


def test_a_broken_cassette_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"key": "a", "response": {}}\nnot json\n')
    with pytest.raises(CassetteError, match=r"bad\.jsonl:2"):
        load_cassette(bad)


def test_meter_counts_requests_and_tokens_both_ways() -> None:
    meter = UsageMeter("gpt-4o-mini")
    model = OracleChatModel(callbacks=[meter])
    with metering() as usage:
        model.bind_tools([]).invoke([HumanMessage("show my progress")])
    assert usage.llm_requests == 1
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.tiktoken_prompt >= usage.prompt_tokens - 5
    assert usage.tiktoken_completion > 0


def test_oracle_answers_from_the_first_passage_or_says_not_covered() -> None:
    block = (
        '<training_content>\n<passage session="3" heading="Q">\nQuotes hold 48 hours.\n</passage>'
    )
    assert answer_from(block) == "Quotes hold 48 hours. (from Session 3)"
    assert answer_from("no passages") == "NOT_COVERED"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A small oracle run recorded to a fresh cassette."""
    pytest.importorskip("agent.llm_agent", reason="the LLM agent is not available")
    cassette = tmp_path_factory.mktemp("cassette") / "small.jsonl"
    options = RunOptions(provider="oracle", suites=["intents", "questions"], limit=12)
    options.record = cassette
    return cassette, run(options)


def test_a_recorded_run_replays_identically(recorded: tuple[Path, dict[str, Any]]) -> None:
    cassette, live = recorded
    assert live["meta"]["recorded"] > 0
    options = RunOptions(provider="replay", suites=["intents", "questions"], limit=12)
    options.cassette = cassette
    replay = run(options)
    for name, suite in replay["suites"].items():
        assert suite["usage"]["replay_misses"] == 0, name
        assert suite["metrics"] == live["suites"][name]["metrics"]
        assert suite["usage"]["llm_calls"] == live["suites"][name]["usage"]["llm_calls"]


def test_an_edited_prompt_misses_and_falls_back(
    recorded: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    cassette, live = recorded
    edited = tmp_path / "prompts"
    shutil.copytree(DEFAULT_DIR, edited, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    system = edited / "system.md"
    system.write_text(system.read_text() + "\nBe brief.\n")
    options = RunOptions(provider="replay", suites=["intents"], limit=12, cassette=cassette)
    options.prompts_dir = edited
    replay = run(options)
    usage = replay["suites"]["intents"]["usage"]
    assert usage["replay_misses"] > 0
    assert usage["fallbacks"] == usage["replay_misses"]
    assert replay["meta"]["prompts_fingerprint"] != live["meta"]["prompts_fingerprint"]


def test_a_real_client_recording_replays_without_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record through ChatOpenAI against a fake server, then replay the cassette offline."""
    pytest.importorskip("agent.llm_agent", reason="the LLM agent is not available")
    from tests.fakes.openai_server import FakeOpenAI, tool_call

    cassette = tmp_path / "openai.jsonl"
    with FakeOpenAI(default=tool_call("show_progress", {})) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        options = RunOptions(provider="openai", suites=["intents"], limit=15, record=cassette)
        live = run(options)
        requests = len(server.requests)
    assert requests > 0 and live["suites"]["intents"]["usage"]["llm_calls"] == requests
    assert live["suites"]["intents"]["usage"]["prompt_tokens"] > 0
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("OPENAI_API_KEY")
    replay = run(RunOptions(provider="replay", suites=["intents"], limit=15, cassette=cassette))
    usage = replay["suites"]["intents"]["usage"]
    assert usage["replay_misses"] == 0 and usage["llm_calls"] == requests
    assert replay["suites"]["intents"]["metrics"] == live["suites"]["intents"]["metrics"]
