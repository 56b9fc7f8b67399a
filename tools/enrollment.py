"""Enrolment tool: start the training as a new partner, or continue where the partner left off."""

from __future__ import annotations

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent.intents import Intent
from agent.turn_context import TurnContext, act
from prompts import prompt


@tool("start_training", description=prompt("tools/start_training.md"), return_direct=True)
def start_training(runtime: ToolRuntime[TurnContext], resume: bool = False) -> str:
    """Enrol the partner, or resume their training; the Trainer handles either state."""
    return act(runtime.context, Intent.RESUME if resume else Intent.ENROLL)
