"""The deterministic classifier on a table of real partner phrasings (no LLM)."""

from __future__ import annotations

import pytest

from agent.intents import Intent
from agent.keywords import KeywordClassifier, looks_like_question, normalize

CLASSIFIER = KeywordClassifier()

# (message, in training, intent, session)
EXAMPLES: list[tuple[str, bool, Intent, int | None]] = [
    ("I am a new partner", False, Intent.ENROLL, None),
    ("hi, I just joined as a partner", False, Intent.ENROLL, None),
    ("new partner here 👋", False, Intent.ENROLL, None),
    ("please start my onboarding", False, Intent.ENROLL, None),
    ("I am a nwe partner", False, Intent.ENROLL, None),
    ("I AM A NEW PARTNER", False, Intent.ENROLL, None),
    ("main naya partner hoon", False, Intent.ENROLL, None),
    ("continue my training", False, Intent.RESUME, None),
    ("where was I?", False, Intent.RESUME, None),
    ("next", True, Intent.NEXT, None),
    ("Next please", True, Intent.NEXT, None),
    ("nxt", True, Intent.NEXT, None),
    ("agla", True, Intent.NEXT, None),
    ("previous", True, Intent.PREVIOUS, None),
    ("go back", True, Intent.PREVIOUS, None),
    ("pichla wala", True, Intent.PREVIOUS, None),
    ("menu", True, Intent.MENU, None),
    ("help", True, Intent.MENU, None),
    ("done", True, Intent.COMPLETE, None),
    ("mark this finished", True, Intent.COMPLETE, None),
    ("I'm done with this one", True, Intent.COMPLETE, None),
    ("ho gaya", True, Intent.COMPLETE, None),
    ("section 5", True, Intent.JUMP, 5),
    ("session five", True, Intent.JUMP, 5),
    ("take me to the 2nd session", True, Intent.JUMP, 2),
    ("go to #3", True, Intent.JUMP, 3),
    ("3", True, Intent.JUMP, 3),
    ("teesra session", True, Intent.JUMP, 3),
    ("restart", True, Intent.RESTART, None),
    ("start over", True, Intent.RESTART, None),
    ("I'll continue later", True, Intent.EXIT, None),
    ("done for today", True, Intent.EXIT, None),
    ("exit", True, Intent.EXIT, None),
    ("baad mein", True, Intent.EXIT, None),
    ("how far am I?", True, Intent.PROGRESS, None),
    ("kitna hua", True, Intent.PROGRESS, None),
    ("what is SS316 used for?", True, Intent.QUESTION, None),
    ("how long is a quote valid", True, Intent.QUESTION, None),
    ("the commission rule is confusing", True, Intent.QUESTION, None),
    ("what is the commission?", False, Intent.QUESTION, None),
    ("thanks", True, Intent.OTHER, None),
    ("ok", True, Intent.OTHER, None),
    ("hi", False, Intent.OTHER, None),
    ("👍", True, Intent.OTHER, None),
    ("I love pizza", False, Intent.OTHER, None),
]


@pytest.mark.parametrize(("text", "in_training", "intent", "session"), EXAMPLES)
def test_classify(text: str, in_training: bool, intent: Intent, session: int | None) -> None:
    found = CLASSIFIER.classify(text, in_training)
    assert (found.intent, found.session) == (intent, session)


@pytest.mark.parametrize("text", ["next", "done", "menu", "section 5", "3", "I am a new partner"])
def test_whole_message_commands_take_the_fast_path(text: str) -> None:
    assert CLASSIFIER.classify(text, True).exact


@pytest.mark.parametrize(
    "text",
    [
        "what is the next step after a quote is sent?",
        "can I go back to a customer after they said no?",
        "is the commission done on the net invoice value?",
    ],
)
def test_commands_inside_a_real_question_are_not_commands(text: str) -> None:
    assert CLASSIFIER.classify(text, True).intent is Intent.QUESTION


def test_typos_are_marked_as_fuzzy_matches() -> None:
    found = CLASSIFIER.classify("nxet", True)
    assert (found.intent, found.source) == (Intent.NEXT, "fuzzy")
    assert 0 < found.confidence < 1


def test_normalize() -> None:
    assert normalize("  I’m DONE!! 👋 ") == "i'm done"
    assert normalize("Go to #3.") == "go to #3"
    assert normalize("🙏") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("what is MOQ", True), ("SS316?", True), ("kya commission milega", True), ("next", False)],
)
def test_looks_like_question(text: str, expected: bool) -> None:
    assert looks_like_question(text) is expected
