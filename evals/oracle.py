"""A scripted "oracle" chat model: the tool call a perfect model would make, for offline runs.

It knows the labels of the eval datasets (intent rows by their label, questions as questions,
rule-bending safety rows as small talk, as prompts/system.md asks) and guesses anything else
with the keyword classifier. It answers a question by copying the best passage with its
citation. Its numbers measure the LLM plumbing (tools, rules, fallbacks), not a real model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from agent.intent_rules import IntentClassifier
from agent.tokens import count_message_tokens, count_tokens
from evals.replay import OpenAIToolsChatModel
from store.models import Progress

# The stand-in partner state for a guess: in training (the oracle does not see the state).
IN_TRAINING = Progress(phone="+0", training_started=True, current_section=1, in_training_mode=True)

Label = tuple[str, int | None]
_PASSAGE = re.compile(r'<passage session="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)
_NAVIGATION = {"next", "previous", "restart", "exit", "menu"}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def labels_from_rows(rows: Iterable[dict[str, Any]]) -> dict[str, Label]:
    """The oracle's answer key from dataset rows of any suite, by normalised text."""
    labels: dict[str, Label] = {}
    for row in rows:
        if "intent" in row:
            labels[_norm(row["text"])] = (row["intent"], row.get("session"))
        elif "question" in row:
            labels[_norm(row["question"])] = ("question", None)
        elif row.get("must_not_change"):
            labels[_norm(row["text"])] = ("other", None)
    return labels


def tool_call_for(intent: str, session: int | None, text: str) -> tuple[str, dict[str, Any]]:
    """The tool (name, arguments) of tools/ that carries out `intent`."""
    if intent in _NAVIGATION:
        return "navigate", {"action": intent}
    if intent == "jump":
        return "navigate", {"action": "jump", "session": session}
    if intent in ("enroll", "resume"):
        return "start_training", {"resume": intent == "resume"}
    if intent == "complete":
        return "complete_session", {}
    if intent == "progress":
        return "show_progress", {}
    if intent == "question":
        return "search_training", {"query": text}
    return "small_talk", {}


QUIZ_MARK = "(answers go to answer_quiz)"  # what agent.quiz.state.quiz_status writes


def taking_quiz(messages: list[BaseMessage]) -> bool:
    """True when the instructions say the partner is answering a quiz question."""
    return bool(messages) and QUIZ_MARK in messages[0].text


def answer_from(tool_result: str) -> str:
    """The best passage copied with its citation, or NOT_COVERED as prompts/answer.md asks."""
    found = _PASSAGE.findall(tool_result)
    if not found:
        return "NOT_COVERED"
    session, text = found[0]
    return f"{text.strip()} (from Session {session})"


class OracleChatModel(OpenAIToolsChatModel):
    """Emits the labelled tool call (or the keyword guess); usage counted with tiktoken."""

    model_name: str = "gpt-4o-mini"
    labels: dict[str, Label] = Field(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "evals-oracle"

    def _decide(self, text: str) -> AIMessage:
        label = self.labels.get(_norm(text))
        if label is None:
            guess = IntentClassifier().classify(text, IN_TRAINING)
            label = (guess.intent.value, guess.session)
        name, args = tool_call_for(label[0], label[1], text)
        return AIMessage(
            content="", tool_calls=[{"name": name, "args": args, "id": "call_oracle_1"}]
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        last = messages[-1] if messages else None
        if isinstance(last, ToolMessage):
            reply = AIMessage(content=answer_from(last.text))
        else:
            human = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
            reply = self._decide(human.text if human else "")
            if taking_quiz(messages) and human is not None:
                # A perfect model passes the partner's words on; the tool grades them.
                call = {"name": "answer_quiz", "args": {"meant": human.text}, "id": "call_quiz"}
                reply = AIMessage(content="", tool_calls=[call])
        tools = kwargs.get("tools") or []
        schemas = sum(count_tokens(json.dumps(t, sort_keys=True), self.model_name) for t in tools)
        prompt = count_message_tokens(messages, self.model_name) + schemas
        said = reply.text + "".join(c["name"] + json.dumps(c["args"]) for c in reply.tool_calls)
        completion = count_tokens(said, self.model_name)
        reply.usage_metadata = {
            "input_tokens": prompt,
            "output_tokens": completion,
            "total_tokens": prompt + completion,
        }
        return ChatResult(generations=[ChatGeneration(message=reply)])
