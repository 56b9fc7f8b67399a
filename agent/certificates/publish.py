"""A new certificate's PDF is rendered, kept and emailed off the partner's turn."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from agent.certificates import links
from agent.certificates.mail import send_completion_email
from agent.certificates.pdf import render_pdf
from agent.quiz.config import QuizConfig
from store.quiz_store import Certificate

log = logging.getLogger("genie.quiz")
# Rendering takes ~0.25 s of CPU (fonts, shaping): inside the turn it held up every partner of
# the process. One worker keeps a burst of completions from taking more than one core's share.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="certificate")


def publish_in_background(config: QuizConfig, certificate: Certificate) -> Future[None] | None:
    """Write the PDF where certificates are kept and email the partner managers, later;
    None when neither is configured (the PDF is then made when someone asks for it)."""
    path = links.pdf_path(config.certificate_dir, certificate.code)
    if path is None and not (config.smtp.host and config.smtp.recipients):
        return None
    return _WORKER.submit(_publish, config, certificate, path)


def _publish(config: QuizConfig, certificate: Certificate, path: Path | None) -> None:
    try:
        verify = links.verify_url(config.public_base_url, certificate.code)
        pdf = render_pdf(certificate, verify)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(pdf)
            except OSError as exc:  # the PDF is still served from the database record
                log.error("certificate %s not written to %s: %s", certificate.code, path, exc)
        send_completion_email(config.smtp, certificate, pdf, verify)
    except Exception:  # a background job: log it, the partner already has their link
        log.exception("publishing certificate %s failed", certificate.code)
