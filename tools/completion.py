"""Completion tool: mark the partner's current session complete (and only that one)."""

from __future__ import annotations

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent import render
from agent.dispatch import current_heading
from agent.intents import Intent
from agent.messages import Reply
from agent.turn_context import TurnContext, act
from agent.turns import TurnResult
from prompts import message, prompt


@tool("complete_session", description=prompt("tools/complete_session.md"), return_direct=True)
def complete_session(runtime: ToolRuntime[TurnContext], session: int | None = None) -> str:
    """Mark the current session complete; refuse any other session number."""
    ctx = runtime.context
    current = ctx.progress.current_section if ctx.progress else None
    if session is None or session == current or not ctx.in_training:
        return act(ctx, Intent.COMPLETE)
    # Completing a session the partner is not on would skip training: say how to get there.
    name = render.display_name(ctx.progress.name if ctx.progress else None)
    text = message(
        "complete_not_current",
        name=name,
        current=current,
        heading=current_heading(ctx.trainer, ctx.progress) or "",
        requested=session,
    )
    ctx.outcome = TurnResult([Reply(text=text)], Intent.COMPLETE, "llm", current, session)
    return "Refused: only the current session can be completed."
