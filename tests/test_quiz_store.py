"""One contract for every QuizStore: SQLite, mongomock, and MongoDB when MONGODB_URI is set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from store.models import utcnow
from store.quiz_factory import quiz_store_for
from store.quiz_store import Certificate, Feedback, QuizAnswer, QuizStore
from tests.store_backends import Backend

PHONE, OTHER = "+919876543210", "+15550002"


@pytest.fixture
def opener(backend: Backend) -> Iterator[Callable[[], QuizStore]]:
    """Opens the quiz store of a newly opened training store, over the same storage."""
    opened = []

    def open_quiz() -> QuizStore:
        store = backend.open()
        opened.append(store)
        return quiz_store_for(store)

    yield open_quiz
    for store in opened:
        store.close()


def _answer(
    phone: str, s_no: int, q_no: int, correct: bool, attempt: int = 1, **kw: object
) -> QuizAnswer:
    return QuizAnswer(
        phone=phone, s_no=s_no, q_no=q_no, question=f"Q{s_no}.{q_no}?", answer="B",
        correct=correct, attempt=attempt, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_answers_are_kept_in_order_and_filtered(opener: Callable[[], QuizStore]) -> None:
    store = opener()
    start = utcnow()
    store.record_answer(_answer(PHONE, 1, 1, False, time=start))
    store.record_answer(_answer(PHONE, 1, 1, True, 2, time=start + timedelta(seconds=1)))
    store.record_answer(_answer(OTHER, 2, 3, True, time=start + timedelta(seconds=2)))
    again = opener()  # a new connection sees the same data
    mine = again.answers(phone=PHONE)
    assert [(a.correct, a.attempt) for a in mine] == [(False, 1), (True, 2)]
    assert mine[0].time.tzinfo is not None and abs(mine[0].time - start) < timedelta(seconds=1)
    assert [a.phone for a in again.answers(s_no=2)] == [OTHER]
    assert len(again.answers()) == 3
    later = again.answers(since=start + timedelta(milliseconds=500))
    assert [(a.phone, a.attempt) for a in later] == [(PHONE, 2), (OTHER, 1)]


def test_feedback_keeps_ratings_thumbs_and_comments(opener: Callable[[], QuizStore]) -> None:
    store = opener()
    store.record_feedback(Feedback(phone=PHONE, rating=5, thumbs=True))
    store.record_feedback(Feedback(phone=PHONE, comment="Clear, thanks 🙏"))
    store.record_feedback(Feedback(phone=OTHER, rating=2))
    mine = opener().feedback(PHONE)
    assert [(f.rating, f.thumbs, f.comment) for f in mine] == [
        (5, True, None), (None, None, "Clear, thanks 🙏"),
    ]  # fmt: skip
    assert len(opener().feedback()) == 3


def test_certificates_round_trip_revoke_and_list(opener: Callable[[], QuizStore]) -> None:
    store = opener()
    old = Certificate(
        code="A" * 24, phone=PHONE, name="Asha Rao", programme="Partner Training",
        completed_on=utcnow(), score=93, issued_at=utcnow() - timedelta(days=1),
    )  # fmt: skip
    store.save_certificate(old)
    new = old.model_copy(update={"code": "B" * 24, "issued_at": utcnow(), "replaces": old.code})
    store.save_certificate(new)
    store.save_certificate(old.model_copy(update={"revoked_at": utcnow()}))  # replaces by code
    again = opener()
    got = again.get_certificate("A" * 24)
    assert got is not None and got.revoked and got.score == 93 and got.name == "Asha Rao"
    assert [c.code for c in again.certificates(PHONE)] == ["B" * 24, "A" * 24]
    assert again.certificates(OTHER) == [] and again.get_certificate("missing") is None


def test_due_certificates_are_claimed_once_and_marked_published(
    opener: Callable[[], QuizStore],
) -> None:
    store = opener()
    now = utcnow()
    base = Certificate(
        code="D" * 24, phone=PHONE, name="Asha Rao", programme="Partner Training",
        completed_on=now,
    )  # fmt: skip
    store.save_certificate(base.model_copy(update={"publish_due": now}))
    store.save_certificate(
        base.model_copy(update={"code": "E" * 24, "publish_due": now - timedelta(seconds=5)})
    )
    store.save_certificate(base.model_copy(update={"code": "F" * 24}))  # nothing to publish
    again = opener()  # survives a restart
    assert [c.code for c in again.due_certificates()] == ["E" * 24, "D" * 24]
    lease = now + timedelta(minutes=5)
    assert again.claim_certificate("D" * 24, now, lease) is True
    assert opener().claim_certificate("D" * 24, now, lease) is False  # another worker holds it
    assert again.claim_certificate("F" * 24, now, lease) is False  # nothing to do
    held = again.get_certificate("D" * 24)
    assert held is not None and held.publish_due is not None and held.publish_due > now
    assert again.claim_certificate("D" * 24, lease, lease + timedelta(minutes=5)) is True  # expired
    again.certificate_published("D" * 24)
    assert [c.code for c in opener().due_certificates()] == ["E" * 24]
    done = opener().get_certificate("D" * 24)
    assert done is not None and done.publish_due is None and done.name == "Asha Rao"
