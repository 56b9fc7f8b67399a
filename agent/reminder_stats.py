"""Did reminders work? Per partner what was sent and when, per step who came back in 48 hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from store.reminders import Reminder, ReminderStore

CAME_BACK_WITHIN = timedelta(hours=48)


class SentReminder(Reminder):
    """A reminder with the partner's first message after it (None: not yet)."""

    came_back_at: datetime | None = None


class StepStats(BaseModel):
    """One schedule step over a period: how many went, how, and how many brought partners back."""

    step: str
    sent: int = 0
    templates: int = 0  # sent as a template (outside the window)
    fallbacks: int = 0  # of those, after Twilio refused the text (63016)
    failed: int = 0
    came_back: int = 0  # the partner wrote within 48 hours
    waiting: int = 0  # sent less than 48 hours ago, no answer yet: not counted either way
    came_back_rate: float | None = None  # came_back / (sent - waiting)


def with_return(reminders: ReminderStore, reminder: Reminder) -> SentReminder:
    """The reminder and when the partner next wrote."""
    back = reminders.first_partner_message_after(reminder.phone, reminder.sent_at)
    return SentReminder(**reminder.model_dump(), came_back_at=back)


def step_stats(
    reminders: ReminderStore, steps: list[str], now: datetime, since: datetime | None = None
) -> list[StepStats]:
    """Per step (schedule order, then any retired step), reminders sent since `since`."""
    stats = {name: StepStats(step=name) for name in steps}
    for reminder in reminders.list_reminders(since=since):
        row = stats.setdefault(reminder.step, StepStats(step=reminder.step))
        row.sent += 1
        row.templates += reminder.channel == "template"
        row.fallbacks += reminder.fallback
        row.failed += reminder.status == "failed"
        back = reminders.first_partner_message_after(reminder.phone, reminder.sent_at)
        if back is not None and back - reminder.sent_at <= CAME_BACK_WITHIN:
            row.came_back += 1
        elif now - reminder.sent_at < CAME_BACK_WITHIN:
            row.waiting += 1
    for row in stats.values():
        decided = row.sent - row.waiting
        row.came_back_rate = round(row.came_back / decided, 3) if decided else None
    return list(stats.values())
