"""Training content with its search index, rebuilt only when the content changes."""

from __future__ import annotations

import threading

from agent.dense import DenseRanker
from agent.retrieval import KnowledgeIndex
from store.base import TrainingStore
from store.models import TrainingSession

ContentKey = tuple[tuple[int, str, str, tuple[str, ...]], ...]


def content_key(sessions: list[TrainingSession]) -> ContentKey:
    """What the index depends on: numbers, headings, content and example questions."""
    return tuple((s.s_no, s.heading, s.content, tuple(s.questions)) for s in sessions)


class KnowledgeCache:
    """Reads sessions from the store every turn (admin edits show at once), caches the index."""

    def __init__(self, store: TrainingStore, dense: DenseRanker | None = None) -> None:
        self.store = store
        self.dense = dense  # passage embeddings outlive index rebuilds: it holds their cache
        self._lock = threading.Lock()
        self._key: ContentKey | None = None
        self._index: KnowledgeIndex | None = None

    def sessions(self) -> list[TrainingSession]:
        """The current training sessions, ordered by s_no."""
        return self.store.list_sessions()

    def index(self, sessions: list[TrainingSession] | None = None) -> KnowledgeIndex:
        """The search index for the current content (`sessions` when the caller just read it)."""
        sessions = self.sessions() if sessions is None else sessions
        key = content_key(sessions)
        with self._lock:
            if self._index is None or key != self._key:
                self._index, self._key = KnowledgeIndex(sessions, self.dense), key
            return self._index
