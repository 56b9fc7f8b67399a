"""A tapped quiz option: graded like the typed letter (0 LLM calls); stale taps count nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.intents import Intent
from agent.messages import Reply
from agent.quiz import flow
from agent.quiz.grading import grade_exact
from agent.quiz.options import parse_quiz_payload
from agent.training import ActionResult
from agent.turns import TurnResult
from prompts import message

if TYPE_CHECKING:
    from agent.turn_steps import StepInput


def quiz_tap_step(step: StepInput) -> TurnResult | None:
    """Settle the turn when the message is a tap on a quiz option."""
    tap = parse_quiz_payload(step.payload)
    if tap is None:
        return None
    trainer, phone = step.trainer, step.phone
    active = flow.active_quiz(trainer, step.progress)
    if active is None:  # the quiz is over: say so, and where the partner is
        action = trainer.menu(phone)
        action.replies.insert(0, Reply(text=message("stale_quiz")))
        return _turn(action)
    state, quiz = active
    current = state.phase == "asking" and (state.s_no, state.current) == (tap.s_no, tap.index)
    graded = grade_exact(quiz.questions[state.current], tap.answer) if current else None
    if graded is None:
        action = flow.ask_again(trainer, phone, state, quiz)
        action.replies.insert(0, Reply(text=message("stale_quiz")))
        return _turn(action)
    return _turn(flow.answer(trainer, phone, state, quiz, graded))


def _turn(action: ActionResult) -> TurnResult:
    after = action.progress
    session = after.current_section if after else None
    return TurnResult(action.replies, Intent.QUIZ, "button", session)
