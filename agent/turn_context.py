"""What the LLM tools of one turn share: who the partner is, the trainer, and what happened.

The agent passes a `TurnContext` as its run context; tools read the partner's identity from
it (never from model arguments) and leave their result in it for the interpreter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from agent.compound import ANSWERED_AFTER, split_compound
from agent.dispatch import dispatch
from agent.intent_model import intent_model
from agent.intents import Classification, Intent
from agent.keywords import normalize
from agent.retrieval import Passage
from agent.session_refs import find_session_ref
from agent.training import Trainer
from agent.turns import TurnResult
from store.models import Progress

TURN_BUDGET_S = 13.0  # all model calls of a turn; leaves room for the store and Twilio in 15 s


@dataclass
class TurnContext:
    """One partner turn: identity and state in, the tool's outcome and the costs out."""

    phone: str
    text: str
    trainer: Trainer
    progress: Progress | None
    model_name: str = "gpt-4o-mini"
    system_prompt: str = ""
    answer_prompt: str = ""
    deadline: float = field(default_factory=lambda: time.monotonic() + TURN_BUDGET_S)
    # Filled in during the run:
    outcome: TurnResult | None = None
    passages: list[Passage] = field(default_factory=list)
    query: str | None = None
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def in_training(self) -> bool:
        """True when the partner is inside a training session."""
        return bool(self.progress and self.progress.in_training_mode)

    @property
    def answering(self) -> bool:
        """True once the knowledge tool returned passages: the next model call writes the answer."""
        return bool(self.passages) and self.outcome is None


def act(ctx: TurnContext, intent: Intent, session: int | None = None) -> str:
    """Apply `intent` with the training rules for the context's partner; a note for the model.

    The partner-facing replies stay in `ctx.outcome`; the model only learns that it is done.
    The session the partner wrote wins over the model's number ("section -3" is an error, not
    session 3), and the question of a compound message is answered after the navigation, as
    on the keyword path.
    """
    ref = find_session_ref(normalize(ctx.text)) if intent is Intent.JUMP else None
    if ref is not None:
        session = ref.number
    parts = split_compound(ctx.text, intent_model()) if intent in ANSWERED_AFTER else None
    guess = Classification(
        intent,
        session=session,
        source="llm",
        last_session=bool(ref and ref.last),
        question=parts[1] if parts else None,
    )
    ctx.outcome = dispatch(ctx.trainer, guess, ctx.text, ctx.phone, ctx.progress)
    return f"Done ({intent.value}); the partner has been answered."
