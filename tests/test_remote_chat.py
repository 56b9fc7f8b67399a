"""`genie chat --url`: signed webhook requests to a real running server, replies shown as sent."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from agent.cli.remote_chat import remote_chat
from agent.settings import Settings
from api.main import create_app
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import clear_proxies
from tests.whatsapp_helpers import AUTH_TOKEN, wa_settings, wait_until

PHONE = "+15550009"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxies(monkeypatch)


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """A real uvicorn server on 127.0.0.1 with the console sender (no Twilio credentials)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = wa_settings(tmp_path, public_base_url=url)
    config = uvicorn.Config(
        create_app(settings=settings), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    wait_until(lambda: running.started, what="uvicorn to start")
    yield url, settings
    running.should_exit = True
    thread.join(timeout=5)


def test_a_remote_chat_shows_the_replies_in_order(
    server: tuple[str, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    url, settings = server
    remote_chat(url, PHONE, "Ravi", settings=settings, lines=["I am a new partner", "next"])
    out = capsys.readouterr().out
    assert (
        out.index("you> I am a new partner")
        < out.index("genie> 👋 Welcome")
        < out.index("you> next")
    )
    assert "Welcome to the partner programme, Ravi!" in out
    after_next = out[out.index("you> next") :]
    assert "Session 2" in after_next


def test_a_wrong_token_is_reported_not_crashed_on(
    server: tuple[str, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    url, settings = server
    wrong = settings.model_copy(update={"twilio_auth_token": "not-the-servers-token"})
    remote_chat(url, PHONE, None, settings=wrong, lines=["hello"])
    out = capsys.readouterr().out
    assert "refused the signature" in out and "genie>" not in out


def test_with_a_real_twilio_sender_replies_are_not_exposed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTwilioAPI(auth_token=AUTH_TOKEN) as fake:
        settings = wa_settings(
            tmp_path, twilio_account_sid=fake.account_sid, twilio_whatsapp_from="+14155238886",
            twilio_api_base_url=fake.base_url,
        )  # fmt: skip
        with TestClient(create_app(settings=settings)) as client:
            # Same .env as the server: signs for its PUBLIC_BASE_URL, posts to --url.
            remote_chat(
                "http://testserver", PHONE, "Ravi", settings=settings, http=client, lines=["menu"]
            )
            wait_until(lambda: len(fake.messages) >= 1, what="the reply via Twilio")
    assert "replies go out through Twilio, not shown here" in capsys.readouterr().out
