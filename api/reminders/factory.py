"""Build the reminder scheduler from settings over the app's (or the CLI's) stores."""

from __future__ import annotations

from collections.abc import Callable

from agent.clock import Clock, SystemClock
from agent.reminder_runner import Outbox, ReminderScheduler
from agent.reminder_schedule import ReminderPolicy, load_schedule
from agent.settings import Settings
from store.base import TrainingStore
from store.reminders_factory import reminder_store_for


def build_scheduler(
    settings: Settings,
    store: TrainingStore,
    outbox: Outbox,
    clock: Clock | None = None,
    notify: Callable[[str], None] | None = None,
) -> ReminderScheduler:
    """A scheduler with the schedule of prompts/reminders.yaml and the REMINDER_* policy."""
    return ReminderScheduler(
        store,
        reminder_store_for(store, settings.reminders_collection),
        outbox,
        load_schedule(),
        ReminderPolicy.from_settings(settings),
        clock or SystemClock(),
        notify,
    )
