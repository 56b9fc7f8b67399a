"""Training content with its search index, rebuilt only when the content changes."""

from __future__ import annotations

import threading

from agent.retrieval import KnowledgeIndex
from store.base import TrainingStore
from store.models import TrainingSession


class KnowledgeCache:
    """Reads sessions from the store every turn (admin edits show at once), caches the index."""

    def __init__(self, store: TrainingStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._key: tuple[tuple[int, str, str], ...] | None = None
        self._index: KnowledgeIndex | None = None

    def sessions(self) -> list[TrainingSession]:
        """The current training sessions, ordered by s_no."""
        return self.store.list_sessions()

    def index(self, sessions: list[TrainingSession] | None = None) -> KnowledgeIndex:
        """The search index for the current content (`sessions` when the caller just read it)."""
        sessions = self.sessions() if sessions is None else sessions
        key = tuple((s.s_no, s.heading, s.content) for s in sessions)
        with self._lock:
            if self._index is None or key != self._key:
                self._index, self._key = KnowledgeIndex(sessions), key
            return self._index
