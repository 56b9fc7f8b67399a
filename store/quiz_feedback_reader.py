"""The KPI panel's FeedbackReader over the quiz store's satisfaction ratings and comments."""

from __future__ import annotations

from datetime import datetime

from store.feedback_reader import FeedbackComment, FeedbackSummary
from store.quiz_store import QuizStore

POSITIVE_FROM = 4  # a rating of 4 or 5 (a thumbs up counts as 5) is positive
LATEST_COMMENTS = 20


class QuizFeedbackReader:
    """Ratings (1-5, thumbs) and comments partners gave after the last session."""

    def __init__(self, store: QuizStore) -> None:
        self.store = store

    def feedback_summary(
        self, phones: set[str] | None, start: datetime | None, end: datetime | None
    ) -> FeedbackSummary | None:
        """Feedback from these partners (all when None) given in [start, end); None when no
        partner has given any feedback yet."""
        records = self.store.feedback()
        if not records:
            return None
        chosen = [
            f for f in records
            if (phones is None or f.phone in phones)
            and (start is None or f.time >= start) and (end is None or f.time < end)
        ]  # fmt: skip
        ratings = [f.rating for f in chosen if f.rating is not None]
        comments = [
            FeedbackComment(phone=f.phone, at=f.time, text=f.comment)
            for f in reversed(chosen)
            if f.comment
        ][:LATEST_COMMENTS]
        return FeedbackSummary(
            rated=len(ratings),
            positive=sum(r >= POSITIVE_FROM for r in ratings),
            comments=comments,
        )
