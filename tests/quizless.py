"""The sample content without its quizzes, for tests of rules where "done" must complete at once."""

from __future__ import annotations

from store.base import TrainingStore
from store.kb_files import sample_sessions


def seed_without_quizzes(store: TrainingStore) -> None:
    """Load the sample sessions with their quizzes taken out."""
    store.replace_sessions([s.model_copy(update={"quiz": None}) for s in sample_sessions()])
