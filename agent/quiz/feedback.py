"""The turn step for the satisfaction question after the last session, and its comment.

A rating is 1 to 5 or a thumb (👍 counts as 5, 👎 as 1). Commands and questions are never
swallowed: they drop the pending question and go on to the usual rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.intents import Intent
from agent.keywords import looks_like_question, normalize
from agent.messages import Reply
from agent.quiz.finish import FEEDBACK_COMMENT, FEEDBACK_RATING
from agent.quiz.phrases import says
from agent.quiz.records import record_feedback
from agent.quiz.step import classify_command
from agent.turns import TurnResult
from prompts import message
from store.models import ProgressUpdate
from store.quiz_store import Feedback

if TYPE_CHECKING:
    from agent.turn_steps import StepInput

_THUMBS = {"👍": True, "👎": False}
_RATING = re.compile(r"^(?:i (?:give|rate)(?: it)? )?([1-5])(?: ?(?:/ ?5|out of 5|stars?))?$")


def rating_of(text: str) -> tuple[int, bool | None] | None:
    """(rating, thumbs) for "4", "4/5", "5 stars", 👍 or 👎; None otherwise."""
    stripped = re.sub(r"[\U0001F3FB-\U0001F3FF\uFE0F\s]", "", text)  # skin tones, variants
    if stripped and set(stripped) <= set(_THUMBS) and len(set(stripped)) == 1:
        up = _THUMBS[stripped[0]]
        return (5 if up else 1), up
    match = _RATING.match(normalize(text))
    return (int(match.group(1)), None) if match else None


def _reply(step: StepInput, key: str, pending: str | None) -> TurnResult:
    progress = step.trainer.store.update_progress(step.phone, ProgressUpdate(pending=pending))
    return TurnResult([Reply(text=message(key))], Intent.OTHER, "keyword", progress.current_section)


def feedback_step(step: StepInput) -> TurnResult | None:
    """Settle the turn when it answers the satisfaction question or adds the comment."""
    pending = step.progress.pending if step.progress else None
    if pending not in (FEEDBACK_RATING, FEEDBACK_COMMENT):
        return None
    store = step.trainer.store
    if pending == FEEDBACK_RATING and (rated := rating_of(step.text)) is not None:
        record_feedback(store, Feedback(phone=step.phone, rating=rated[0], thumbs=rated[1]))
        return _reply(step, "feedback_ask_comment", FEEDBACK_COMMENT)
    if says("skip", step.text) or normalize(step.text) in ("no", "nothing", "no thanks", "nahi"):
        return _reply(step, "feedback_thanks", None)
    command = classify_command(step.text)
    if (command is not None and command is not Intent.QUESTION) or looks_like_question(step.text):
        step.trainer.store.update_progress(step.phone, ProgressUpdate(pending=None))
        return None
    if pending == FEEDBACK_RATING:
        return _reply(step, "feedback_rating_unclear", FEEDBACK_RATING)
    record_feedback(store, Feedback(phone=step.phone, comment=step.text.strip()))
    return _reply(step, "feedback_thanks", None)
