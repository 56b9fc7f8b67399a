"""A tapped button or list row: the action it names, with 0 LLM calls; stale taps change nothing."""

from __future__ import annotations

from agent import render
from agent.intents import Intent
from agent.interactive import Tap, parse_payload
from agent.messages import Reply
from agent.training import ActionResult, Trainer, has_started
from agent.turn_steps import StepInput
from agent.turns import TurnResult
from prompts import message
from store.models import Progress

_INTENTS = {"done": Intent.COMPLETE, "next": Intent.NEXT, "menu": Intent.MENU,
            "jump": Intent.JUMP, "page": Intent.MENU}  # fmt: skip


def tap_step(step: StepInput) -> TurnResult | None:
    """Settle the turn when the message is a tap on one of Genie's buttons or lists."""
    tap = parse_payload(step.payload)
    if tap is None:
        return None
    action = _act(tap, step.trainer, step.phone, step.progress)
    after = action.progress
    session = after.current_section if after else None
    return TurnResult(action.replies, _INTENTS[tap.action], "button", session, tap.number)


def _act(tap: Tap, trainer: Trainer, phone: str, progress: Progress | None) -> ActionResult:
    if not has_started(progress) or progress is None:
        return trainer.enroll(phone)
    current = progress.current_section
    if tap.action == "jump" and tap.number is not None:
        return trainer.jump(phone, tap.number)
    if tap.action == "page":
        sessions = trainer.knowledge.sessions()
        return ActionResult([render.menu_reply(progress, sessions, tap.number or 1)], progress)
    if tap.action == "menu":
        return trainer.menu(phone)
    if tap.number != current or not progress.in_training_mode:
        return _stale(trainer, progress, tap.number)
    return trainer.complete(phone) if tap.action == "done" else trainer.next(phone)


def _stale(trainer: Trainer, progress: Progress, shown: int | None) -> ActionResult:
    """A Done/Next for a session the partner has left: say where they are, change nothing."""
    sessions = trainer.knowledge.sessions()
    if not sessions:
        return trainer.menu(progress.phone)
    values = render.counts(progress, sessions)
    text = message("stale_button", shown=shown if shown is not None else "?", **values)
    return ActionResult([Reply(text=text)], progress)
