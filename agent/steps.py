"""The steps that may settle a turn before classification, in order (add one line per step)."""

from __future__ import annotations

from agent.quiz.feedback import feedback_step
from agent.quiz.step import quiz_step
from agent.tap_step import tap_step
from agent.turn_steps import TurnStep

# Order matters: earlier steps see the message first.
STEPS: list[TurnStep] = [
    tap_step,
    quiz_step,  # a quiz in progress owns answers; commands pause it
    feedback_step,  # the satisfaction question after the last session
]
