"""The programme's five KPIs with targets and definitions, from partner facts (any store)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from store.admin_models import rate
from store.feedback_reader import FeedbackReader, FeedbackSummary
from store.models import utcnow
from store.partner_list import PartnerSummary, has_started

MAX_WEEKS = 52
Unit = Literal["rate", "days", "count"]


class KpiQuery(BaseModel):
    """A period (who became a new partner when) and an optional cohort (who enrolled when)."""

    start: datetime | None = None  # inclusive; None = since the beginning
    end: datetime | None = None  # exclusive; None = up to now
    cohort_start: datetime | None = None
    cohort_end: datetime | None = None
    now: datetime = Field(default_factory=utcnow)

    @property
    def has_cohort(self) -> bool:
        """True when the cohort is chosen by enrolment dates rather than by the period."""
        return self.cohort_start is not None or self.cohort_end is not None


class Kpi(BaseModel):
    """One KPI: its value, target, whether it is met, and how it is computed."""

    key: str
    label: str
    value: float | None
    unit: Unit
    target: float
    target_text: str
    met: bool | None
    numerator: float | None
    denominator: int
    definition: str
    p90: float | None = None  # time to complete only


class KpiWeek(BaseModel):
    """The partners who became new in one week (Monday to Sunday, UTC) and how they did."""

    week_start: date
    new: int
    enrolled: int
    completed: int
    enrolment_rate: float | None
    completion_rate: float | None
    median_days: float | None


class KpiReport(BaseModel):
    """The five KPIs over a period and cohort, with the weekly trend."""

    query: KpiQuery
    new_partners: int
    cohort: int
    leads_used: bool
    kpis: list[Kpi]
    weeks: list[KpiWeek]


DEFINITIONS = {
    "enrolment": "Partners who started training / new partners in the period. New partners are "
    "the leads in GMT_Leads (dated by their creation date, else their first message) plus "
    "everyone who messaged; a partner is new on their first contact.",
    "completion": "Partners in the cohort who completed every session / partners in the cohort. "
    "The cohort is the period's new partners who enrolled, or those who enrolled between the "
    "cohort dates.",
    "time": "Days from starting the training to completing it, for the cohort's completed "
    "partners: the median (p90 next to it) from the recorded start and completion times.",
    "questions": "Questions the cohort's partners asked (messages understood as questions) / "
    "partners in the cohort.",
    "feedback": "Positive ratings / all ratings given by the cohort's partners.",
}


def bare(phone: str) -> str:
    """The digits of a phone, to match a lead to a partner however either was written."""
    return "".join(c for c in phone if c.isdigit())


def in_range(when: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    """start <= when < end; an open bound matches anything, a missing time only open ranges."""
    if when is None:
        return start is None and end is None
    return (start is None or when >= start) and (end is None or when < end)


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (p90: the value 90% of the sorted values are at or below)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _days(p: PartnerSummary) -> float | None:
    if p.started_at is None or p.completed_at is None:
        return None
    return (p.completed_at - p.started_at).total_seconds() / 86400


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def new_at(p: PartnerSummary, lead_dates: dict[str, datetime | None]) -> datetime | None:
    """When the partner became new: the lead's date when known, else their first contact."""
    dated = lead_dates.get(p.phone)
    seen = [t for t in (p.first_message_at, p.created_at) if t is not None]
    return dated or (min(seen) if seen else None)


def _kpi(
    key: str, label: str, unit: Unit, target: float, target_text: str, **values: object
) -> Kpi:
    value = values.get("value")
    met = None
    if isinstance(value, float | int):  # time to complete is met at or below its target
        met = value <= target if key == "time" else value >= target
    return Kpi.model_validate(
        {"key": key, "label": label, "unit": unit, "target": target, "target_text": target_text,
         "met": met, "definition": DEFINITIONS[key], **values}
    )  # fmt: skip


