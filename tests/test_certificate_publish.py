"""Nothing renders in the finishing turn: the PDF is made on its first request (or by the
background worker, from a durable mark, when a file or an email is due) and then kept."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from agent.certificates import files, publish, render_worker, renderer
from agent.certificates.files import certificate_pdf
from agent.certificates.render_worker import ERROR, HEADER, OK
from agent.engine import Engine
from agent.quiz.config import QuizConfig, SmtpConfig
from store.kb_files import sample_sessions
from store.models import utcnow
from store.quiz_factory import quiz_store_for
from store.quiz_store import Certificate
from store.sqlite_quiz import SQLiteQuizStore
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation, passing_turns


def _certificate(code: str = "c" * 24, **values: object) -> Certificate:
    data: dict[str, object] = {
        "code": code, "phone": "+15550001", "name": "Asha Rao",
        "programme": "Partner Training", "completed_on": utcnow(), "score": 100,
    }  # fmt: skip
    return Certificate.model_validate({**data, **values})


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The codes rendered (in this process: processes=0 keeps the spy in the call path)."""
    seen: list[str] = []
    original = files.render

    def spy(certificate: Certificate, verify: str, processes: int = 1) -> bytes:
        seen.append(certificate.code)
        return original(certificate, verify, 0)

    monkeypatch.setattr(files, "render", spy)
    return seen


def test_the_finishing_turn_renders_nothing_when_the_pdf_has_a_public_url(
    store: SQLiteStore, tmp_path: Path, renders: list[str]
) -> None:
    engine = Engine(store)
    config = QuizConfig(public_base_url="https://genie.example", certificate_dir=str(tmp_path))
    engine.trainer.quiz_config = config
    asha = Conversation(engine, store)
    asha.say("I am a new partner")
    for session in sample_sessions():
        for text in passing_turns(session):
            asha.say(text)
    [certificate] = quiz_store_for(store).certificates("+15550001")
    assert certificate.publish_due is None and renders == []  # no email: nothing to do yet
    assert not list(tmp_path.glob("*.pdf"))
    first = certificate_pdf(config, certificate)  # Twilio's fetch of the media URL
    again = certificate_pdf(config, certificate)
    assert first.startswith(b"%PDF") and again == first
    assert renders == [certificate.code]  # rendered once, then read from the kept file
    assert (tmp_path / f"{certificate.code}.pdf").read_bytes() == first


def test_two_requests_at_once_render_the_pdf_once(tmp_path: Path, renders: list[str]) -> None:
    config = QuizConfig(certificate_dir=str(tmp_path))
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(certificate_pdf(config, _certificate())))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 4 and len(set(results)) == 1 and renders == ["c" * 24]


def test_a_certificate_marked_due_is_published_after_a_restart(
    tmp_path: Path, renders: list[str]
) -> None:
    """The process stopped after the turn recorded the certificate, before the worker ran."""
    store = SQLiteStore(tmp_path / "genie.db")
    quiz_store = quiz_store_for(store)
    quiz_store.save_certificate(_certificate(publish_due=utcnow()))
    store.close()
    reopened = SQLiteStore(tmp_path / "genie.db")  # the restart
    folder = tmp_path / "certs"
    config = QuizConfig(certificate_dir=str(folder))  # no public URL: the partner got the path
    engine = Engine(reopened)
    engine.trainer.quiz_config = config
    job = publish.resume_publishing(reopened, engine)
    assert job is not None and job.result(timeout=60) == 1
    assert (folder / f"{'c' * 24}.pdf").read_bytes().startswith(b"%PDF")
    done = quiz_store_for(reopened).get_certificate("c" * 24)
    assert done is not None and done.publish_due is None and renders == ["c" * 24]
    reopened.close()


