"""The JSON API: POST /api/messages talks to the real engine and store; health checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.embeddings import Embeddings

from agent.dense import DenseRanker
from agent.engine import Engine
from agent.settings import Settings
from api.deps import get_store
from api.main import create_app
from store.factory import seed_if_empty
from store.sqlite_store import SQLiteStore

TOKEN = "api-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        sqlite_path=str(tmp_path / "g.db"), store="sqlite", llm_provider="none",
        messages_api_enabled=True, messages_api_token=TOKEN, **overrides,
    )  # fmt: skip


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app that opens (and seeds) its own SQLite store."""
    with TestClient(create_app(settings=_settings(tmp_path))) as test_client:
        yield test_client


def _post(client: TestClient, text: str, phone: str = "+15550001") -> dict[str, object]:
    payload = {"phone": phone, "name": "Asha Rao", "text": text}
    response = client.post("/api/messages", json=payload, headers=AUTH)
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
    assert client.post("/api/messages", json=payload, headers=AUTH).status_code == 422


def test_the_endpoint_is_off_by_default(tmp_path: Path) -> None:
    settings = Settings(sqlite_path=str(tmp_path / "g.db"), store="sqlite", llm_provider="none")
    with TestClient(create_app(settings=settings)) as client:
        payload = {"phone": "+15550001", "text": "I am a new partner"}
        assert client.post("/api/messages", json=payload, headers=AUTH).status_code == 404
        assert client.app.state.store.get_progress("+15550001") is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc", f"Bearer {TOKEN}x"])
def test_it_needs_a_bearer_token(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    payload = {"phone": "+15550001", "text": "I am a new partner"}
    response = client.post("/api/messages", json=payload, headers=headers)
    assert response.status_code in (401, 403)
    assert client.app.state.store.get_progress("+15550001") is None  # type: ignore[attr-defined]


def test_an_admin_token_works_too(tmp_path: Path) -> None:
    app = create_app(settings=_settings(tmp_path, admin_tokens=["ops:admin-secret"]))
    with TestClient(app) as client:
        payload = {"phone": "+15550001", "text": "I am a new partner"}
        headers = {"Authorization": "Bearer admin-secret"}
        assert client.post("/api/messages", json=payload, headers=headers).status_code == 200


def test_it_shares_the_whatsapp_rate_limit_and_records_every_message(tmp_path: Path) -> None:
    with TestClient(create_app(settings=_settings(tmp_path, rate_limit_messages=2))) as client:
        _post(client, "I am a new partner")
        _post(client, "menu")
        payload = {"phone": "+15550001", "text": "done"}
        limited = client.post("/api/messages", json=payload, headers=AUTH)
        assert limited.status_code == 429
        store = client.app.state.store  # type: ignore[attr-defined]
        said = [(c.text, c.source) for c in store.chat_history("+15550001") if c.who == "partner"]
        assert said[-1] == ("done", "rate_limited")
        assert store.get_progress("+15550001").completed_sections == []


def test_concurrent_messages_of_one_partner_are_serialised(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    # Sessions without quizzes, so that each "done" completes one.
    store.replace_sessions([s.model_copy(update={"quiz": None}) for s in store.list_sessions()])
    _post(client, "I am a new partner")
    with ThreadPoolExecutor(max_workers=5) as pool:
        bodies = list(pool.map(lambda _: _post(client, "done"), range(5)))
    texts = [_texts(b) for b in bodies]
    for s_no in range(1, 6):
        assert sum(f"Session {s_no} marked complete" in t for t in texts) == 1, texts
    assert store.get_progress("+15550001").completed_sections == [1, 2, 3, 4, 5]
    # Its replies came back over HTTP: nothing was queued for WhatsApp.
    assert client.app.state.messaging.phones_with_pending_parts() == []  # type: ignore[attr-defined]


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


class _SlowEmbeddings(Embeddings):
    """Embeddings that hold the start-up warm-up until the test lets it go."""

    def __init__(self) -> None:
        self.go = threading.Event()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        assert self.go.wait(10), "the test never let the warm-up finish"
        return [[1.0, float(len(t))] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0, float(len(text))]


def test_not_ready_while_the_content_is_being_embedded(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "w.db")
    seed_if_empty(store)
    slow = _SlowEmbeddings()
    engine = Engine(store, dense=DenseRanker(slow))
    warm = threading.Thread(target=engine.knowledge.warm)
    warm.start()
    with TestClient(create_app(settings=_settings(tmp_path), store=store, engine=engine)) as client:
        while not engine.knowledge.warming:
            time.sleep(0.01)
        busy = client.get("/readyz")
        assert busy.status_code == 503 and busy.json()["content_embedding"] is True
        slow.go.set()
        warm.join(10)
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["content_embedding"] is False
    store.close()
