"""The QuizStore next to an open TrainingStore: same SQLite connection or MongoDB database."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from store.base import TrainingStore
from store.quiz_store import QuizStore
from store.sqlite_store import SQLiteStore

_OPEN: WeakKeyDictionary[TrainingStore, QuizStore] = WeakKeyDictionary()


def quiz_store_for(store: TrainingStore) -> QuizStore:
    """SQLiteQuizStore for a SQLiteStore, MongoQuizStore for a MongoStore (one per store);
    a turn's view of the store (agent.turn_unit) stands for the store it wraps."""
    store = getattr(store, "underlying", store)
    if store in _OPEN:
        return _OPEN[store]
    quiz: QuizStore
    if isinstance(store, SQLiteStore):
        from store.sqlite_quiz import SQLiteQuizStore

        quiz = SQLiteQuizStore(store)
    else:
        from store.mongo_store import MongoStore

        if not isinstance(store, MongoStore):
            raise TypeError(f"no quiz store for {type(store).__name__}")
        from store.mongo_quiz import MongoQuizStore

        quiz = MongoQuizStore(store.db)
    _OPEN[store] = quiz
    return quiz
