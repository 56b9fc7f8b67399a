"""The work a new certificate needs after the turn (its local file, the managers' email), done
by a background worker from a durable mark on the certificate, so a restart loses none of it.

The turn only records the certificate; when a file must exist at once (no public URL: the
partner was given its path) or an email is configured, the record carries `publish_due`. The
worker claims due certificates (a lease, so two workers or instances never email twice),
renders the PDF off the service's interpreter (renderer.py), sends the email and clears the
mark. A failed email keeps the mark and is tried again when the lease ends, for a day.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from agent.certificates import links
from agent.certificates.files import certificate_pdf
from agent.certificates.mail import send_completion_email
from agent.quiz.config import QuizConfig
from store.base import TrainingStore
from store.models import utcnow
from store.quiz_factory import quiz_store_for
from store.quiz_store import Certificate, QuizStore

log = logging.getLogger("genie.quiz")
LEASE = timedelta(minutes=5)  # a claimed certificate is free again (retried) after this
GIVE_UP = timedelta(days=1)  # an email still failing a day after the issue is abandoned
BATCH = 50
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="certificate")
_lock = threading.Lock()
_queued: set[int] = set()  # the quiz stores with a sweep waiting to run (one each is enough)


def needs_publishing(config: QuizConfig) -> bool:
    """True when a new certificate needs work after the turn: its file, for a partner given
    the local path, or the managers' email. Otherwise its PDF is rendered on first request."""
    wants_file = config.certificate_dir is not None and not config.public_base_url
    return wants_file or bool(config.smtp.host and config.smtp.recipients)


def publish_soon(quiz_store: QuizStore, config: QuizConfig) -> Future[int] | None:
    """Publish the due certificates on the background worker (a sweep already waiting for this
    store covers them: None)."""
    with _lock:
        if id(quiz_store) in _queued:
            return None
        _queued.add(id(quiz_store))
    return _WORKER.submit(_sweep, quiz_store, config)


def resume_publishing(store: TrainingStore, engine: object) -> Future[int] | None:
    """At start-up: publish what a stopped process left due, with the engine's certificate
    settings (None: nothing to look at, e.g. a test's stand-in engine or store)."""
    config = getattr(getattr(engine, "trainer", None), "quiz_config", None)
    if not isinstance(config, QuizConfig):
        return None
    try:
        quiz_store = quiz_store_for(store)
    except TypeError:  # a store without certificates
        return None
    return publish_soon(quiz_store, config)


def _sweep(quiz_store: QuizStore, config: QuizConfig) -> int:
    """Publish every due certificate; then schedule the next sweep for a retry, if any."""
    with _lock:
        _queued.discard(id(quiz_store))
    done = 0
    try:
        while True:
            now = utcnow()
            due = [c for c in quiz_store.due_certificates(BATCH) if _is_due(c, now)]
            claimed = [c for c in due if quiz_store.claim_certificate(c.code, now, now + LEASE)]
            done += sum(publish_one(quiz_store, config, c) for c in claimed)
            if len(due) < BATCH:
                break
        waiting = quiz_store.due_certificates(1)
    except Exception:  # a background job: log it; the next sweep (start-up, a completion) retries
        log.exception("publishing certificates failed")
        return done
    if waiting and waiting[0].publish_due is not None:
        delay = max(1.0, (waiting[0].publish_due - utcnow()).total_seconds())
        timer = threading.Timer(delay, publish_soon, (quiz_store, config))
        timer.daemon = True
        timer.start()
    return done


def _is_due(certificate: Certificate, now: datetime) -> bool:
    return certificate.publish_due is not None and certificate.publish_due <= now


def publish_one(quiz_store: QuizStore, config: QuizConfig, certificate: Certificate) -> bool:
    """Make the claimed certificate's file and send its email; True when done (the mark is
    cleared), False when it is to be tried again after the lease."""
    code = certificate.code
    if certificate.revoked:  # revoked before it went out: nothing to send
        quiz_store.certificate_published(code)
        return True
    try:
        pdf = certificate_pdf(config, certificate)
        verify = links.verify_url(config.public_base_url, code)
        mail = config.smtp.host and config.smtp.recipients
        sent = not mail or send_completion_email(config.smtp, certificate, pdf, verify)
    except Exception:
        log.exception("publishing certificate %s failed", code)
        sent = False
    if sent or utcnow() - certificate.issued_at > GIVE_UP:
        if not sent:
            log.error("certificate %s: completion email abandoned after %s", code, GIVE_UP)
        quiz_store.certificate_published(code)
        return sent
    return False
