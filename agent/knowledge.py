"""Training content with its search index, rebuilt only when the content changes."""

from __future__ import annotations

import threading

from agent.dense import DenseRanker
from agent.retrieval import KnowledgeIndex
from agent.translations import for_turn
from store.base import TrainingStore
from store.models import TrainingSession

ContentKey = tuple[tuple[int, str, str, tuple[str, ...]], ...]
_KEPT_INDEXES = 4  # one per language in use, plus a spare while content changes


def content_key(sessions: list[TrainingSession]) -> ContentKey:
    """What the index depends on: numbers, headings, content and example questions."""
    return tuple((s.s_no, s.heading, s.content, tuple(s.questions)) for s in sessions)


class KnowledgeCache:
    """Reads sessions from the store every turn (admin edits show at once), caches the index.

    Sessions come in the turn's language (prompts.use_language); each language's content
    has its own index, so Hindi questions search the Hindi text.
    """

    def __init__(self, store: TrainingStore, dense: DenseRanker | None = None) -> None:
        self.store = store
        self.dense = dense  # passage embeddings outlive index rebuilds: it holds their cache
        self._lock = threading.Lock()
        self._indexes: dict[ContentKey, KnowledgeIndex] = {}
        self._warming = threading.Event()  # set while the content is being embedded

    @property
    def warming(self) -> bool:
        """True while `warm` runs: questions would wait for it (readiness says so)."""
        return self._warming.is_set()

    def warm(self) -> None:
        """Embed the current content now (a start-up job) when embeddings are configured."""
        if self.dense is None:
            return
        self._warming.set()
        try:
            self.index().warm()
        finally:
            self._warming.clear()

    def sessions(self) -> list[TrainingSession]:
        """The current training sessions in the turn's language, ordered by s_no."""
        return for_turn(self.store.list_sessions())

    def index(self, sessions: list[TrainingSession] | None = None) -> KnowledgeIndex:
        """The search index for the current content (`sessions` when the caller just read it)."""
        sessions = self.sessions() if sessions is None else sessions
        key = content_key(sessions)
        with self._lock:
            if key not in self._indexes:
                while len(self._indexes) >= _KEPT_INDEXES:
                    self._indexes.pop(next(iter(self._indexes)))  # the oldest
                self._indexes[key] = KnowledgeIndex(sessions, self.dense)
            return self._indexes[key]
