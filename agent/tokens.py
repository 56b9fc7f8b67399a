"""Token counting with the real tiktoken tokenizers, working fully offline."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import tiktoken
from langchain_core.messages import AIMessage, BaseMessage

DEFAULT_MODEL = "gpt-4o-mini"
ELLIPSIS = "…"
TOKENS_PER_MESSAGE = 3  # OpenAI's per-message framing overhead
REPLY_PRIMING_TOKENS = 3  # every reply is primed with <|start|>assistant<|message|>

# Blob URL and sha256 exactly as tiktoken_ext/openai_public.py declares them:
# tiktoken looks the file up under sha1(url) and rejects it if the sha256 differs.
ENCODING_SHA256: dict[str, str] = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

M = TypeVar("M", BaseMessage, Mapping[str, Any])


class TokenizerDataError(RuntimeError):
    """The bundled tokenizer files are missing or do not match tiktoken's hashes."""


def cache_file_name(encoding_name: str) -> str:
    """Return the file name tiktoken uses for ``encoding_name``: sha1 of its download URL."""
    url = f"https://openaipublic.blob.core.windows.net/encodings/{encoding_name}.tiktoken"
    return hashlib.sha1(url.encode()).hexdigest()


def _cache_dir() -> Path:
    """Pick tiktoken's cache dir and export it so tiktoken reads the same one."""
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        # An empty value disables tiktoken's cache (forcing downloads): replace it too.
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(base / "genie" / "tiktoken")
    return Path(os.environ["TIKTOKEN_CACHE_DIR"])


