"""One turn's view of the store: writes are collected, then committed as one unit.

The trainer and the LLM tools keep calling `update_progress` as before; during a turn those
calls change only this unit's copy of the partner's progress. The engine then hands the unit
to a commit (store.commit_turn, or the inbox's, which adds the reply parts), which writes the
progress (compare-and-set against the version read here), the chat lines and the rest at once.
"""

from __future__ import annotations

from typing import Any

from store.base import TrainingStore
from store.models import ChatEntry, Progress, ProgressUpdate, utcnow
from store.quiz_store import Feedback, QuizAnswer
from store.turns import TurnWrite, merge_progress, new_progress


class TurnUnit:
    """Delegates reads to the store; buffers the partner's progress changes and chat lines."""

    def __init__(self, store: TrainingStore, phone: str) -> None:
        self._store = store
        self.phone = phone
        self._loaded = False
        self._base: Progress | None = None
        self._progress: Progress | None = None
        self._changed = False
        self.lines: list[ChatEntry] = []
        self.quiz_answers: list[QuizAnswer] = []
        self.feedback: list[Feedback] = []

    @property
    def underlying(self) -> TrainingStore:
        """The store this turn reads from and commits to (for stores of other data beside it)."""
        return self._store

    def __getattr__(self, name: str) -> Any:
        # Everything a turn does not write (sessions, chat history, leads) reads through.
        return getattr(self._store, name)

    def start_from(self, progress: Progress | None) -> None:
        """Begin from a read of the partner's progress made just before the turn (under the
        same lease): the commit's version check still rejects it if it has changed since."""
        self._base = self._progress = progress
        self._loaded = True

    def _load(self) -> None:
        if not self._loaded:
            self._base = self._store.get_progress(self.phone)
            self._progress = self._base
            self._loaded = True

    def get_progress(self, phone: str) -> Progress | None:
        """The partner's progress as this turn has changed it so far."""
        if phone != self.phone:
            return self._store.get_progress(phone)
        self._load()
        return self._progress

    def update_progress(self, phone: str, update: ProgressUpdate) -> Progress:
        """Change this turn's copy of the progress; written when the turn commits."""
        if phone != self.phone:
            raise ValueError("a turn changes only its own partner's progress")
        self._load()
        now = utcnow()
        self._progress = merge_progress(self._progress or new_progress(phone, now), update, now)
        self._changed = True
        return self._progress

    def append_chat(self, entry: ChatEntry) -> None:
        """Add a chat line to the turn."""
        self.lines.append(entry)

    def record_quiz_answer(self, answer: QuizAnswer) -> None:
        """Add a quiz answer to the turn (written with it, so once even if the turn is redone)."""
        self.quiz_answers.append(answer)

    def record_feedback(self, feedback: Feedback) -> None:
        """Add a feedback record to the turn."""
        self.feedback.append(feedback)

    def turn(self, key: str) -> TurnWrite:
        """Everything this turn writes, keyed by `key`."""
        return TurnWrite(
            key=key,
            phone=self.phone,
            base_version=self._base.version if self._base else None,
            progress=self._progress if self._changed else None,
            lines=list(self.lines),
            quiz_answers=list(self.quiz_answers),
            feedback=list(self.feedback),
        )
