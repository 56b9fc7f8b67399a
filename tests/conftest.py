"""Shared fixtures: a seeded SQLite store in a temp folder, an engine on it, and a partner.

Every backend (`backend`, `backend_store`) comes from tests/store_backends.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.engine import Engine
from store.factory import seed_if_empty
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import seed_partners
from tests.conversation import Conversation

# Embedding the content with the local model costs seconds of CPU per process (the bench
# smoke tests start several): off unless a test asks for it (tests/test_local_embeddings.py,
# the eval gates).
os.environ.setdefault("EMBEDDINGS_PROVIDER", "none")
# Vectors of fake embeddings must never land in a real cache folder.
os.environ.setdefault("EMBEDDINGS_CACHE_DIR", "none")

pytest_plugins = ["tests.store_backends", "tests.whatsapp_fixtures", "tests.quizless"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's SQLite database lives."""
    return tmp_path / "genie.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteStore]:
    """A SQLite store holding the 7 sample training sessions."""
    opened = SQLiteStore(db_path)
    seed_if_empty(opened)
    yield opened
    opened.close()


@pytest.fixture
def engine(store: SQLiteStore) -> Engine:
    """The deterministic engine (no LLM) on the seeded store."""
    return Engine(store)


@pytest.fixture
def partner(engine: Engine, store: SQLiteStore) -> Conversation:
    """Asha Rao, a partner writing from +15550001 with a WhatsApp profile name."""
    return Conversation(engine, store)


@pytest.fixture
def partners(store: SQLiteStore) -> SQLiteStore:
    """The seeded store with Asha finished, Ben on session 2 (asked a question), Chen said hello."""
    seed_partners(Engine(store))
    return store
