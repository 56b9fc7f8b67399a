"""The turn step that owns messages while a quiz is in progress (before any classification).

Answers given by option number, letter, exact text or a true/false word are graded here
with no LLM call. "menu", "progress", "exit" and jumps pause the quiz and go on to the usual
rules; a question is answered from the content and the quiz question asked again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from agent.intents import Intent
from agent.keywords import KeywordClassifier, looks_like_question, normalize
from agent.messages import Reply
from agent.quiz import flow
from agent.quiz.grading import grade_exact, grade_lenient
from agent.quiz.options import with_options
from agent.quiz.phrases import says
from agent.quiz.state import QuizState
from agent.training import ActionResult
from agent.turns import TurnResult
from prompts import message
from store.quiz_model import Quiz

if TYPE_CHECKING:
    from agent.training import Trainer
    from agent.turn_steps import StepInput
    from store.models import Progress

_PAUSING = (Intent.MENU, Intent.PROGRESS, Intent.EXIT, Intent.JUMP)
_CONTINUING = (Intent.ENROLL, Intent.RESUME, Intent.COMPLETE)


@lru_cache(maxsize=1)
def _classifier() -> KeywordClassifier:
    return KeywordClassifier()


@lru_cache(maxsize=4096)
def classify_command(text: str) -> Intent | None:
    """The command a whole message gives (keyword or typo match), or None."""
    # Kept per text (bounded): every message of a quiz asks, and partners send the same few
    # answers and commands; the phrase and typo matching took ~0.3 ms of each quiz turn.
    guess = _classifier().classify(text, True)
    return guess.intent if guess.exact or guess.source == "fuzzy" else None


def _turn(action: ActionResult) -> TurnResult:
    after = action.progress
    session = after.current_section if after else None
    return TurnResult(action.replies, Intent.QUIZ, "keyword", session, passages=action.passages)


def is_exact_answer(trainer: Trainer, progress: Progress | None, text: str) -> bool:
    """True when `text` answers the quiz question being asked as it is (no LLM needed), so
    the transport keeps it in the fast lane instead of queueing it behind model turns."""
    active = flow.active_quiz(trainer, progress)
    if active is None:
        return False
    state, quiz = active
    if state.paused or state.phase != "asking":
        return False
    return grade_exact(quiz.questions[state.current], text) is not None


def quiz_step(step: StepInput) -> TurnResult | None:
    """Settle the turn when it belongs to the partner's quiz in progress; None otherwise."""
    active = flow.active_quiz(step.trainer, step.progress)
    if active is None:
        return None
    state, quiz = active
    command = classify_command(step.text)
    if command is Intent.RESTART:
        flow.drop(step.trainer, step.phone)
        return None
    if state.phase == "locked":
        return None  # completing that session again says who can help; all else works
    if state.paused:
        return _paused(step, state, quiz, command)
    if state.phase == "review":
        return _review(step, state, quiz, command)
    return _asking(step, state, quiz, command)


def _paused(
    step: StepInput, state: QuizState, quiz: Quiz, command: Intent | None
) -> TurnResult | None:
    on_quiz_session = step.progress is not None and step.progress.current_section == state.s_no
    if (
        command is Intent.RESUME
        or says("retry", step.text)
        or (on_quiz_session and command in (Intent.NEXT, Intent.COMPLETE))
    ):
        if state.phase == "review":  # e.g. "done" after re-reading: the retry starts
            return _turn(flow.retry(step.trainer, step.phone, state, quiz))
        return _turn(flow.ask_again(step.trainer, step.phone, state, quiz))
    return None


def _review(
    step: StepInput, state: QuizState, quiz: Quiz, command: Intent | None
) -> TurnResult | None:
    t, phone = step.trainer, step.phone
    if says("reread", step.text) or command is Intent.PREVIOUS:
        return _turn(flow.reread(t, phone, state))
    if says("retry", step.text) or command in (*_CONTINUING, Intent.NEXT):
        return _turn(flow.retry(t, phone, state, quiz))
    if command in _PAUSING:
        flow.pause(t, phone, state)
        return None
    return _aside(step, flow.review_prompt(t, phone, state, quiz))


def _asking(
    step: StepInput, state: QuizState, quiz: Quiz, command: Intent | None
) -> TurnResult | None:
    t, phone, text = step.trainer, step.phone, step.text
    question = quiz.questions[state.current]
    graded = grade_exact(question, text)
    if graded is not None:
        return _turn(flow.answer(t, phone, state, quiz, graded))
    if command is Intent.JUMP and normalize(text).isdigit():
        command = None  # a bare number mid-quiz is an answer, not "go to session n"
    if says("skip", text) or command is Intent.NEXT:
        return _with_question(message("quiz_no_skip"), step, state, quiz)
    if says("reread", text) or command is Intent.PREVIOUS:
        return _turn(flow.reread(t, phone, state))
    if command in _PAUSING:
        flow.pause(t, phone, state)
        return None
    if command in _CONTINUING:
        return _turn(flow.ask_again(t, phone, state, quiz))
    if looks_like_question(text):
        return _aside(step, None, state, quiz)
    if step.llm:
        return None  # the LLM's quiz tool reads the meaning; it falls back to grade_lenient
    graded = grade_lenient(question, text)
    if graded is not None:
        return _turn(flow.answer(t, phone, state, quiz, graded))
    return _turn(flow.unclear(t, phone, state, quiz))


def _with_question(note: str, step: StepInput, state: QuizState, quiz: Quiz) -> TurnResult:
    progress = step.progress
    text = note + "\n\n" + flow.question_text(quiz, state)
    return _turn(ActionResult([with_options(Reply(text=text), quiz, state)], progress))


def _aside(
    step: StepInput,
    then: ActionResult | None,
    state: QuizState | None = None,
    quiz: Quiz | None = None,
) -> TurnResult:
    """Answer a question asked mid-quiz from the content, then repeat where the quiz is."""
    answered = step.trainer.answer(step.phone, step.text)
    if then is not None:
        follow = then.replies
    else:
        assert state is not None and quiz is not None
        text = message("quiz_back") + "\n\n" + flow.question_text(quiz, state)
        follow = [with_options(Reply(text=text), quiz, state)]
    result = ActionResult([*answered.replies, *follow], answered.progress, answered.passages)
    return _turn(result)
