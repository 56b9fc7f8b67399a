"""Tests for offline token counting, truncation and history trimming."""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tiktoken
import tiktoken.registry
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from tiktoken_ext import openai_public

from agent import tokens

CL100K_FILE = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
O200K_FILE = "fb374d419588a4632f3f557e76b4b70aebbca790"


def _no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("network access attempted")


@pytest.fixture(autouse=True)
def _private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the user's real cache dir."""
    monkeypatch.setenv(
        "TIKTOKEN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "tiktoken-shared")
    )


@pytest.fixture
def offline_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty tiktoken cache, no loaded encodings, and no network."""
    cache = tmp_path / "tiktoken"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    # Forget encodings loaded by earlier tests so they must be read from this cache.
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    for cached in (tokens._encoding, tokens.count_tokens, tokens.truncate_to_tokens):
        cached.cache_clear()  # memoised counts would hide a missing tokenizer file
    yield cache
    tokens._encoding.cache_clear()


def test_network_is_really_blocked(offline_cache: Path) -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


@pytest.mark.parametrize(
    ("name", "file_name"), [("cl100k_base", CL100K_FILE), ("o200k_base", O200K_FILE)]
)
def test_file_names_and_hashes_match_tiktoken_source(name: str, file_name: str) -> None:
    assert tokens.cache_file_name(name) == file_name
    source = inspect.getsource(getattr(openai_public, name))
    match = re.search(r'"(https://[^"]+)",\s*expected_hash="([0-9a-f]{64})"', source)
    assert match is not None
    assert hashlib.sha1(match.group(1).encode()).hexdigest() == tokens.cache_file_name(name)
    assert match.group(2) == tokens.ENCODING_SHA256[name]


def test_ensure_offline_encodings_fills_cache(offline_cache: Path) -> None:
    assert tokens.ensure_offline_encodings() == offline_cache
    for name, file_name in [("cl100k_base", CL100K_FILE), ("o200k_base", O200K_FILE)]:
        data = (offline_cache / file_name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == tokens.ENCODING_SHA256[name]
    assert sorted(os.listdir(offline_cache)) == sorted([CL100K_FILE, O200K_FILE]), "no temp files"


def test_ensure_offline_encodings_is_idempotent_and_repairs(offline_cache: Path) -> None:
    tokens.ensure_offline_encodings()
    good = offline_cache / CL100K_FILE
    mtime = good.stat().st_mtime_ns
    broken = offline_cache / O200K_FILE
    broken.write_bytes(b"corrupt")
    tokens.ensure_offline_encodings()
    assert good.stat().st_mtime_ns == mtime, "a valid file must not be rewritten"
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == tokens.ENCODING_SHA256["o200k_base"]


def test_default_cache_dir_is_exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # empty would disable tiktoken's cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = tmp_path / "genie" / "tiktoken"
    assert tokens.ensure_offline_encodings() == expected
    assert (expected / CL100K_FILE).is_file()
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(expected)


def test_hash_mismatch_raises_clear_error(
    offline_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(tokens.ENCODING_SHA256, "cl100k_base", "0" * 64)
    with pytest.raises(tokens.TokenizerDataError, match="sha256"):
        tokens.ensure_offline_encodings()
    assert not (offline_cache / CL100K_FILE).exists()
    assert os.listdir(offline_cache) == [], "no temp file is left behind"


def test_real_encodings_load_offline(offline_cache: Path) -> None:
    enc = tokens.encoding_for("gpt-3.5-turbo")
    assert enc.name == "cl100k_base"
    assert enc.encode("hello world") == [15339, 1917]
    assert tokens.encoding_for("gpt-4o-mini").encode("hello world") == [24912, 2375]
    assert tokens.encoding_for("gpt-4o") is tokens.encoding_for("gpt-4o-mini"), "cached"
    # Build a fresh encoding straight from tiktoken's own loader: proves the cache is valid.
    assert len(openai_public.o200k_base()["mergeable_ranks"]) == 199998


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4o", "o200k_base"),
        ("gpt-4.1-nano", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("some-local-llama", "cl100k_base"),
    ],
)
def test_encoding_for_model(model: str, encoding: str) -> None:
    assert tokens.encoding_for(model).name == encoding


def test_count_tokens_known_values(offline_cache: Path) -> None:
    assert tokens.count_tokens("hello world", "gpt-4") == 2
    assert tokens.count_tokens("Hello, world! How are you today?") == 9
    assert tokens.count_tokens("") == 0
    assert tokens.count_tokens("<|endoftext|>") > 1, "special tokens count as plain text"


def test_count_message_tokens_matches_openai_overhead() -> None:
    # OpenAI bills {"role": "user", "content": "hello"} on gpt-4o-mini as 8 prompt tokens.
    assert tokens.count_message_tokens([{"role": "user", "content": "hello"}]) == 8
    assert tokens.count_message_tokens([HumanMessage("hello")]) == 8
    assert tokens.count_message_tokens([]) == 3


def test_count_message_tokens_includes_tool_calls() -> None:
    bare = AIMessage(content="")
    with_call = AIMessage(
        content="", tool_calls=[{"name": "navigate", "args": {"action": "next"}, "id": "c1"}]
    )
    extra = tokens.count_message_tokens([with_call]) - tokens.count_message_tokens([bare])
    expected = tokens.count_tokens("navigate") + tokens.count_tokens('{"action": "next"}')
    assert extra == expected
    wire = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "function": {"name": "navigate", "arguments": '{"action": "next"}'}}
        ],
    }
    assert tokens.count_message_tokens([wire]) == tokens.count_message_tokens([with_call])


def test_truncate_cuts_on_whitespace_and_fits() -> None:
    assert tokens.truncate_to_tokens("hello world", 2) == "hello world"
    text = "The quick brown fox jumps over the lazy dog again and again"
    for limit in range(2, 12):
        cut = tokens.truncate_to_tokens(text, limit)
        assert cut.endswith("…")
        assert tokens.count_tokens(cut) <= limit
        assert text.startswith(cut[:-1])
        assert cut[:-1] == "" or text[len(cut) - 1] == " ", "cut falls on a word boundary"
    assert tokens.truncate_to_tokens(text, 6) == "The quick brown fox…"
    assert tokens.truncate_to_tokens(text, 0) == ""


def test_truncate_never_splits_multibyte_characters() -> None:
    text = "नमस्ते" * 40
    cut = tokens.truncate_to_tokens(text, 10)
    assert "\ufffd" not in cut
    assert tokens.count_tokens(cut) <= 10


def _history() -> list[Any]:
    call = {"name": "get_session", "args": {"n": 3}, "id": "c1"}
    return [
        SystemMessage("You are Genie."),
        HumanMessage("I am a new partner"),
        AIMessage("Welcome Asha!"),
        HumanMessage("show me session 3"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("Session 3: Pricing ...", tool_call_id="c1"),
        AIMessage("Here is session 3."),
    ]


def test_trim_history_keeps_recent_messages_within_budget() -> None:
    history = _history()
    assert tokens.trim_history(history, 10_000) == history
    for budget in range(0, tokens.count_message_tokens(history) + 1):
        kept = tokens.trim_history(history, budget)
        assert kept[0] is history[0], "system message is kept"
        assert kept[1:] == history[len(history) - len(kept) + 1 :], "a suffix is kept"
        if len(kept) > 1:
            assert tokens.count_message_tokens(kept) <= budget
        assert not isinstance(kept[1:2] and kept[1], ToolMessage), "no orphan tool result"


def test_trim_history_never_splits_tool_call_from_result() -> None:
    history = _history()
    tail_cost = tokens.count_message_tokens([history[0], history[5], history[6]])
    kept = tokens.trim_history(history, tail_cost)
    # The tool result alone would fit, but not without its call: both are dropped.
    assert kept == [history[0], history[6]]


def test_trim_history_accepts_dicts() -> None:
    history = [
        {"role": "user", "content": "a " * 50},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "next"},
    ]
    kept = tokens.trim_history(history, 20)
    assert kept == history[1:]
    assert tokens.trim_history(history, 20, keep_system=False) == history[1:]


def test_repeated_texts_are_not_tokenised_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Genie's chat lines are whole session texts, shortened for the model on every turn.
    text = "Session 3 covers quotes, pricing and the MOQ of 500 kg per grade. " * 40
    short = tokens.truncate_to_tokens(text, 60, "gpt-4o-mini")
    count = tokens.count_tokens(text, "gpt-4o-mini")
    monkeypatch.setattr(tokens, "encoding_for", lambda _m: pytest.fail("tokenised again"))
    assert tokens.truncate_to_tokens(text, 60, "gpt-4o-mini") == short
    assert tokens.count_tokens(text, "gpt-4o-mini") == count
    monkeypatch.undo()
    # Another text (an edited session) is tokenised afresh.
    edited = text.replace("500", "600")
    assert tokens.truncate_to_tokens(edited, 60, "gpt-4o-mini") != short
