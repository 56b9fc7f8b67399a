"""Admin API for quizzes and certificates: analytics (JSON and CSV), list, revoke, reissue."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field

from agent.certificates.files import forget_pdf
from agent.certificates.issue import reissue, revoke
from agent.quiz.analytics import QuizAnalytics, quiz_analytics
from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.deps import EngineDep, QuizStoreDep, StoreDep
from store.quiz_store import Certificate

router = APIRouter(
    prefix="/api/admin",
    tags=["admin: quizzes and certificates"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)


class Reissue(BaseModel):
    """A reissue, optionally with a corrected name."""

    name: str | None = Field(default=None, min_length=1, max_length=120)


def _analytics(store: StoreDep, quiz_store: QuizStoreDep) -> QuizAnalytics:
    completed = {p.phone: p.completed_sections for p in store.list_progress()}
    return quiz_analytics(quiz_store, store.list_sessions(), completed)


@router.get("/quiz/analytics")
def analytics(store: StoreDep, quiz_store: QuizStoreDep) -> QuizAnalytics:
    """First-try success per question, attempts to pass per session, satisfaction, comments."""
    return _analytics(store, quiz_store)


def _csv(rows: list[list[object]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        # A leading =, +, - or @ would run as a formula in a spreadsheet.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/quiz/questions.csv", response_class=Response)
def questions_csv(store: StoreDep, quiz_store: QuizStoreDep) -> Response:
    """Per question: partners and first-try success, as CSV."""
    data = _analytics(store, quiz_store)
    rows: list[list[object]] = [["s_no", "q_no", "question", "partners", "first_try_correct",
                                 "first_try_pct"]]  # fmt: skip
    rows += [[q.s_no, q.q_no, q.question, q.partners, q.first_try_correct, q.first_try_pct]
             for q in data.questions]  # fmt: skip
    return _csv(rows, "quiz-questions.csv")


@router.get("/feedback.csv", response_class=Response)
def feedback_csv(quiz_store: QuizStoreDep) -> Response:
    """Every rating and comment, as CSV."""
    rows: list[list[object]] = [["phone", "time", "rating", "thumbs", "comment"]]
    rows += [[f.phone, f.time.isoformat(), f.rating, f.thumbs, f.comment]
             for f in quiz_store.feedback()]  # fmt: skip
    return _csv(rows, "feedback.csv")


@router.get("/certificates")
def list_certificates(
    quiz_store: QuizStoreDep, phone: Annotated[str | None, Query(max_length=40)] = None
) -> list[Certificate]:
    """Certificates, newest first; one partner's with `phone`."""
    return quiz_store.certificates(phone)


@router.post("/certificates/{code}/revoke")
def revoke_certificate(code: str, quiz_store: QuizStoreDep, engine: EngineDep) -> Certificate:
    """Revoke a certificate: its verification page says so and its PDF is gone."""
    revoked = revoke(quiz_store, code)
    if revoked is None:
        raise HTTPException(404, "no certificate with this code")
    forget_pdf(engine.trainer.quiz_config, code)
    return revoked


@router.post("/certificates/{code}/reissue")
def reissue_certificate(
    code: str, body: Reissue, quiz_store: QuizStoreDep, engine: EngineDep
) -> Certificate:
    """Revoke a certificate and issue its replacement (e.g. with a corrected name)."""
    new = reissue(quiz_store, code, body.name)
    if new is None:
        raise HTTPException(404, "no certificate with this code")
    forget_pdf(engine.trainer.quiz_config, code)
    return new
