"""How the dashboard reads partner feedback: a small interface that says None until it exists."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field


class FeedbackComment(BaseModel):
    """One partner comment, for the feedback panel."""

    phone: str
    at: datetime
    text: str
    positive: bool | None = None
    session: int | None = None


class FeedbackSummary(BaseModel):
    """Ratings given by a group of partners: how many, how many positive, the latest comments."""

    rated: int = Field(ge=0)
    positive: int = Field(ge=0)
    comments: list[FeedbackComment] = Field(default_factory=list)


class FeedbackReader(Protocol):
    """Feedback storage as the KPIs see it (the quiz and feedback feature implements it)."""

    def feedback_summary(
        self, phones: set[str] | None, start: datetime | None, end: datetime | None
    ) -> FeedbackSummary | None:
        """Feedback from these partners (all when None) given in [start, end); None when no
        feedback data exists at all (the panel then says so instead of showing 0%)."""
        ...


class NoFeedbackYet:
    """The reader used until feedback storage exists: there is none."""

    def feedback_summary(
        self, phones: set[str] | None, start: datetime | None, end: datetime | None
    ) -> FeedbackSummary | None:
        """Always None: no feedback data exists."""
        return None
