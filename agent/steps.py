"""The steps that may settle a turn before classification, in order (add one line per step)."""

from __future__ import annotations

from agent.confirmations import settle_pending
from agent.language_step import choose_language
from agent.opt_out import opt_out_step
from agent.quiz.feedback import feedback_step
from agent.quiz.step import quiz_step
from agent.quiz.tap import quiz_tap_step
from agent.tap_step import tap_step
from agent.turn_steps import TurnStep

# Order matters: earlier steps see the message first. Opt-out comes first of all: STOP is
# honoured whatever else is going on (a tapped button, a confirmation asked for, a quiz ...).
STEPS: list[TurnStep] = [
    opt_out_step,
    settle_pending,  # any other message, a tap included, drops a pending question
    tap_step,
    quiz_tap_step,  # a tapped quiz option is graded as the letter it stands for
    choose_language,  # "Hindi", "English please", "language": before a quiz takes answers
    quiz_step,  # a quiz in progress owns answers; commands pause it
    feedback_step,  # the satisfaction question after the last session
]
