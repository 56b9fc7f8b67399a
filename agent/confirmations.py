"""Yes/no answers to a question Genie asked and awaits (`Progress.pending`), as a turn step.

A pending question is settled by the partner's next message: a yes or no (English, Hinglish,
Hindi, from prompts/keywords.yaml) carries it out or drops it; anything else drops the
question and the message is handled as usual. Keyword path and LLM tools both ask through
`Trainer.confirm_restart`, so the answer is understood here whichever path asked.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from agent.intents import Intent
from agent.keywords import KeywordClassifier, normalize
from agent.turn_steps import StepInput
from agent.turns import TurnResult
from prompts import prompts_dir
from store.models import ProgressUpdate

CONFIRM_RESTART = "confirm_restart"
Answer = Literal["yes", "no"]


def _key(text: str) -> str:
    # Emoji-only answers (👍) normalise to nothing: compare those as typed.
    return normalize(text) or text.strip()


@lru_cache(maxsize=4)
def _answers(folder: str) -> dict[str, Answer]:
    raw = yaml.safe_load((Path(folder) / "keywords.yaml").read_text(encoding="utf-8"))
    phrases = [*raw["confirm_yes"], *raw["confirm_no"]]
    if not all(isinstance(p, str) for p in phrases):  # an unquoted yes/no reads as a bool
        raise ValueError("keywords.yaml: quote every confirm_yes/confirm_no phrase")
    yes = {_key(p): "yes" for p in raw["confirm_yes"]}
    no = {_key(p): "no" for p in raw["confirm_no"]}
    return {**yes, **no}  # type: ignore[dict-item]


def answer_of(text: str) -> Answer | None:
    """ "yes" or "no" when the whole message is one of the answer phrases, else None."""
    return _answers(str(prompts_dir())).get(_key(text))


def settle_pending(step: StepInput) -> TurnResult | None:
    """Carry out or drop the pending question; None (after dropping it) for other messages."""
    progress = step.progress
    if progress is None or not progress.pending:
        return None
    answer = answer_of(step.text)
    if progress.pending == CONFIRM_RESTART and answer is None:
        # Saying the restart command again, exactly, is a yes too.
        guess = KeywordClassifier().classify(step.text)
        if guess.intent is Intent.RESTART and guess.source == "keyword":
            answer = "yes"
    if answer is None or progress.pending != CONFIRM_RESTART:
        step.trainer.store.update_progress(step.phone, ProgressUpdate(pending=None))
        return None
    if answer == "yes":
        action = step.trainer.restart(step.phone)
        intent = Intent.RESTART
    else:
        action = step.trainer.keep_progress(step.phone)
        intent = Intent.OTHER
    after = action.progress
    return TurnResult(action.replies, intent, "keyword", after.current_section if after else None)
