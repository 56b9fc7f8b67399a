"""A fake LLM's judgement: the agent's tool for a message, picked by the keyword rules."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from agent.intents import Classification, Intent
from agent.keywords import KeywordClassifier
from evals.fakes.openai_replies import Reply, text, tool_call

_NAVIGATION = {Intent.NEXT, Intent.PREVIOUS, Intent.RESTART, Intent.EXIT, Intent.MENU}
_PASSAGE = re.compile(r'<passage session="(\d+)"[^>]*>\s*(.*?)\s*</passage>', re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
ANSWER_SENTENCES = 2


@lru_cache(maxsize=1)
def _classifier() -> KeywordClassifier:
    return KeywordClassifier()


def _content(message: dict[str, Any]) -> str:
    """A chat message's text, whether plain or a list of content parts."""
    content = message.get("content") or ""
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def _tool_for(guess: Classification, said: str) -> tuple[str, dict[str, Any]]:
    """The tool (and arguments) the agent's tool set offers for a classified message."""
    intent = guess.intent
    if intent in _NAVIGATION:
        return "navigate", {"action": intent.value}
    if intent is Intent.JUMP:
        return "navigate", {"action": "jump", "session": guess.session}
    if intent in (Intent.ENROLL, Intent.RESUME):
        return "start_training", {"resume": intent is Intent.RESUME}
    if intent is Intent.COMPLETE:
        return "complete_session", {}
    if intent is Intent.PROGRESS:
        return "show_progress", {}
    if intent is Intent.QUESTION:
        return "search_training", {"query": said}
    return "small_talk", {}


def keyword_tool_responder(request: dict[str, Any]) -> Reply:
    """Answer a chat-completions request as a well-behaved tool-calling model would.

    After a tool result, answer in prose from it; otherwise call the tool that the keyword
    classifier picks for the last user message, when the request offers that tool.
    """
    messages = [m for m in request.get("messages") or [] if isinstance(m, dict)]
    if messages and messages[-1].get("role") == "tool":
        return text(answer_from_passages(_content(messages[-1])))
    said = next((_content(m) for m in reversed(messages) if m.get("role") == "user"), "")
    name, args = _tool_for(_classifier().classify(said, in_training=True), said)
    offered = {str(t.get("function", {}).get("name")) for t in request.get("tools") or []}
    if name not in offered:
        return text("Happy to help with your training. Reply *menu* to see your options.")
    return tool_call(name, json.dumps(args))


def answer_from_passages(tool_output: str) -> str:
    """A short answer quoting the first passage, cited as "(from session N)"; else NOT_COVERED."""
    found = _PASSAGE.search(tool_output)
    if not found:
        return "NOT_COVERED"
    sentences = _SENTENCE_END.split(" ".join(found.group(2).split()))
    return " ".join(sentences[:ANSWER_SENTENCES]) + f" (from session {found.group(1)})"
