"""Steps that may settle a turn before intent classification, in order, with no LLM call.

Each feature that must see a message first (opt-out, a confirmation Genie asked for, a quiz
in progress, a language choice) adds one step module and one line to `STEPS`. A step returns
a TurnResult to settle the turn, or None to let the next step (and finally the classifier) run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent.training import Trainer
from agent.turns import TurnResult
from store.models import Progress


@dataclass(frozen=True)
class StepInput:
    """What a step sees: the partner's text, phone and progress, and the training rules."""

    text: str
    phone: str
    progress: Progress | None
    trainer: Trainer


TurnStep = Callable[[StepInput], TurnResult | None]

# Order matters: earlier steps see the message first.
STEPS: list[TurnStep] = []


def settle_before_classification(step_input: StepInput) -> TurnResult | None:
    """The first step's result that settles the turn, or None when none does."""
    for step in STEPS:
        result = step(step_input)
        if result is not None:
            return result
    return None
