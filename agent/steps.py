"""The steps that may settle a turn before classification, in order (add one line per step)."""

from __future__ import annotations

from agent.language_step import choose_language
from agent.opt_out import opt_out_step
from agent.tap_step import tap_step
from agent.turn_steps import TurnStep

# Order matters: earlier steps see the message first. Opt-out comes first of all: STOP is
# honoured whatever else is going on (a tapped button, a confirmation asked for, a quiz ...).
STEPS: list[TurnStep] = [
    opt_out_step,
    tap_step,
    choose_language,
]
