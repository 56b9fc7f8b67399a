"""A session's quiz parsed once per stored version, not on every message of a quiz."""

from __future__ import annotations

import threading
from typing import Any

from store.models import TrainingSession
from store.quiz_model import Quiz, quiz_of

MAX_KEPT = 256  # quizzes of every session in a few languages, with room for content edits

# id(stored quiz dict) -> (that dict, its Quiz). The store hands out copies of its parsed
# sessions that share the quiz dict until the content changes, so the dict's identity says
# "same quiz" in nanoseconds, where validating it again (every question's options and answer)
# took ~30 µs on each of the two or three reads a quiz answer makes. The entry keeps the dict
# alive, so its id cannot be reused by another dict while the entry exists.
_kept: dict[int, tuple[dict[str, Any], Quiz | None]] = {}
_lock = threading.Lock()


def parsed_quiz(session: TrainingSession | None) -> Quiz | None:
    """`quiz_of(session)`, kept for as long as the session's quiz dict is the same object."""
    if session is None or not session.quiz:
        return None
    raw = session.quiz
    entry = _kept.get(id(raw))
    if entry is not None and entry[0] is raw:
        return entry[1]
    quiz = quiz_of(session)
    with _lock:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()  # stores that parse on every read (MongoDB) never hit: stay bounded
        _kept[id(raw)] = (raw, quiz)
    return quiz
