"""Admin API for the programme's KPIs: the five numbers with targets, the weekly trend, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.deps import AdminStoreDep, FeedbackDep
from store.feedback_reader import FeedbackSummary
from store.kpi import KpiQuery, KpiReport, kpi_report
from store.models import utcnow

router = APIRouter(
    prefix="/api/admin",
    tags=["admin: KPIs"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)
Day = Annotated[date | None, Query(description="YYYY-MM-DD (UTC)")]


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), UTC) if day else None


def _end(day: date | None) -> datetime | None:
    """The end date is inclusive: the range stops at the next midnight."""
    return datetime.combine(day + timedelta(days=1), time(), UTC) if day else None


def kpi_query(
    start: Day = None, end: Day = None, cohort_start: Day = None, cohort_end: Day = None
) -> KpiQuery:
    """The period (new partners between start and end) and the optional enrolment cohort."""
    for a, b in ((start, end), (cohort_start, cohort_end)):
        if a and b and a > b:
            raise HTTPException(422, "a start date must not be after its end date")
    return KpiQuery(
        start=_start(start),
        end=_end(end),
        cohort_start=_start(cohort_start),
        cohort_end=_end(cohort_end),
        now=utcnow(),
    )


QueryDep = Annotated[KpiQuery, Depends(kpi_query)]


def _report(query: KpiQuery, admin_store: AdminStoreDep, feedback: FeedbackDep) -> KpiReport:
    partners = admin_store.partners(query.now)
    return kpi_report(partners, admin_store.lead_dates(), query, feedback)


@router.get("/kpis")
def kpis(query: QueryDep, admin_store: AdminStoreDep, feedback: FeedbackDep) -> KpiReport:
    """Enrolment rate, completion rate, time to complete (median, p90), questions per partner
    and positive feedback, each with its target and definition, plus the weekly trend."""
    return _report(query, admin_store, feedback)


def _csv(rows: list[list[object]], filename: str) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/kpis/export.csv", response_class=Response)
def kpis_csv(query: QueryDep, admin_store: AdminStoreDep, feedback: FeedbackDep) -> Response:
    """The five KPIs as CSV: value, target, met, numerator, denominator and definition."""
    report = _report(query, admin_store, feedback)
    head = ["kpi", "value", "unit", "p90", "target", "met", "numerator", "denominator"]
    rows: list[list[object]] = [[*head, "definition"]]
    for k in report.kpis:
        rows.append([k.label, k.value, k.unit, k.p90, k.target_text, k.met, k.numerator,
                     k.denominator, k.definition])  # fmt: skip
    return _csv(rows, "kpis.csv")


@router.get("/kpis/weeks.csv", response_class=Response)
def weeks_csv(query: QueryDep, admin_store: AdminStoreDep, feedback: FeedbackDep) -> Response:
    """The weekly trend as CSV: each week's new partners and how they enrolled and completed."""
    report = _report(query, admin_store, feedback)
    fields = ["week_start", "new", "enrolled", "completed", "enrolment_rate", "completion_rate",
              "median_days"]  # fmt: skip
    rows: list[list[object]] = [list[object](fields)]
    rows += [[getattr(w, f) for f in fields] for w in report.weeks]
    return _csv(rows, "kpi-weeks.csv")


@router.get("/feedback")
def feedback_panel(query: QueryDep, feedback: FeedbackDep) -> FeedbackSummary | None:
    """Ratings and comments given in the period; null while no feedback data exists."""
    return feedback.feedback_summary(None, query.start, query.end)
