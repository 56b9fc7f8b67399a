"""Knowledge tool: search the training content (current session first) for a question."""

from __future__ import annotations

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent.intents import Intent
from agent.llm_prompts import passages_block
from agent.retrieval import Passage
from agent.training import has_started
from agent.turn_context import TurnContext, act
from prompts import prompt

MAX_PASSAGES = 3


@tool("search_training", description=prompt("tools/search_training.md"))
def search_training(query: str, runtime: ToolRuntime[TurnContext]) -> str:
    """Return matching training passages, delimited as data, for the model to answer from."""
    ctx = runtime.context
    if not has_started(ctx.progress):
        # Same rule as the keyword path: before training starts, the regular assistant answers.
        return act(ctx, Intent.QUESTION)
    found = find_passages(ctx, query)
    if not found:
        # Nothing to ground an answer on: the deterministic reply (not covered), no guessing.
        return act(ctx, Intent.QUESTION)
    return hand_over(ctx, found, query)


def find_passages(ctx: TurnContext, query: str) -> list[Passage]:
    """The passages for `query`: the same retrieval and rules as the keyword path's answer
    (agent/retrieval.py), the session the partner is reading first."""
    reading = ctx.progress is not None and ctx.progress.in_training_mode
    current = ctx.progress.current_section if reading and ctx.progress else None
    return ctx.trainer.knowledge.index().search(query, current, k=MAX_PASSAGES)


def hand_over(ctx: TurnContext, found: list[Passage], query: str) -> str:
    """Keep `found` for the answer's grounding and the turn's record; the block the model reads."""
    ctx.passages, ctx.query = found, query
    return passages_block(found, ctx.model_name)