def _bundled_encoding(name: str) -> bytes:
    """Return bpe_openai's copy of an encoding, gunzipped and checked against tiktoken's hash."""
    spec = importlib.util.find_spec("bpe_openai")  # locates it without loading its extension
    if spec is None or not spec.submodule_search_locations:
        raise TokenizerDataError("Install 'bpe-openai': it ships the tokenizer files used offline.")
    source = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{name}.tiktoken.gz"
    try:
        data = gzip.decompress(source.read_bytes())
    except (OSError, EOFError) as exc:
        raise TokenizerDataError(f"Cannot read bundled tokenizer file {source}: {exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != ENCODING_SHA256[name]:
        raise TokenizerDataError(
            f"{source} has sha256 {actual}, tiktoken expects {ENCODING_SHA256[name]}: "
            "reinstall bpe-openai or check the tiktoken version."
        )
    return data


def ensure_offline_encodings() -> Path:
    """Fill tiktoken's cache dir with cl100k_base and o200k_base; return the dir."""
    cache_dir = _cache_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, expected in ENCODING_SHA256.items():
        target = cache_dir / cache_file_name(name)
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
            continue
        # Temp file + rename: concurrent processes never read a half-written cache file.
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            tmp.write_bytes(_bundled_encoding(name))
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
    return cache_dir


def encoding_name_for(model: str) -> str:
    """Map a model name to its tiktoken encoding name (unknown models: cl100k_base)."""
    name = model.lower().rsplit("/", 1)[-1]  # tolerate "openai/gpt-4o" style names
    newer = name.startswith(("gpt-4o", "gpt-4.1", "gpt-5", "chatgpt-4o"))
    reasoning = len(name) > 1 and name[0] == "o" and name[1].isdigit()  # o1, o3-mini, o4...
    return "o200k_base" if newer or reasoning else "cl100k_base"


@lru_cache(maxsize=8)
def _encoding(name: str) -> tiktoken.Encoding:
    ensure_offline_encodings()
    return tiktoken.get_encoding(name)


def encoding_for(model: str) -> tiktoken.Encoding:
    """Return the (cached) tiktoken encoding used by ``model``."""
    return _encoding(encoding_name_for(model))


@lru_cache(maxsize=4096)  # the same texts come back every turn: session texts, chat lines
def count_tokens(text: str, model: str = DEFAULT_MODEL) -> int:
    """Count the tokens of ``text``; special-token text is counted as plain text."""
    return len(encoding_for(model).encode(text, disallowed_special=()))


def _content_text(content: Any) -> str:
    """Flatten string or multi-part message content into its text."""
    if content is None or isinstance(content, str):
        return content or ""
    parts = (p.get("text") if isinstance(p, Mapping) else p for p in content)
    return "\n".join(p for p in parts if isinstance(p, str))


def _role(message: BaseMessage | Mapping[str, Any]) -> str:
    """Return a message's role: LangChain type ("ai", "tool", ...) or wire role."""
    return message.type if isinstance(message, BaseMessage) else str(message.get("role", ""))


def _message_fields(message: BaseMessage | Mapping[str, Any]) -> list[str]:
    """Return every string of a message that the model reads as tokens."""
    if isinstance(message, BaseMessage):
        fields = [message.type, _content_text(message.content), message.name or ""]
        calls = message.tool_calls if isinstance(message, AIMessage) else []
        pairs = [(call["name"], call["args"]) for call in calls]
    else:
        fields = [_role(message), _content_text(message.get("content")), message.get("name") or ""]
        # Accept both the OpenAI wire format and LangChain's dict format.
        functions = [call.get("function", call) for call in message.get("tool_calls") or []]
        pairs = [(f.get("name", ""), f.get("arguments", f.get("args", ""))) for f in functions]
    for name, args in pairs:
        fields += [
            str(name),
            args if isinstance(args, str) else json.dumps(args, ensure_ascii=False),
        ]
    return fields


def _message_cost(message: BaseMessage | Mapping[str, Any], model: str) -> int:
    return TOKENS_PER_MESSAGE + sum(count_tokens(f, model) for f in _message_fields(message) if f)


def count_message_tokens(
    messages: Sequence[BaseMessage] | Sequence[Mapping[str, Any]], model: str = DEFAULT_MODEL
) -> int:
    """Approximate the prompt tokens OpenAI charges for a chat request of ``messages``."""
    return REPLY_PRIMING_TOKENS + sum(_message_cost(m, model) for m in messages)


@lru_cache(maxsize=2048)  # a chat line of Genie's is often a whole session text, cut each turn
def truncate_to_tokens(text: str, max_tokens: int, model: str = DEFAULT_MODEL) -> str:
    """Shorten ``text`` to at most ``max_tokens`` tokens at a word boundary, ending in "…"."""
    if count_tokens(text, model) <= max_tokens:
        return text
    encoding = encoding_for(model)
    tokens = encoding.encode(text, disallowed_special=())
    budget = max_tokens - count_tokens(ELLIPSIS, model)
    while budget > 0:  # re-tokenising the cut text can merge differently: shrink until it fits
        head = encoding.decode_bytes(tokens[:budget]).decode("utf-8", errors="ignore")
        space = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        candidate = (head[:space] if space > 0 else head).rstrip() + ELLIPSIS
        if count_tokens(candidate, model) <= max_tokens:
            return candidate
        budget -= 1
    return ""


def trim_history(
    messages: Sequence[M], max_tokens: int, model: str = DEFAULT_MODEL, *, keep_system: bool = True
) -> list[M]:
    """Keep the most recent messages fitting ``max_tokens``; tool calls stay with their results.

    A leading system message is always kept when ``keep_system`` is true.
    """
    rest = list(messages)
    keep_head = keep_system and bool(rest) and _role(rest[0]) in ("system", "developer")
    head, rest = (rest[:1], rest[1:]) if keep_head else ([], rest)
    budget = max_tokens - count_message_tokens(head, model)
    kept: list[M] = []
    pending: list[M] = []
    # Walking back from the newest message, tool results wait in `pending` for the message
    # that called them, so a call and its results are kept or dropped together.
    for message in reversed(rest):
        pending.insert(0, message)
        if _role(message) == "tool":
            continue
        cost = sum(_message_cost(m, model) for m in pending)
        if cost > budget:
            break
        kept, pending, budget = pending + kept, [], budget - cost
    return head + kept
