"""Records the admin store returns (content versions, analytics) and shared maths."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from store.models import TrainingSession, utcnow

VersionAction = Literal["create", "update", "delete", "restore", "reorder", "load"]
WHOLE_KB = 0  # the s_no of a version that changed the whole training (a load, or its undo)

# Column / field names that hold a partner's phone in any table or collection we may erase from:
# ours ("phone"), the CRM's lead spellings and the usual messaging ones (to/from, wa_id).
PHONE_FIELDS = (
    *("phone", "Phone", "mobile", "Mobile", "phone_number", "phoneNumber"),
    *("to", "from", "to_phone", "from_phone", "partner_phone", "wa_id", "sender", "recipient"),
)


class ContentVersion(BaseModel):
    """One change to the training content: who, when, and the text before and after."""

    id: str | None = None
    s_no: int
    action: VersionAction
    who: str
    at: datetime = Field(default_factory=utcnow)
    previous: TrainingSession | None = None
    current: TrainingSession | None = None
    # A whole-training version (s_no WHOLE_KB): every session before and after.
    previous_kb: list[TrainingSession] | None = None
    current_kb: list[TrainingSession] | None = None

    @property
    def whole_kb(self) -> bool:
        """True for a change of the whole training (a `genie kb load` or its undo)."""
        return self.previous_kb is not None


def fit_progress(
    completed: list[int], current: int | None, numbers: list[int]
) -> tuple[list[int], int | None]:
    """A partner's progress on new content: completed sessions that no longer exist are
    dropped, those that still exist are kept; a current session that no longer exists moves
    to the next one that does (past the end: the last one)."""
    valid = set(numbers)
    kept = [n for n in completed if n in valid]
    if current is None or current in valid:
        return kept, current
    later = sorted(n for n in valid if n > current)
    return kept, (later[0] if later else max(valid, default=None))


class SessionCounts(BaseModel):
    """Where partners are in one session: the funnel and the drop-off."""

    s_no: int
    heading: str | None = None
    reached: int = 0  # enrolled partners who got at least this far
    completed: int = 0  # marked this session complete
    stopped: int = 0  # unfinished partners whose furthest session is this one (the drop-off)
    stalled: int = 0  # of those, progress unchanged for stalled_days
    questions: int = 0


class QuestionCount(BaseModel):
    """A question partners asked, grouped case-insensitively."""

    text: str
    count: int


class Analytics(BaseModel):
    """The dashboard's numbers, computed by the store."""

    partners: int
    enrolled: int
    in_training: int
    completed: int
    stalled: int
    stalled_days: int
    active_24h: int
    active_7d: int
    completion_rate: float | None
    median_completion_hours: float | None
    sessions: list[SessionCounts]
    top_questions: list[QuestionCount]
    partner_turns: int
    turns_by_source: dict[str, int]
    fallback_rate: float | None  # LLM turns that fell back to keywords


@dataclass
class RawAnalytics:
    """The counts each backend's queries produce, before rates and medians."""

    partners: int = 0
    enrolled: int = 0
    in_training: int = 0
    completed: int = 0
    stalled: int = 0
    active_24h: int = 0
    active_7d: int = 0
    durations_s: list[float] = field(default_factory=list)
    furthest: dict[int, int] = field(default_factory=dict)  # enrolled partners by furthest session
    completed_by: dict[int, int] = field(default_factory=dict)
    stopped_by: dict[int, int] = field(default_factory=dict)  # unfinished, by furthest session
    stalled_by: dict[int, int] = field(default_factory=dict)
    questions_by: dict[int, int] = field(default_factory=dict)
    top_questions: list[QuestionCount] = field(default_factory=list)
    turns_by_source: dict[str, int] = field(default_factory=dict)


def rate(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def session_number(value: object) -> int | None:
    """A session number from a grouped key (ints, floats from old data); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def build_analytics(raw: RawAnalytics, kb: list[TrainingSession], stalled_days: int) -> Analytics:
    """Rates, the median and one row per session (every KB session, plus numbers seen in data)."""
    headings = {s.s_no: s.heading for s in kb}
    numbers = set(headings) | set(raw.furthest) | set(raw.questions_by)
    sessions = [
        SessionCounts(
            s_no=n,
            heading=headings.get(n),
            reached=sum(count for f, count in raw.furthest.items() if f >= n),
            completed=raw.completed_by.get(n, 0),
            stopped=raw.stopped_by.get(n, 0),
            stalled=raw.stalled_by.get(n, 0),
            questions=raw.questions_by.get(n, 0),
        )
        for n in sorted(numbers)
    ]
    # The median comes from Python on both backends: mongomock has no $median.
    median_s = statistics.median(raw.durations_s) if raw.durations_s else None
    llm = raw.turns_by_source.get("llm", 0)
    fallback = raw.turns_by_source.get("fallback", 0)
    return Analytics(
        partners=raw.partners,
        enrolled=raw.enrolled,
        in_training=raw.in_training,
        completed=raw.completed,
        stalled=raw.stalled,
        stalled_days=stalled_days,
        active_24h=raw.active_24h,
        active_7d=raw.active_7d,
        completion_rate=rate(raw.completed, raw.enrolled),
        median_completion_hours=round(median_s / 3600, 2) if median_s is not None else None,
        sessions=sessions,
        top_questions=raw.top_questions,
        partner_turns=sum(raw.turns_by_source.values()),
        turns_by_source=dict(sorted(raw.turns_by_source.items())),
        fallback_rate=rate(fallback, llm + fallback),
    )