def test_a_failed_email_is_kept_due_and_tried_again_after_the_lease(
    tmp_path: Path, renders: list[str]
) -> None:
    store = SQLiteStore(tmp_path / "genie.db")
    quiz_store = quiz_store_for(store)
    down = SmtpConfig(host="127.0.0.1", port=1, timeout_s=2, recipients=("pm@example.com",))
    config = QuizConfig(smtp=down)
    quiz_store.save_certificate(_certificate(publish_due=utcnow()))
    job = publish.publish_soon(quiz_store, config)
    assert job is not None and job.result(timeout=60) == 0
    [held] = quiz_store.due_certificates()
    assert held.publish_due is not None and held.publish_due > utcnow() + timedelta(minutes=4)
    # A day later the email is given up (logged) rather than retried for ever.
    old = _certificate("d" * 24, issued_at=utcnow() - timedelta(days=2), publish_due=utcnow())
    quiz_store.save_certificate(old)
    assert publish.publish_one(quiz_store, config, old) is False
    abandoned = quiz_store.get_certificate("d" * 24)
    assert abandoned is not None and abandoned.publish_due is None
    store.close()


def test_a_revoked_certificate_is_not_published(tmp_path: Path, renders: list[str]) -> None:
    store = SQLiteStore(tmp_path / "genie.db")
    quiz_store = quiz_store_for(store)
    revoked = _certificate(publish_due=utcnow(), revoked_at=utcnow())
    quiz_store.save_certificate(revoked)
    assert publish.publish_one(quiz_store, QuizConfig(certificate_dir=str(tmp_path)), revoked)
    assert quiz_store.due_certificates() == [] and renders == []
    store.close()


def test_certificates_from_before_the_publish_mark_are_not_sent_again(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the certificates table as older versions made it
        db.execute(
            "CREATE TABLE certificates (code TEXT PRIMARY KEY, phone TEXT NOT NULL, name TEXT"
            " NOT NULL, programme TEXT NOT NULL, completed_on TEXT NOT NULL, score INTEGER,"
            " issued_at TEXT NOT NULL, revoked_at TEXT, replaces TEXT)"
        )
        db.execute(
            "INSERT INTO certificates VALUES (?, '+15550001', 'Asha', 'P', ?, 90, ?, NULL, NULL)",
            ("c" * 24, utcnow().isoformat(), utcnow().isoformat()),
        )
    quiz_store = SQLiteQuizStore(path)
    old = quiz_store.get_certificate("c" * 24)
    assert old is not None and old.publish_due is None and quiz_store.due_certificates() == []
    quiz_store.close()


def test_the_pdf_is_rendered_in_a_child_process_replaced_when_it_dies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_here(certificate: Certificate, verify: str) -> bytes:
        raise AssertionError("rendered in the service process")

    monkeypatch.setattr(renderer, "render_pdf", not_here)
    renderer.stop()
    pdf = renderer.render(_certificate(), "https://genie.example/verify/x", processes=1)
    assert pdf.startswith(b"%PDF")
    pool = renderer._pool
    assert pool is not None
    child = pool.free.get_nowait()
    assert child is not None and child.process.poll() is None
    child.process.kill()  # crashed between two renders
    child.process.wait()
    pool.free.put(child)
    again = renderer.render(_certificate("d" * 24), "https://genie.example/verify/y", processes=1)
    assert again.startswith(b"%PDF") and again != pdf
    renderer.stop()


def test_the_render_worker_answers_each_request_with_a_pdf_or_an_error() -> None:
    good = json.dumps({"certificate": _certificate().model_dump(mode="json"), "verify": "/v/x"})
    bad = json.dumps({"certificate": {"code": "short"}, "verify": "/v/x"})
    requests = b"".join(HEADER.pack(len(r)) + r.encode() for r in (good, bad))
    answers = io.BytesIO()
    render_worker.serve(io.BytesIO(requests), answers)
    out = io.BytesIO(answers.getvalue())
    status, size = out.read(1), HEADER.unpack(out.read(HEADER.size))[0]
    assert status == OK and out.read(size).startswith(b"%PDF")
    status, size = out.read(1), HEADER.unpack(out.read(HEADER.size))[0]
    assert status == ERROR and b"ValidationError" in out.read(size) and out.read() == b""
