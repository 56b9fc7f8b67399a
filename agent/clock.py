"""One injectable clock: production reads the system time, tests and stories move their own."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

from store.models import utcnow

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Clock(Protocol):
    """Anything that tells the current time (aware, UTC)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current UTC time."""
        return utcnow()


class ManualClock:
    """A clock that only moves when told to (stories, tests, `--now`); thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = aware(start).astimezone(UTC) if start else utcnow()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The clock's current time."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += delta
            return self._now


def aware(value: datetime) -> datetime:
    """`value` with a time zone (naive times are taken as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def parse_duration(text: str) -> timedelta:
    """A duration such as "30m", "26h", "3d" or "90s"; ValueError for anything else."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration like 30m, 26h or 3d: {text!r}")
    return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2].lower()])


def parse_time(text: str) -> datetime:
    """An ISO 8601 time ("2026-03-02T10:00:00+05:30"; naive = UTC); ValueError otherwise."""
    try:
        return aware(datetime.fromisoformat(text.strip()))
    except ValueError as exc:
        raise ValueError(f"not an ISO time like 2026-03-02T10:00:00+05:30: {text!r}") from exc
