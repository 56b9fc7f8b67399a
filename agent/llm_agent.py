"""The LLM interpreter: a LangChain tool-calling agent over the training tools, with fallbacks.

One turn is one agent run. Navigation, completion, progress, enrolment and small talk end in a
`return_direct` tool (1 model call); a question runs the knowledge tool, then one more call
writes the answer (2 calls), except a plain question, which the question lane looks up before
the run so that the answer call is the only one (agent/question_lane.py). Anything unusable
raises InterpreterFailed: the engine falls back.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware, InputAgentState
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import SecretStr

from agent import llm_prompts, render
from agent.grounding import Verdict, judge
from agent.intents import Intent
from agent.llm_client import LeanChatOpenAI
from agent.llm_gate import LLMGate
from agent.llm_guard import TurnGuard
from agent.messages import Reply
from agent.question_lane import QuestionLane
from agent.settings import Settings
from agent.splitter import split_message
from agent.training import Trainer
from agent.turn_context import TURN_BUDGET_S, TurnContext
from agent.turns import InterpreterFailed, TurnResult
from prompts import message
from store.base import StoreUnavailable
from store.models import Progress
from tools import described_tools

log = logging.getLogger("genie.llm")
RECURSION_LIMIT = 8  # graph steps: model, tools, model, end with room to spare


class LLMInterpreter:
    """Understands free-form partner messages with a chat model and acts through the tools."""

    def __init__(self, settings: Settings, model: BaseChatModel) -> None:
        self.model_name = settings.openai_model
        self.brand = settings.brand_name
        self.lane = QuestionLane(settings.llm_question_lane_confidence)
        tools = described_tools()
        middleware: list[AgentMiddleware[Any, TurnContext, Any]] = [
            TurnGuard(
                tools,
                settings.llm_timeout_s,
                settings.llm_max_retries,
                LLMGate(settings.llm_concurrency),
                max_calls=settings.llm_max_calls_per_turn,
            ),
        ]
        self.agent = create_agent(
            model,
            tools,
            middleware=middleware,
            context_schema=TurnContext,
        )

    def interpret(
        self, text: str, phone: str, progress: Progress | None, trainer: Trainer
    ) -> TurnResult:
        """Handle the message through the agent, or raise InterpreterFailed."""
        ctx = self._context(text, phone, progress, trainer)
        chat = llm_prompts.history(trainer.store, phone, progress, self.model_name)
        looked_up = self.lane.look_up(ctx)  # a plain question: its search already done
        turn = InputAgentState(messages=[*chat, HumanMessage(text), *looked_up])
        try:
            state = self.agent.invoke(
                turn, context=ctx, config={"recursion_limit": RECURSION_LIMIT}
            )
        except StoreUnavailable:
            raise  # the engine apologises; a fallback would hit the same database
        except Exception as exc:
            if ctx.outcome is not None:  # a tool already acted: its reply stands
                return self._finish(ctx, ctx.outcome)
            reason = f"{type(exc).__name__}: {exc}"[:300]
            raise InterpreterFailed(reason, ctx.calls) from exc
        if ctx.outcome is not None:
            return self._finish(ctx, ctx.outcome)
        if ctx.passages:
            return self._finish(ctx, self._answer(ctx, _final_text(state["messages"])))
        raise InterpreterFailed("the run ended without a tool result", ctx.calls)

    def _context(
        self, text: str, phone: str, progress: Progress | None, trainer: Trainer
    ) -> TurnContext:
        sessions = trainer.knowledge.sessions()
        return TurnContext(
            phone=phone,
            text=text,
            trainer=trainer,
            progress=progress,
            model_name=self.model_name,
            system_prompt=llm_prompts.system_prompt(progress, sessions, self.brand),
            answer_prompt=llm_prompts.answer_prompt(
                progress, trainer.support, self.brand, sessions
            ),
            deadline=time.monotonic() + TURN_BUDGET_S,
        )

    def _answer(self, ctx: TurnContext, answer: str) -> TurnResult:
        """The model's answer when grounded; otherwise the deterministic reply."""
        verdict, why = judge(answer, ctx.passages, ctx.text)
        current = ctx.progress.current_section if ctx.progress else None
        passages = [(p.s_no, p.text) for p in ctx.passages]
        if verdict is Verdict.GROUNDED:
            replies = [Reply(text=part) for part in split_message(answer)]
            return TurnResult(replies, Intent.QUESTION, "llm", current, passages=passages)
        log.info("model answer not used (%s): deterministic reply instead", why)
        if verdict is Verdict.NOT_COVERED:
            name = render.display_name(ctx.progress.name if ctx.progress else None)
            text = message("answer_not_covered", name=name, support=ctx.trainer.support)
            return TurnResult([Reply(text=text)], Intent.QUESTION, "llm", current)
        action = ctx.trainer.answer(ctx.phone, ctx.query or ctx.text)
        return TurnResult(action.replies, Intent.QUESTION, "llm", current, passages=passages)

    def _finish(self, ctx: TurnContext, result: TurnResult) -> TurnResult:
        result.source = "llm"
        result.llm_calls = ctx.calls
        result.prompt_tokens, result.completion_tokens = ctx.prompt_tokens, ctx.completion_tokens
        return result


def _final_text(messages: list[BaseMessage]) -> str:
    last = messages[-1] if messages else None
    return last.text if isinstance(last, AIMessage) and not last.tool_calls else ""


def build_llm_interpreter(settings: Settings, model: BaseChatModel | None = None) -> LLMInterpreter:
    """The interpreter for `settings`; `model` replaces the OpenAI client (tests, evals replay)."""
    chat_model = model or LeanChatOpenAI(
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        api_key=SecretStr(settings.openai_api_key or "not-needed"),  # local servers need one too
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )
    return LLMInterpreter(settings, chat_model)
