"""The sample content without its quizzes, for tests of rules where "done" must complete at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.base import TrainingStore
from store.kb_files import sample_sessions
from store.sqlite_store import SQLiteStore


def seed_without_quizzes(store: TrainingStore) -> None:
    """Load the sample sessions with their quizzes taken out."""
    store.replace_sessions([s.model_copy(update={"quiz": None}) for s in sample_sessions()])


@pytest.fixture
def quizless_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """The sample content without its quizzes on a temp SQLite file."""
    opened = SQLiteStore(tmp_path / "g.db")
    seed_without_quizzes(opened)
    yield opened
    opened.close()
