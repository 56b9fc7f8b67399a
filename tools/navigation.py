"""Navigation tool: next, previous, jump to a session, restart, pause (exit) and the menu."""

from __future__ import annotations

from typing import Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent.intents import Intent
from agent.turn_context import TurnContext, act
from prompts import prompt

Action = Literal["next", "previous", "jump", "restart", "exit", "menu"]


@tool("navigate", description=prompt("tools/navigate.md"), return_direct=True)
def navigate(action: Action, runtime: ToolRuntime[TurnContext], session: int | None = None) -> str:
    """Move through the training sessions for the partner of this turn."""
    ctx = runtime.context
    if action == "jump" and session is None:  # nowhere to jump to: the menu lists the choices
        return act(ctx, Intent.MENU)
    # Trainer.jump checks the session exists and answers an unknown one with the valid range.
    return act(ctx, Intent(action), session if action == "jump" else None)