def five_kpis(
    cohort: list[PartnerSummary], new: list[PartnerSummary], fb: FeedbackSummary | None
) -> list[Kpi]:
    """Enrolment, completion, time to complete, questions per partner and positive feedback."""
    enrolled = sum(has_started(p) for p in new)
    completed = [p for p in cohort if p.completed_at is not None]
    days = [d for d in map(_days, completed) if d is not None]
    asked = sum(p.questions for p in cohort)
    median = statistics.median(days) if days else None
    per_partner = asked / len(cohort) if cohort else None
    return [
        _kpi("enrolment", "Enrolment rate", "rate", 0.8, "80%+", value=rate(enrolled, len(new)),
             numerator=enrolled, denominator=len(new)),
        _kpi("completion", "Completion rate", "rate", 0.7, "70%+",
             value=rate(len(completed), len(cohort)), numerator=len(completed),
             denominator=len(cohort)),
        _kpi("time", "Time to complete", "days", 3.0, "2–3 days", value=_round(median),
             p90=_round(percentile(days, 0.9)), numerator=None, denominator=len(days)),
        _kpi("questions", "Questions per partner", "count", 5.0, "5+",
             value=_round(per_partner), numerator=asked, denominator=len(cohort)),
        _kpi("feedback", "Positive feedback", "rate", 0.9, "90%+",
             value=rate(fb.positive, fb.rated) if fb else None,
             numerator=fb.positive if fb else None, denominator=fb.rated if fb else 0),
    ]  # fmt: skip


def _weeks(dated: list[tuple[datetime, PartnerSummary]], query: KpiQuery) -> list[KpiWeek]:
    """One row per week from the period's first week (or the first new partner) to its last."""
    if not dated:
        return []
    first = query.start or min(t for t, _ in dated)
    last = min(query.end or query.now, query.now) - timedelta(microseconds=1)
    monday = first.date() - timedelta(days=first.weekday())
    weeks: list[KpiWeek] = []
    while monday <= last.date() and len(weeks) < MAX_WEEKS:
        group = [p for t, p in dated if monday <= t.date() < monday + timedelta(days=7)]
        enrolled = [p for p in group if has_started(p)]
        done = [p for p in enrolled if p.completed_at is not None]
        days = [d for d in map(_days, done) if d is not None]
        weeks.append(KpiWeek(
            week_start=monday, new=len(group), enrolled=len(enrolled), completed=len(done),
            enrolment_rate=rate(len(enrolled), len(group)),
            completion_rate=rate(len(done), len(enrolled)),
            median_days=_round(statistics.median(days)) if days else None,
        ))  # fmt: skip
        monday += timedelta(days=7)
    return weeks


def kpi_report(
    partners: Iterable[PartnerSummary],
    lead_dates: dict[str, datetime | None],
    query: KpiQuery,
    feedback: FeedbackReader,
) -> KpiReport:
    """Every KPI for the period and cohort; partners and leads come from any AdminStore."""
    everyone = {p.phone: p for p in partners}
    by_digits = {bare(phone): phone for phone in everyone}
    lead_dates = {by_digits.get(bare(lead), lead): when for lead, when in lead_dates.items()}
    for phone in lead_dates:  # leads who never wrote are new partners who did not enrol
        everyone.setdefault(phone, PartnerSummary(phone=phone))
    dated = [(new_at(p, lead_dates), p) for p in everyone.values()]
    new = [(t, p) for t, p in dated if in_range(t, query.start, query.end)]
    if query.has_cohort:
        cohort = [
            p for p in everyone.values()
            if p.started_at and in_range(p.started_at, query.cohort_start, query.cohort_end)
        ]  # fmt: skip
    else:
        cohort = [p for _, p in new if has_started(p)]
    fb = feedback.feedback_summary({p.phone for p in cohort}, query.start, query.end)
    weeks = _weeks([(t, p) for t, p in new if t is not None], query)
    return KpiReport(
        query=query,
        new_partners=len(new),
        cohort=len(cohort),
        leads_used=bool(lead_dates),
        kpis=five_kpis(cohort, [p for _, p in new], fb),
        weeks=weeks,
    )
