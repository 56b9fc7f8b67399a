"""Carry out a classified intent with the training rules, whichever path understood it.

The keyword path (Engine) and the LLM tools both call `dispatch`, so the state rules
(what "next" means outside training, when a question is answered ...) live in one place.
"""

from __future__ import annotations

from dataclasses import replace

from agent.assistant import regular_reply
from agent.compound import ANSWERED_AFTER
from agent.intents import Classification, Intent
from agent.keywords import looks_like_question
from agent.messages import Reply
from agent.topic_refs import find_topic_session
from agent.training import ActionResult, Trainer, has_started
from agent.translations import localized
from agent.turns import TurnResult
from prompts import current_language, default_language, message
from store.models import Progress

SURE_QUESTION = 0.6  # classifier confidence above which an unanswerable question is still one
_GUESSED = {"model", "fuzzy", "default"}  # understood by the phrase-bank model, not a keyword
# What a message naming a session by its topic may have been understood as: never a
# command that changes progress (restart, complete ...); "go back to the products session"
# may read as previous.
_NAMED_BY_TOPIC = {
    Intent.QUESTION, Intent.OTHER, Intent.MENU, Intent.JUMP, Intent.NEXT, Intent.PREVIOUS,
}  # fmt: skip


def dispatch(
    trainer: Trainer, guess: Classification, text: str, phone: str, progress: Progress | None
) -> TurnResult:
    """Apply the rules for `guess` given the partner's state; no LLM involved."""
    in_training = bool(progress and progress.in_training_mode)
    started = has_started(progress)
    intent = guess.intent
    t = trainer
    action: ActionResult | None = None
    if guess.last_session:  # "the last one": the last session of the current content
        sessions = t.knowledge.sessions()
        guess = replace(guess, session=sessions[-1].s_no if sessions else None)
    elif started and intent in _NAMED_BY_TOPIC and guess.session is None and not guess.exact:
        # "take me to the one about payments": a session named by its topic, found in the
        # current content (the classifier knows no content, so this is decided here).
        topic = find_topic_session(text, t.knowledge.index())
        if topic is not None:
            guess, intent = replace(guess, intent=Intent.JUMP, session=topic), Intent.JUMP
    if intent is Intent.ENROLL:
        action = t.enroll(phone)
    elif intent is Intent.RESUME or (intent is Intent.NEXT and started and not in_training):
        action, intent = t.resume(phone), Intent.RESUME  # report what was carried out
    elif intent is Intent.PROGRESS:
        action = t.progress(phone)
    elif (
        intent is Intent.RESTART
        and progress
        and (progress.completed_sections or (started and guess.source in _GUESSED))
    ):
        # Completed sessions are not wiped on one word, nor a place in the training on a
        # guess: ask, and agent/confirmations.py carries out the answer. Without progress
        # there is nothing to lose.
        action = t.confirm_restart(phone)
    elif intent is Intent.RESTART:
        action = t.restart(phone) if started else t.enroll(phone)
    elif intent is Intent.JUMP and guess.session is not None and (in_training or started):
        action = t.jump(phone, guess.session)
    elif started and intent is Intent.MENU:
        action = t.menu(phone)
    elif in_training and intent in _IN_TRAINING:
        action = _IN_TRAINING[intent](t, phone)
    elif in_training and intent is Intent.QUESTION:
        action = t.answer(phone, text)
        # A guess (or the model's search that found nothing), not a recognised question.
        unsure = guess.source in ("default", "fuzzy", "llm")
        if not action.passages and unsure and not looks_like_question(text):
            action, intent = None, Intent.OTHER
    elif started and intent is Intent.QUESTION:
        # After a pause or after finishing, the training content still answers questions.
        action = t.answer(phone, text)
        if not action.passages:
            action = None
    elif intent is Intent.QUESTION and (guess.source != "default" or looks_like_question(text)):
        # Before enrolment: an answer from the content and an invitation to start. With nothing
        # found, a clear programme question gets "not covered" (and the invitation); anything
        # less certain gets the regular assistant's reply below.
        action = t.answer_before_enrolment(phone, text)
        sure = guess.source == "model" and guess.confidence >= SURE_QUESTION
        if not action.passages and not sure:
            action = None
    elif started and intent in (Intent.PREVIOUS, Intent.COMPLETE) and t.all_done(phone):
        action = t.resume(phone)
    elif started and intent in (Intent.PREVIOUS, Intent.COMPLETE):
        current = progress.current_section if progress else None
        hint = message("not_in_training_hint", current=current)
        return TurnResult([Reply(text=hint)], intent, guess.source, current)
    if action is None:
        if intent is Intent.QUESTION:  # outside training a question is ordinary chat
            intent = Intent.OTHER
        replies = regular_reply(text, progress, current_heading(trainer, progress))
        session = progress.current_section if progress else None
        return TurnResult(replies, intent, guess.source, session, guess.session)
    after = action.progress
    if guess.question and intent in ANSWERED_AFTER and after and after.in_training_mode:
        answered = t.answer(phone, guess.question)  # compound: move first, then answer
        if answered.passages:
            action.replies += answered.replies
            action.passages = answered.passages
    return TurnResult(
        action.replies,
        intent,
        guess.source,
        after.current_section if after else None,
        guess.session,
        passages=action.passages,
    )


def current_heading(trainer: Trainer, progress: Progress | None) -> str | None:
    """The heading of the partner's current session, if any."""
    if not progress or progress.current_section is None:
        return None
    session = trainer.store.get_session(progress.current_section)
    if session is None:
        return None
    return localized(session, current_language(), default_language()).heading


_IN_TRAINING = {
    Intent.NEXT: Trainer.next,
    Intent.PREVIOUS: Trainer.previous,
    Intent.COMPLETE: Trainer.complete,
    Intent.EXIT: Trainer.exit,
    Intent.MENU: Trainer.menu,
}
