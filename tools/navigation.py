"""Navigation tool: next, previous, jump to a session, restart, pause (exit) and the menu."""

from __future__ import annotations

from typing import Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent.intents import Intent
from agent.turn_context import TurnContext, act
from agent.turns import TurnResult
from prompts import prompt

Action = Literal["next", "previous", "jump", "restart", "exit", "menu"]


@tool("navigate", description=prompt("tools/navigate.md"), return_direct=True)
def navigate(action: Action, runtime: ToolRuntime[TurnContext], session: int | None = None) -> str:
    """Move through the training sessions for the partner of this turn."""
    ctx = runtime.context
    if action == "jump" and session is None:  # nowhere to jump to: the menu lists the choices
        return act(ctx, Intent.MENU)
    if action == "restart" and ctx.progress and ctx.progress.completed_sections:
        # Restart wipes completed sessions: ask first, as the keyword path does; the yes/no
        # answer is settled before classification (agent/confirmations.py), with no LLM call.
        confirm = ctx.trainer.confirm_restart(ctx.phone)
        current = ctx.progress.current_section
        ctx.outcome = TurnResult(confirm.replies, Intent.RESTART, "llm", current)
        return "Asked the partner to confirm the restart."
    # Trainer.jump checks the session exists and answers an unknown one with the valid range.
    return act(ctx, Intent(action), session if action == "jump" else None)
