"""The JSON API: POST /api/messages talks to the real engine and store; health checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.settings import Settings
from api.deps import get_store
from api.main import create_app
from store.sqlite_store import SQLiteStore


def _settings(tmp_path: Path) -> Settings:
    return Settings(sqlite_path=str(tmp_path / "g.db"), store="sqlite", llm_provider="none")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app that opens (and seeds) its own SQLite store."""
    with TestClient(create_app(settings=_settings(tmp_path))) as test_client:
        yield test_client


def _post(client: TestClient, text: str, phone: str = "+15550001") -> dict[str, object]:
    response = client.post("/api/messages", json={"phone": phone, "name": "Asha Rao", "text": text})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _texts(body: dict[str, object]) -> str:
    replies = body["replies"]
    assert isinstance(replies, list)
    return "\n".join(r["text"] for r in replies)


def test_a_conversation_over_http(client: TestClient, tmp_path: Path) -> None:
    body = _post(client, "I am a new partner")
    assert (body["intent"], body["session"]) == ("enroll", 1)
    assert "Welcome to the partner programme, Asha!" in _texts(body)
    assert isinstance(body["replies"], list) and body["replies"][1]["media_url"]
    body = _post(client, "done")
    assert (body["intent"], body["session"]) == ("complete", 1)  # the quiz starts
    assert "Question 1/3" in _texts(body)
    for answer in ("B", "false"):
        assert "✅ Correct!" in _texts(_post(client, answer))
    body = _post(client, "three")
    assert (body["intent"], body["session"]) == ("quiz", 2)
    assert "✅ Session 1 marked complete" in _texts(body)
    assert "Progress: 1/7 sessions completed" in _texts(_post(client, "menu"))
    store = SQLiteStore(tmp_path / "g.db")  # the state really is in the database file
    progress = store.get_progress("+15550001")
    store.close()
    assert progress is not None and progress.completed_sections == [1]


def test_a_phone_without_plus_is_the_same_partner(client: TestClient) -> None:
    _post(client, "I am a new partner", phone="15550009")
    body = _post(client, "next", phone="+15550009")
    assert body["session"] == 2


def test_a_store_passed_in_is_used_and_left_open(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "mine.db")  # empty: no sample content
    with TestClient(create_app(settings=_settings(tmp_path), store=store)) as client:
        assert "the training isn't available yet" in _texts(_post(client, "I am a new partner"))
    assert store.ping()  # the app closes only stores it opened itself
    store.close()


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "Asha", "text": "hi"},  # missing phone
        {"phone": "+15550001", "name": "Asha"},  # missing text
        {"phone": "+15550001", "text": "x" * 4097},  # text too long
        {"phone": "not a phone", "text": "hi"},
        {"phone": "+15550001", "name": "A" * 101, "text": "hi"},
    ],
)
def test_bad_input_is_rejected_with_422(client: TestClient, payload: dict[str, str]) -> None:
    assert client.post("/api/messages", json=payload).status_code == 422


def test_a_long_message_within_the_api_limit_gets_the_engine_reply(client: TestClient) -> None:
    assert "under 2000 characters" in _texts(_post(client, "x" * 2500))


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert (ready.json()["status"], ready.json()["store"]) == ("ready", True)


class _DownStore(SQLiteStore):
    def ping(self) -> bool:
        return False


def test_readiness_fails_when_the_store_does_not_answer(tmp_path: Path) -> None:
    down = _DownStore(tmp_path / "down.db")
    app = create_app(settings=_settings(tmp_path), store=down)
    with TestClient(app) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert (response.json()["status"], response.json()["store"]) == ("unavailable", False)
        assert client.get("/healthz").status_code == 200
    down.close()


def test_the_store_dependency_can_be_overridden(tmp_path: Path) -> None:
    other = _DownStore(tmp_path / "other.db")
    app = create_app(settings=_settings(tmp_path))
    app.dependency_overrides[get_store] = lambda: other
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 503
    other.close()
