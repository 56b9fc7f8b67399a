"""Progress tool: the current session, the completed ones and what is left."""

from __future__ import annotations

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent.intents import Intent
from agent.turn_context import TurnContext, act
from prompts import prompt


@tool("show_progress", description=prompt("tools/show_progress.md"), return_direct=True)
def show_progress(runtime: ToolRuntime[TurnContext]) -> str:
    """Show the partner how far they are in the training."""
    return act(runtime.context, Intent.PROGRESS)
