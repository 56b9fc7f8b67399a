"""How Genie decides what a message means without an LLM: the rules, in one place.

1. An exact command (a keyword phrase or a session reference, with little else) takes the
   fast path: `Classification.exact`, no model and no LLM.
2. Otherwise the phrase-bank model (agent/intent_model.py) scores every intent; the partner's
   stage (new, in training, paused, finished) weighs them, because "continue" from a partner
   who never started means "enrol", and "start the training" from a paused one means "resume".
3. Confidence decides: a destructive action (restart, complete, exit) needs a high one; a low
   one becomes a question (answered from the content) or other, never an action.
4. A jump needs a session reference; a minus sign or a number with no session is still passed
   on (as the number written) so the training rules answer with an error, never another session.
"""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum
from functools import lru_cache

from agent.compound import ANSWERED_AFTER, split_compound
from agent.intent_model import IntentModel, intent_model
from agent.intents import Classification, Intent
from agent.keywords import KeywordClassifier, looks_like_question, normalize
from agent.session_refs import asks_to_go, find_session_ref
from store.models import Progress


class Stage(StrEnum):
    """Where a partner is in the training, as context for understanding a message."""

    NEW = "new"
    TRAINING = "training"
    PAUSED = "paused"
    FINISHED = "finished"


def stage_of(progress: Progress | None) -> Stage:
    """The partner's stage from their progress record."""
    if progress is not None and progress.in_training_mode:
        return Stage.TRAINING
    if progress is None or not (progress.training_started or progress.current_section):
        return Stage.NEW
    return Stage.FINISHED if progress.completed_at else Stage.PAUSED


# How likely each intent is in each stage, relative to the others (unlisted: 1.0).
_PRIORS: dict[Stage, dict[Intent, float]] = {
    Stage.NEW: {
        Intent.ENROLL: 2.0, Intent.RESUME: 0.5, Intent.NEXT: 0.3, Intent.PREVIOUS: 0.2,
        Intent.COMPLETE: 0.1, Intent.EXIT: 0.3, Intent.RESTART: 0.2, Intent.JUMP: 0.5,
    },
    Stage.TRAINING: {Intent.ENROLL: 0.2, Intent.RESUME: 0.4},
    Stage.PAUSED: {Intent.RESUME: 2.0, Intent.ENROLL: 0.5, Intent.COMPLETE: 0.3},
    Stage.FINISHED: {Intent.COMPLETE: 0.3, Intent.NEXT: 0.5},
}  # fmt: skip
# Same action under another name once the stage is known.
_SAME_IN_STAGE: dict[Stage, dict[Intent, Intent]] = {
    Stage.NEW: {Intent.RESUME: Intent.ENROLL, Intent.RESTART: Intent.ENROLL},
    Stage.TRAINING: {Intent.ENROLL: Intent.RESUME},
    Stage.PAUSED: {Intent.ENROLL: Intent.RESUME},
    Stage.FINISHED: {Intent.ENROLL: Intent.RESUME},
}
MIN_CONFIDENCE = 0.40
JUMP_WITH_REFERENCE = 0.25
OVERRULE_KEYWORD = 0.70  # the model overrules a keyword found among other words only when sure
# Actions that change or end the partner's progress need to be clearly meant.
LONG_QUESTION_WORDS = 8
CACHED_CLASSIFICATIONS = 4096  # distinct (text, stage) pairs kept; a few MB at most
_STATUS = {Intent.ENROLL, Intent.PROGRESS}
# What the model may call a message that names a session and asks to go there.
_UNSURE_OF_PLACE = {Intent.QUESTION, Intent.OTHER, Intent.MENU}
_MOVES = {Intent.JUMP, Intent.NEXT, Intent.PREVIOUS, Intent.MENU, Intent.RESUME}
# A restart the model guessed is never carried out at once: agent/dispatch.py asks first
# whenever there is progress to lose, so its bar is the same as the other actions'.
NEEDS_CONFIDENCE = {Intent.RESTART: 0.55, Intent.COMPLETE: 0.55, Intent.EXIT: 0.55}


# Instructions aimed at the machine, not the training: never acted on without an LLM.
_INJECTION = re.compile(
    r"ignore (?:all |the )?(?:previous|above|prior)|instruction|developer mode|admin|override|"
    r"system|prompt|database|above this|repeat everything|```|<!--|[{}\[\]=]",
    re.IGNORECASE,
)
# "mark everything done" asks to complete more than the current session ("everything in this
# one" does not): such a completion is never carried out without an LLM.
_MANY = re.compile(
    r"\b(?:all|every|saare|sab|sabhi)\s+(?:the\s+)?(?:sessions?|modules?|chapters?|of them|"
    r"training)\b|\beverything\b",
    re.IGNORECASE,
)
_THIS = re.compile(r"\b(?:this|current|ye|yeh)\b", re.IGNORECASE)
# Intents the model may not pick for such a message (they change progress).
_GUARDED = {Intent.COMPLETE, Intent.RESTART, Intent.JUMP, Intent.NEXT, Intent.PREVIOUS,
            Intent.RESUME, Intent.EXIT, Intent.ENROLL}  # fmt: skip
