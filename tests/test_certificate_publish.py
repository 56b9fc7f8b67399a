"""A new certificate's PDF is written (and emailed) by a background worker, not in the turn."""

from __future__ import annotations

import threading
from pathlib import Path

from agent.certificates import publish
from agent.quiz.config import QuizConfig
from store.models import utcnow
from store.quiz_store import Certificate


def _certificate() -> Certificate:
    return Certificate(
        code="c" * 24, phone="+15550001", name="Asha Rao", programme="Partner Training",
        completed_on=utcnow(), score=100,
    )  # fmt: skip


def test_the_pdf_is_written_by_the_background_worker(tmp_path: Path) -> None:
    config = QuizConfig(certificate_dir=str(tmp_path / "certs"))
    seen: list[str] = []
    original = publish.render_pdf

    def spy(certificate: Certificate, verify: str) -> bytes:
        seen.append(threading.current_thread().name)
        return original(certificate, verify)

    publish.render_pdf = spy  # type: ignore[assignment]
    try:
        job = publish.publish_in_background(config, _certificate())
        assert job is not None
        job.result(timeout=30)
    finally:
        publish.render_pdf = original  # type: ignore[assignment]
    assert seen and seen[0].startswith("certificate") and seen[0] != threading.current_thread().name
    written = list((tmp_path / "certs").rglob("*.pdf"))
    assert len(written) == 1 and written[0].read_bytes().startswith(b"%PDF")


def test_nothing_is_rendered_when_no_folder_and_no_email_are_set() -> None:
    assert publish.publish_in_background(QuizConfig(certificate_dir=None), _certificate()) is None
