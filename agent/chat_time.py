"""`/wait 26h` in `genie chat`: move the chat's clock and show the reminders that would go.

The pass covers only the chatting partner and queues into a throwaway outbox, so trying
reminders in a terminal never sends anything to anyone else (the reminders are recorded in
the database, as a real pass would, so each step shows once).
"""

from __future__ import annotations

from dataclasses import replace

from agent.clock import ManualClock, parse_duration
from agent.reminder_runner import ReminderScheduler
from agent.reminder_schedule import ReminderPolicy, load_schedule
from agent.settings import Settings
from store.base import TrainingStore
from store.messaging import OutboundPart
from store.reminders_factory import reminder_store_for

WAIT_COMMAND = "/wait"


class _NoOutbox:
    """Keeps nothing: the chat shows the reminders itself."""

    def enqueue_proactive(self, key: str, phone: str, part: OutboundPart) -> bool:
        return True


class ChatTime:
    """The clock of one `genie chat` session and the reminder pass `/wait` runs."""

    def __init__(self, settings: Settings, store: TrainingStore, clock: ManualClock) -> None:
        self.clock = clock
        steps = load_schedule()
        policy = ReminderPolicy.from_settings(settings)
        # Templates show as [template NAME: ...] even before their SIDs are configured.
        sids = {s.template: policy.content_sid(s) or f"HX-{s.template}" for s in steps}
        policy = replace(policy, template_sids=sids)
        self.scheduler = ReminderScheduler(
            store, reminder_store_for(store, settings.reminders_collection), _NoOutbox(),
            steps, policy, clock,
        )  # fmt: skip

    def wait(self, phone: str, command: str) -> list[str]:
        """Advance by the command's duration; the texts (and any reason none went) to show."""
        duration = parse_duration(command.removeprefix(WAIT_COMMAND))
        self.clock.advance(duration)
        report = self.scheduler.run_once(phones={phone})
        shown = [r.text for r in report.queued]
        if not shown:
            reasons = [d.reason for d in report.decisions] or ["no training started yet"]
            shown = [f"(no reminder at {self.clock.now():%Y-%m-%d %H:%M} UTC: {reasons[0]})"]
        return shown
