"""Small-talk tool: greetings, thanks and off-topic messages; never changes progress."""

from __future__ import annotations

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent.intents import Intent
from agent.turn_context import TurnContext, act
from prompts import prompt


@tool("small_talk", description=prompt("tools/small_talk.md"), return_direct=True)
def small_talk(runtime: ToolRuntime[TurnContext]) -> str:
    """Answer with the regular assistant reply (greeting or what Genie can do)."""
    return act(runtime.context, Intent.OTHER)
