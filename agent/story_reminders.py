"""The time step of conversation stories: `- wait: 26h` moves the clock and runs reminders once.

The reminders go through the real scheduler and the real outbox queue of the story's
database; what was queued is what the wait "sent". Every template gets a stand-in Content
SID, so stories test the rules, not the Twilio console set-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from agent.clock import ManualClock
from agent.reminder_runner import ReminderScheduler
from agent.reminder_schedule import ReminderPolicy, load_schedule
from prompts import message_languages
from store.reminders import Reminder
from store.reminders_factory import reminder_store_for
from store.sqlite_messaging import SQLiteMessagingStore
from store.sqlite_store import SQLiteStore

ANY_TEMPLATE = "any"


@dataclass
class WaitOutcome:
    """What one wait sent proactively."""

    sent: list[Reminder] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        """The sent texts (a template reads as `[template NAME: 1=…, 2=…]`)."""
        return [r.text for r in self.sent]

    @property
    def templates(self) -> list[str]:
        """The names of the templates sent."""
        return [r.template or "" for r in self.sent if r.channel == "template"]


class StoryReminders:
    """A reminder scheduler on the story's store and clock."""

    def __init__(self, store: SQLiteStore, clock: ManualClock) -> None:
        steps = load_schedule()
        # Every template, in every language Genie has messages for, gets a stand-in SID.
        names = {step.template for step in steps}
        names |= {f"{n}_{lang}" for n in names for lang in message_languages()}
        sids = {name: f"HX{name}" for name in names}
        self.clock = clock
        self._messaging = SQLiteMessagingStore(store)
        self.scheduler = ReminderScheduler(
            store, reminder_store_for(store), self._messaging, steps,
            ReminderPolicy(template_sids=sids), clock,
        )  # fmt: skip

    def wait(self, duration: timedelta) -> WaitOutcome:
        """Move the clock on and run one scheduler pass."""
        self.clock.advance(duration)
        return WaitOutcome(self.scheduler.run_once().queued)


def template_problems(expected: str | None, outcome: WaitOutcome) -> list[str]:
    """How the templates sent differ from `template: NAME|any|null`."""
    sent = outcome.templates
    if expected is None:
        return [f"template: expected none, sent {sent}"] if sent else []
    if expected == ANY_TEMPLATE:
        return [] if sent else ["template: expected one, none sent"]
    return [] if expected in sent else [f"template: expected {expected!r}, sent {sent}"]