# "mark session 7 complete" asks to complete another session: never a jump (nor a completion).
_COMPLETION = re.compile(r"\b(?:complete|completed|mark|tick|finish|finished|done)\b", re.I)


def _guarded(text: str) -> bool:
    """True for a message whose command clauses must not be acted on (see the guards above)."""
    asks_other_session = _COMPLETION.search(text) and find_session_ref(normalize(text))
    return bool(_suspicious(text, Intent.COMPLETE) or asks_other_session)


def _suspicious(text: str, intent: Intent) -> bool:
    """Injected instructions, or a completion of many sessions at once."""
    many = intent is Intent.COMPLETE and _MANY.search(text) and not _THIS.search(text)
    return bool(_INJECTION.search(text) or many)


class IntentClassifier:
    """Exact commands first, then the phrase-bank model with the partner's stage as context."""

    def __init__(self, model: IntentModel | None = None) -> None:
        self.keywords = KeywordClassifier()
        self.model = model or intent_model()
        # The answer depends only on the text and the stage, and partners repeat the same few
        # commands: the transport's lane choice and the turn itself then classify once.
        self._classify_in_stage = lru_cache(maxsize=CACHED_CLASSIFICATIONS)(self._classify)

    def classify(self, text: str, progress: Progress | None = None) -> Classification:
        """What the partner means by `text`, given their progress (None: a new partner)."""
        return self._classify_in_stage(text, stage_of(progress))

    def _classify(self, text: str, stage: Stage) -> Classification:
        exact = self.keywords.classify(text, stage is Stage.TRAINING)
        if exact.exact and (exact.confidence >= 1.0 or self._agrees(exact, text)):
            return self._in_stage(exact, stage)
        guess = self._scored(text, stage)
        parts = split_compound(text, self.model)
        if parts is None:
            return guess
        command, question = parts
        if guess.intent in (Intent.QUESTION, Intent.OTHER) and not _guarded(text):
            # a command inside a longer message
            inner = self._scored(command, stage)
            guess = inner if inner.intent not in (Intent.QUESTION, Intent.OTHER) else guess
        if question and guess.intent in ANSWERED_AFTER:
            guess = replace(guess, question=question)
        return guess

    def _scored(self, text: str, stage: Stage) -> Classification:
        probs = self.model.probabilities(text)
        priors = _PRIORS[stage]
        weighted = {i: p * priors.get(i, 1.0) for i, p in probs.items()}
        total = sum(weighted.values()) or 1.0
        intent = max(weighted, key=lambda i: weighted[i])
        long_question = "?" in text and len(text.split()) >= LONG_QUESTION_WORDS
        if long_question and intent in _STATUS and weighted[Intent.QUESTION] / total >= 0.2:
            intent = Intent.QUESTION  # a long question naming partners or progress: programme
        norm = normalize(text)
        ref = find_session_ref(norm)
        if ref and weighted[Intent.JUMP] / total >= JUMP_WITH_REFERENCE and intent in _MOVES:
            intent = Intent.JUMP  # a session named in a command-like message is where to go
        elif ref and intent in _UNSURE_OF_PLACE and asks_to_go(norm) and not _guarded(text):
            intent = Intent.JUMP  # "I had a doubt in the 4th session, could you open it?"
        confidence = weighted[intent] / total
        if intent in _GUARDED and _suspicious(text, intent):
            return self._unsure(text, stage, confidence)
        if intent in (Intent.COMPLETE, Intent.JUMP) and ref and _COMPLETION.search(text):
            return self._unsure(text, stage, confidence)  # only the current one can be completed
        if confidence < NEEDS_CONFIDENCE.get(intent, MIN_CONFIDENCE) and not (
            intent is Intent.JUMP and ref
        ):
            return self._unsure(text, stage, confidence)
        if intent is Intent.OTHER and stage is Stage.TRAINING and looks_like_question(text):
            intent = Intent.QUESTION  # in training, a real question gets an answer or "not covered"
        guess = Classification(intent, source="model", confidence=round(confidence, 3))
        if intent is Intent.JUMP:
            if ref is None:  # a jump with no session: the menu lists the choices
                return replace(guess, intent=Intent.MENU)
            return replace(guess, session=ref.number, last_session=ref.last)
        return self._in_stage(guess, stage)

    def _agrees(self, exact: Classification, text: str) -> bool:
        """False when the model is sure the phrase found means something else in this
        message ("which sessions have I finished" is a progress question, not "finished")."""
        probs = self.model.probabilities(text)
        best = max(probs, key=lambda i: probs[i])
        return best is exact.intent or probs[best] < OVERRULE_KEYWORD

    def _unsure(self, text: str, stage: Stage, confidence: float) -> Classification:
        """Not sure enough for an action: a question when it looks like one, else other."""
        asks = stage is Stage.TRAINING or looks_like_question(text)
        intent = Intent.QUESTION if asks else Intent.OTHER
        return Classification(intent, source="default", confidence=round(confidence, 3))

    def _in_stage(self, guess: Classification, stage: Stage) -> Classification:
        same = _SAME_IN_STAGE[stage].get(guess.intent)
        return replace(guess, intent=same) if same else guess
