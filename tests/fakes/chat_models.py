"""Scripted chat models for driving the LLM agent offline: a script player and a keyword oracle."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field

from agent.intent_rules import IntentClassifier
from agent.intents import Intent
from agent.tokens import count_message_tokens, count_tokens
from evals.oracle import taking_quiz
from store.models import Progress

# The stand-in partner state for a guess: in training (the oracle does not see the state).
IN_TRAINING = Progress(phone="+0", training_started=True, current_section=1, in_training_mode=True)

_PASSAGE = re.compile(r'<passage session="(\d+)" heading="([^"]*)">\n(.*?)\n</passage>', re.DOTALL)


def tool_call_message(name: str, args: dict[str, Any], call_id: str = "call_1") -> AIMessage:
    """An AIMessage calling one tool, as a model would send it."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


class ScriptedChatModel(GenericFakeChatModel):
    """Plays scripted AIMessages (tool calls allowed) and records every prompt it was sent.

    An entry may also be an exception instance, raised when its turn comes (timeouts, 5xx).
    """

    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[list[str]] = Field(default_factory=list)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[Any, AIMessage]:
        """Remember which tools were offered; the script decides what is called."""
        self.bound_tools.append([getattr(t, "name", str(t)) for t in tools])
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        nxt: Any = next(self.messages)
        if isinstance(nxt, BaseException):
            raise nxt
        message = nxt.model_copy() if isinstance(nxt, AIMessage) else AIMessage(content=nxt)
        return ChatResult(generations=[ChatGeneration(message=message)])


def scripted(*replies: AIMessage | str | BaseException) -> ScriptedChatModel:
    """A ScriptedChatModel playing `replies` in order (exceptions are raised)."""
    return ScriptedChatModel(messages=cast(Iterator[AIMessage | str], iter(replies)))


_NAVIGATION = {
    Intent.NEXT: "next", Intent.PREVIOUS: "previous", Intent.RESTART: "restart",
    Intent.EXIT: "exit", Intent.MENU: "menu",
}  # fmt: skip


class KeywordOracleChatModel(BaseChatModel):
    """Emits the tool call a perfect model would, using the keyword classifier as its judgment.

    For a question it calls search_training, then answers by copying the best returned passage
    and citing its session, as prompts/answer.md asks. Usage is counted with the real tokenizer.
    """

    calls: int = 0
    model_name: str = "gpt-4o-mini"

    @property
    def _llm_type(self) -> str:
        return "keyword-oracle"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[Any, AIMessage]:
        """Tools are known by name; nothing to bind."""
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls += 1
        last = messages[-1]
        if isinstance(last, ToolMessage):
            reply = AIMessage(content=_answer_from(last.text))
        else:
            human = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
            reply = _tool_call_for(human.text)
            if taking_quiz(messages):
                reply = tool_call_message("answer_quiz", {"meant": human.text})
        completion = reply.text + "".join(str(c["args"]) for c in reply.tool_calls)
        prompt_tokens = count_message_tokens(messages, self.model_name)
        completion_tokens = count_tokens(completion, self.model_name)
        reply.usage_metadata = {
            "input_tokens": prompt_tokens,
            "output_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        return ChatResult(generations=[ChatGeneration(message=reply)])


def _answer_from(tool_result: str) -> str:
    found = _PASSAGE.findall(tool_result)
    if not found:
        return "NOT_COVERED"
    session, heading, text = found[0]
    return f"{text.strip()} (from Session {session}: {heading})"


def _tool_call_for(text: str) -> AIMessage:
    guess = IntentClassifier().classify(text, IN_TRAINING)
    intent = guess.intent
    if intent in _NAVIGATION:
        return tool_call_message("navigate", {"action": _NAVIGATION[intent]})
    if intent is Intent.JUMP:
        return tool_call_message("navigate", {"action": "jump", "session": guess.session})
    if intent is Intent.COMPLETE:
        return tool_call_message("complete_session", {})
    if intent is Intent.PROGRESS:
        return tool_call_message("show_progress", {})
    if intent in (Intent.ENROLL, Intent.RESUME):
        return tool_call_message("start_training", {"resume": intent is Intent.RESUME})
    if intent is Intent.QUESTION:
        return tool_call_message("search_training", {"query": text})
    return tool_call_message("small_talk", {})
