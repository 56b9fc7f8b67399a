"""The steps that may settle a turn before classification, in order (add one line per step)."""

from __future__ import annotations

from agent.confirmations import settle_pending
from agent.tap_step import tap_step
from agent.turn_steps import TurnStep

# Order matters: earlier steps see the message first.
STEPS: list[TurnStep] = [
    settle_pending,  # first: any other message, a tap included, drops a pending question
    tap_step,
]
