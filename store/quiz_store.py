"""The storage interface for knowledge checks: quiz answers, feedback and certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from store.models import utcnow


class QuizAnswer(BaseModel):
    """One answer a partner gave to one quiz question."""

    phone: str
    s_no: int
    q_no: int = Field(ge=1)  # the question's position in the session's quiz
    question: str
    answer: str  # what the partner said (or the option it meant)
    correct: bool
    attempt: int = Field(default=1, ge=1)
    time: datetime = Field(default_factory=utcnow)


class Feedback(BaseModel):
    """A partner's satisfaction rating (1 to 5; thumbs up = 5, down = 1) and optional comment."""

    phone: str
    rating: int | None = Field(default=None, ge=1, le=5)
    thumbs: bool | None = None  # set when the partner answered with a thumb
    comment: str | None = None
    time: datetime = Field(default_factory=utcnow)


class Certificate(BaseModel):
    """A completion certificate; `code` (≥ 128 random bits) is its public verification code."""

    code: str = Field(min_length=22)
    phone: str
    name: str
    programme: str
    completed_on: datetime
    score: int | None = Field(default=None, ge=0, le=100)  # average quiz score, percent
    issued_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    replaces: str | None = None  # the code of the certificate this one reissued
    # When its PDF file and the managers' email are due (set at issue, held by a worker while
    # it publishes); None when done or nothing is to be done in the background.
    publish_due: datetime | None = None

    @property
    def revoked(self) -> bool:
        """True once an admin revoked it."""
        return self.revoked_at is not None


@runtime_checkable
class QuizStore(Protocol):
    """Quiz answers, feedback and certificates, next to the training store's data."""

    def record_answer(self, answer: QuizAnswer) -> None:
        """Append one quiz answer."""
        ...

    def answers(
        self, phone: str | None = None, s_no: int | None = None, since: datetime | None = None
    ) -> list[QuizAnswer]:
        """Answers, oldest first; one partner's, one session's, or those from `since` on."""
        ...

    def record_feedback(self, feedback: Feedback) -> None:
        """Append one feedback record (a rating or a comment)."""
        ...

    def feedback(self, phone: str | None = None) -> list[Feedback]:
        """Feedback records, oldest first; one partner's when given."""
        ...

    def save_certificate(self, certificate: Certificate) -> None:
        """Create or replace the certificate with this code."""
        ...

    def get_certificate(self, code: str) -> Certificate | None:
        """One certificate by code, or None."""
        ...

    def certificates(self, phone: str | None = None) -> list[Certificate]:
        """Certificates, newest first; one partner's when given."""
        ...

    def due_certificates(self, limit: int = 50) -> list[Certificate]:
        """Certificates whose background publishing is still to do, soonest due first."""
        ...

    def claim_certificate(self, code: str, now: datetime, until: datetime) -> bool:
        """Take the publishing of a due certificate until `until`; False when it is not due
        (done, or another worker holds it)."""
        ...

    def certificate_published(self, code: str) -> None:
        """Mark the certificate's background publishing done."""
        ...
