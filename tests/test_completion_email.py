"""The completion email to partner managers, against a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from agent.certificates.mail import send_completion_email
from agent.engine import Engine
from agent.quiz.config import QuizConfig, SmtpConfig
from store.kb_files import sample_sessions
from store.models import utcnow
from store.quiz_store import Certificate
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation, passing_turns


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(content)))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpConfig]]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd 1.4 cannot pick a free port itself
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    config = SmtpConfig(
        host="127.0.0.1", port=controller.port, starttls=False, timeout_s=5,
        sender="genie@kestrel.example", recipients=("pm@kestrel.example", "head@kestrel.example"),
    )  # fmt: skip
    yield inbox, config
    controller.stop()


def test_a_completion_sends_the_certificate_to_the_partner_managers(
    store: SQLiteStore, smtp: tuple[Inbox, SmtpConfig]
) -> None:
    inbox, config = smtp
    engine = Engine(store)
    engine.trainer.quiz_config = QuizConfig(programme="Kestrel Partner Programme", smtp=config)
    asha = Conversation(engine, store)
    asha.say("I am a new partner")
    for session in sample_sessions():
        for text in passing_turns(session):
            asha.say(text)
    deadline = time.monotonic() + 10  # sent in the background, not in the partner's turn
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [(recipients, mail)] = inbox.messages
    assert recipients == ["pm@kestrel.example", "head@kestrel.example"]
    assert mail["Subject"] == "Asha Rao completed the Kestrel Partner Programme"
    body, attachment = [part for part in mail.walk() if not part.is_multipart()]
    text = body.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "+15550001" in text and "Average quiz score: 100%" in text and "/verify/" in text
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")  # type: ignore[union-attr]


def test_an_unreachable_server_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    certificate = Certificate(
        code="C" * 24, phone="+15550001", name="Asha", programme="P", completed_on=utcnow()
    )
    down = SmtpConfig(host="127.0.0.1", port=1, timeout_s=2, recipients=("pm@example.com",))
    started = time.monotonic()
    assert send_completion_email(down, certificate, b"%PDF-1.4", "/verify/x") is False
    assert time.monotonic() - started < 5
    assert "not sent" in caplog.text


def test_no_smtp_host_means_no_email() -> None:
    certificate = Certificate(
        code="C" * 24, phone="+15550001", name="Asha", programme="P", completed_on=utcnow()
    )
    assert send_completion_email(SmtpConfig(), certificate, b"", "") is False
