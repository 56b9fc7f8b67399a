"""Steps that may settle a turn before intent classification, in order, with no LLM call.

Each feature that must see a message first (opt-out, a tapped button, a confirmation Genie
asked for, a quiz in progress, a language choice) adds one step module and one line to
`STEPS` in agent/steps.py. A step returns a TurnResult to settle the turn, or None to let the
next step (and finally the classifier) run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from agent.training import Trainer
from agent.turns import TurnResult
from store.models import Progress, utcnow


@dataclass(frozen=True)
class StepInput:
    """What a step sees: the partner's text, phone and progress, the training rules, the time."""

    text: str
    phone: str
    progress: Progress | None
    trainer: Trainer
    payload: str | None = None  # a tapped button's payload, if the message is a tap
    now: datetime = field(default_factory=utcnow)  # the engine's clock, so stories move it
    llm: bool = False  # an LLM interpreter runs when no step settles the turn


TurnStep = Callable[[StepInput], TurnResult | None]


def settle_before_classification(
    step_input: StepInput, steps: Sequence[TurnStep]
) -> TurnResult | None:
    """The first step's result that settles the turn, or None when none does."""
    for step in steps:
        result = step(step_input)
        if result is not None:
            return result
    return None
