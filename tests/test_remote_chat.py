"""`genie chat --url`: signed webhook requests to a real running server, replies shown as sent."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from agent.cli import app as cli_app
from agent.cli.remote_chat import remote_chat
from agent.settings import Settings
from api.main import create_app
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import clear_proxies
from tests.whatsapp_helpers import AUTH_TOKEN, wa_settings, wait_until

PHONE = "+15550009"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxies(monkeypatch)


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _serving(settings: Settings, port: int) -> Iterator[None]:
    config = uvicorn.Config(
        create_app(settings=settings), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    wait_until(lambda: running.started, what="uvicorn to start")
    yield
    running.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """A real uvicorn server on 127.0.0.1 with the console sender (no Twilio credentials)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = wa_settings(tmp_path, public_base_url=url)
    with _serving(settings, port):
        yield url, settings


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
    status = remote_chat(url, PHONE, None, settings=wrong, lines=["hello", "next"])
    out = capsys.readouterr().out
    assert "refused the signature" in out and "genie>" not in out
    assert status == 1 and "you> next" not in out  # stops: every message would be refused


def test_genie_chat_url_exits_non_zero_when_refused(
    server: tuple[str, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, settings = server
    wrong = settings.model_copy(update={"twilio_auth_token": "not-the-servers-token"})
    monkeypatch.setattr("agent.cli.remote_chat.get_settings", lambda: wrong)
    result = CliRunner().invoke(cli_app, ["chat", "--url", url], input="hello\n")
    assert result.exit_code == 1 and "refused the signature" in result.output


def test_make_setup_gives_make_run_and_chat_url_one_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / ".env"
    shutil.copy(ROOT / ".env.example", env)
    # What `make setup` runs after copying .env.example (twice: the second run keeps it).
    for _ in range(2):
        subprocess.run([sys.executable, "-m", "agent.cli.dev_env", str(env)], check=True, cwd=ROOT)
    assert env.read_text().count("TWILIO_AUTH_TOKEN=dev-") == 1
    assert "agent.cli.dev_env .env" in (ROOT / "Makefile").read_text()
    local = Settings(  # type: ignore[call-arg]
        _env_file=env, sqlite_path=str(tmp_path / "genie.db"), log_format="text"
    )
    assert local.twilio_auth_token and local.twilio_validate_signature
    port = _free_port()
    with _serving(local, port):
        status = remote_chat(f"http://127.0.0.1:{port}", PHONE, "Ravi", settings=local,
                             lines=["I am a new partner"])  # fmt: skip
    assert status == 0 and "Welcome to the partner programme, Ravi!" in capsys.readouterr().out


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
