"""Shared set-up for the admin tests: an app with admin tokens, and partners at several stages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from agent.engine import Engine
from agent.messages import Inbound
from agent.settings import Settings
from api.main import create_app
from store.base import TrainingStore
from store.kb_files import sample_sessions
from tests.conversation import passing_turns

TOKEN = "alice:tok-alice-0123456789"
OTHER_TOKEN = "plain-token-abcdefghij"


def admin_settings(tmp_path: Path, **overrides: object) -> Settings:
    """SQLite in tmp_path, no LLM, two admin tokens (one named alice)."""
    values: dict[str, object] = {
        "sqlite_path": str(tmp_path / "genie.db"),
        "store": "sqlite",
        "llm_provider": "none",
        "admin_tokens": [TOKEN, OTHER_TOKEN],
        "admin_rate_limit_per_minute": 10_000,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def bearer(token: str = TOKEN) -> dict[str, str]:
    """The Authorization header for a configured token ('name:' prefix removed)."""
    return {"Authorization": f"Bearer {token.split(':', 1)[-1]}"}


def talk(engine: Engine, phone: str, name: str, *texts: str) -> None:
    """A partner sends messages through the real engine (so progress and chats are real)."""
    for text in texts:
        engine.handle_message(Inbound(phone=phone, text=text, profile_name=name))


def seed_partners(engine: Engine) -> None:
    """Asha finished all 7 sessions, Ben is on session 2 and asked a question, Chen said hello."""
    finish = [text for session in sample_sessions() for text in passing_turns(session)]
    talk(engine, "+15550001", "Asha Rao", "I am a new partner", *finish)
    talk(
        engine,
        "+15550002",
        "Ben Okafor",
        "I am a new partner",
        "next",
        "What is the difference between SS304 and SS316?",
    )
    talk(engine, "+15550003", "Chen Li", "hello")


def signed_in_client(
    tmp_path: Path, store: TrainingStore, **settings: object
) -> Iterator[TestClient]:
    """A TestClient on the app over `store`, signed in as alice (for a fixture to yield from)."""
    app = create_app(settings=admin_settings(tmp_path, **settings), store=store)
    with TestClient(app, headers=bearer()) as test_client:
        yield test_client
