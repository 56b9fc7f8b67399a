"""Partner status, filters and sort, computed once in Python so every store gives the same list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from store.models import Progress, utcnow

PartnerStatus = Literal["new", "in_training", "paused", "completed", "opted_out"]
StatusFilter = Literal["all", "new", "in_training", "paused", "completed", "opted_out"]
PartnerSort = Literal["last_activity", "name", "status", "progress", "questions"]
STATUS_ORDER: dict[str, int] = {
    "new": 0,
    "in_training": 1,
    "paused": 2,
    "completed": 3,
    "opted_out": 4,
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class PartnerQuery(BaseModel):
    """Which partners to list: a status, a search on phone or name, a sort and a page."""

    status: StatusFilter = "all"
    paused_days: int = Field(default=7, ge=1, le=365)
    search: str | None = Field(default=None, max_length=100)
    sort: PartnerSort = "last_activity"
    descending: bool = True
    limit: int = Field(default=50, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    now: datetime = Field(default_factory=utcnow)

    @property
    def paused_before(self) -> datetime:
        """No activity since before this time counts as paused."""
        return self.now - timedelta(days=self.paused_days)


class PartnerSummary(Progress):
    """A partner's progress with their status and chat activity."""

    status: PartnerStatus = "new"
    first_message_at: datetime | None = None
    last_message_at: datetime | None = None
    messages: int = 0
    questions: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def last_activity(self) -> datetime | None:
        """The partner's last message, or their last progress change when there is none."""
        return max((t for t in (self.last_message_at, self.last_updated) if t), default=None)


class PartnerPage(BaseModel):
    """One page of partners and how many match in total."""

    total: int
    items: list[PartnerSummary]


@dataclass(frozen=True)
class ChatActivity:
    """One phone's partner lines: first and last message, how many, how many were questions."""

    first: datetime
    last: datetime
    messages: int
    questions: int


def has_started(progress: Progress) -> bool:
    """Enrolled: started training (legacy records only have a current section) or completed."""
    return bool(
        progress.training_started
        or progress.current_section is not None
        or progress.completed_at is not None
    )


def partner_status(partner: PartnerSummary, paused_before: datetime) -> PartnerStatus:
    """completed, opted_out, new (never started), paused (said exit, or quiet since
    paused_before) or in_training, in that order of precedence."""
    if partner.completed_at is not None:
        return "completed"
    if partner.opted_out:
        return "opted_out"
    if not has_started(partner):
        return "new"
    said_exit = not partner.in_training_mode and partner.current_section is not None
    last = partner.last_activity
    if said_exit or (last is not None and last < paused_before):
        return "paused"
    return "in_training"


def merge_activity(
    progress: Iterable[Progress], chat: dict[str, ChatActivity], paused_before: datetime
) -> list[PartnerSummary]:
    """One summary per phone with progress or partner messages, status included."""
    merged: dict[str, PartnerSummary] = {}
    for p in progress:
        merged[p.phone] = PartnerSummary.model_validate(p.model_dump())
    for phone, seen in chat.items():
        summary = merged.get(phone) or PartnerSummary(phone=phone)
        merged[phone] = summary.model_copy(
            update={
                "first_message_at": seen.first,
                "last_message_at": seen.last,
                "messages": seen.messages,
                "questions": seen.questions,
            }
        )
    return [
        s.model_copy(update={"status": partner_status(s, paused_before)}) for s in merged.values()
    ]


def _matches(partner: PartnerSummary, search: str | None) -> bool:
    if not search:
        return True
    needle = search.lower()
    return needle in partner.phone.lower() or needle in (partner.name or "").lower()


def _sort_key(sort: PartnerSort, partner: PartnerSummary) -> tuple[object, ...]:
    if sort == "name":
        return ((partner.name or "").lower(),)
    if sort == "status":
        return (STATUS_ORDER[partner.status],)
    if sort == "progress":
        return (len(partner.completed_sections), partner.current_section or 0)
    if sort == "questions":
        return (partner.questions,)
    return (partner.last_activity or EPOCH,)


def page_partners(partners: list[PartnerSummary], query: PartnerQuery) -> PartnerPage:
    """Filter by status and search, sort (ties by phone) and cut out one page."""
    found = [
        p
        for p in partners
        if (query.status == "all" or p.status == query.status) and _matches(p, query.search)
    ]
    found.sort(key=lambda p: p.phone)  # stable ties, the same on every store
    found.sort(key=lambda p: _sort_key(query.sort, p), reverse=query.descending)
    return PartnerPage(total=len(found), items=found[query.offset : query.offset + query.limit])
