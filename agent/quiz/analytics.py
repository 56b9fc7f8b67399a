"""Quiz and satisfaction analytics from the stored answers and feedback, for admins."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from pydantic import BaseModel

from store.models import TrainingSession
from store.quiz_model import quiz_of
from store.quiz_store import QuizStore


class QuestionStats(BaseModel):
    """How one question went on partners' first attempt."""

    s_no: int
    q_no: int
    question: str
    partners: int  # partners who answered it on their first attempt
    first_try_correct: int
    first_try_pct: float | None


class SessionAttempts(BaseModel):
    """How many attempts partners needed to pass one session's quiz."""

    s_no: int
    heading: str
    passed: int
    average_attempts: float | None
    distribution: dict[int, int]  # attempts -> partners


class Comment(BaseModel):
    """A partner's free-text comment."""

    phone: str
    comment: str
    time: datetime


class QuizAnalytics(BaseModel):
    """Per-question first-try success, attempts to pass, satisfaction and comments."""

    questions: list[QuestionStats]
    sessions: list[SessionAttempts]
    ratings: int
    average_rating: float | None
    positive_pct: float | None  # ratings of 4 or 5 (thumbs up counts as 5)
    comments: list[Comment]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def quiz_analytics(
    store: QuizStore, sessions: list[TrainingSession], completed: dict[str, list[int]]
) -> QuizAnalytics:
    """The analytics over every answer and feedback; `completed` maps phone -> sessions done."""
    first: dict[tuple[str, int, int], bool] = {}
    attempts: dict[tuple[str, int], int] = defaultdict(int)
    for answer in store.answers():  # oldest first: the first answer seen is the first try
        if answer.attempt == 1:
            first.setdefault((answer.phone, answer.s_no, answer.q_no), answer.correct)
        key = (answer.phone, answer.s_no)
        attempts[key] = max(attempts[key], answer.attempt)
    questions, per_session = [], []
    for session in sessions:
        quiz = quiz_of(session)
        if quiz is None:
            continue
        for q_no, question in enumerate(quiz.questions, start=1):
            marks = [ok for (_, s, q), ok in first.items() if (s, q) == (session.s_no, q_no)]
            questions.append(
                QuestionStats(
                    s_no=session.s_no, q_no=q_no, question=question.question,
                    partners=len(marks), first_try_correct=sum(marks),
                    first_try_pct=_pct(sum(marks), len(marks)),
                )
            )  # fmt: skip
        needed = [
            n for (phone, s), n in attempts.items()
            if s == session.s_no and s in completed.get(phone, [])
        ]  # fmt: skip
        distribution: dict[int, int] = defaultdict(int)
        for n in needed:
            distribution[n] += 1
        average = round(sum(needed) / len(needed), 2) if needed else None
        per_session.append(
            SessionAttempts(
                s_no=session.s_no, heading=session.heading, passed=len(needed),
                average_attempts=average, distribution=dict(sorted(distribution.items())),
            )
        )  # fmt: skip
    feedback = store.feedback()
    ratings = [f.rating for f in feedback if f.rating is not None]
    comments = [
        Comment(phone=f.phone, comment=f.comment, time=f.time) for f in feedback if f.comment
    ]
    return QuizAnalytics(
        questions=questions,
        sessions=per_session,
        ratings=len(ratings),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        positive_pct=_pct(sum(r >= 4 for r in ratings), len(ratings)),
        comments=sorted(comments, key=lambda c: c.time, reverse=True),
    )
