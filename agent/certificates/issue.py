"""Issue, revoke and reissue completion certificates; the average quiz score they carry."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from store.models import Progress, TrainingSession, utcnow
from store.quiz_model import quiz_of
from store.quiz_store import Certificate, QuizAnswer, QuizStore

CODE_BYTES = 18  # 144 random bits, 24 URL-safe characters


def new_code() -> str:
    """An unguessable verification code (≥ 128 random bits, URL-safe)."""
    return secrets.token_urlsafe(CODE_BYTES)


def average_score(
    quiz_store: QuizStore,
    phone: str,
    sessions: list[TrainingSession],
    since: datetime | None,
    pending: Sequence[QuizAnswer] = (),
) -> int | None:
    """The mean over quizzed sessions of the share of questions answered right (since `since`,
    the start of this run through the training; `pending`: this turn's, not yet written);
    None when no session has a quiz."""
    scores = []
    answers = [*quiz_store.answers(phone=phone, since=since), *pending]
    for session in sessions:
        quiz = quiz_of(session)
        if quiz is None:
            continue
        right = {a.q_no for a in answers if a.s_no == session.s_no and a.correct}
        scores.append(100 * min(len(right), len(quiz.questions)) / len(quiz.questions))
    return round(sum(scores) / len(scores)) if scores else None


def valid_certificate(quiz_store: QuizStore, phone: str) -> Certificate | None:
    """The partner's newest certificate that is not revoked, if any."""
    return next((c for c in quiz_store.certificates(phone) if not c.revoked), None)


def issue(
    quiz_store: QuizStore,
    progress: Progress,
    sessions: list[TrainingSession],
    programme: str,
    name: str | None = None,
    pending: Sequence[QuizAnswer] = (),
    publish: bool = False,
) -> Certificate:
    """Create and store a certificate for a partner who completed the training; `publish`
    marks it for the background work (its file, the managers' email: publish.py)."""
    now = utcnow()
    certificate = Certificate(
        code=new_code(),
        phone=progress.phone,
        name=(name or progress.name or progress.phone).strip(),
        programme=programme,
        completed_on=progress.completed_at or now,
        score=average_score(quiz_store, progress.phone, sessions, progress.started_at, pending),
        issued_at=now,
        publish_due=now if publish else None,
    )
    quiz_store.save_certificate(certificate)
    return certificate


def revoke(quiz_store: QuizStore, code: str) -> Certificate | None:
    """Mark a certificate revoked (idempotent); None when the code is unknown."""
    certificate = quiz_store.get_certificate(code)
    if certificate is None or certificate.revoked:
        return certificate
    revoked = certificate.model_copy(update={"revoked_at": utcnow()})
    quiz_store.save_certificate(revoked)
    return revoked


def reissue(quiz_store: QuizStore, code: str, name: str | None = None) -> Certificate | None:
    """Revoke a certificate and issue its replacement (e.g. with a corrected name)."""
    old = quiz_store.get_certificate(code)
    if old is None:
        return None
    revoke(quiz_store, code)
    new = old.model_copy(
        update={
            "code": new_code(),
            "name": (name or old.name).strip(),
            "issued_at": utcnow(),
            "revoked_at": None,
            "replaces": old.code,
            "publish_due": None,  # an admin's correction: no new email (its PDF: on request)
        }
    )
    quiz_store.save_certificate(new)
    return new
