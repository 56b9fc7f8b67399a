"""One pass of the reminder rules over every partner: record each reminder, then queue it.

Crash-safe without sending twice: a reminder is first recorded (once per phone and step:
a second scheduler or a rerun gets False and stops), then handed to the outbox under a key
made of phone and step (queued at most once), then marked queued. A crash in between leaves
it `recorded`, and the next pass finishes the hand-over. The outbox sends and retries.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from agent.clock import Clock
from agent.reminder_schedule import ReminderPolicy, ReminderStep
from agent.reminders import Decision, as_template, content_variables_json, decide
from store.base import TrainingStore
from store.messaging import OutboundPart, OutboxPart
from store.models import ChatEntry
from store.reminders import Reminder, ReminderStore, reminder_key_parts

log = logging.getLogger("genie.reminders")
OUTSIDE_WINDOW = 63016  # Twilio: free-form message outside the 24-hour window


class Outbox(Protocol):
    """Where reminders go: the MessagingStore's proactive queue."""

    def enqueue_proactive(self, key: str, phone: str, part: OutboundPart) -> bool:
        """Queue part 0 of `key` once; False when it was queued before."""
        ...


@dataclass
class RunReport:
    """What one pass decided and did."""

    decisions: list[Decision] = field(default_factory=list)
    queued: list[Reminder] = field(default_factory=list)
    resumed: list[Reminder] = field(default_factory=list)  # left `recorded` by a crash

    def count(self, action: str) -> int:
        """How many partners got this action."""
        return sum(1 for d in self.decisions if d.action == action)


class ReminderScheduler:
    """Applies the reminder rules to every partner and hands due reminders to the outbox."""

    def __init__(
        self,
        store: TrainingStore,
        reminders: ReminderStore,
        outbox: Outbox,
        steps: tuple[ReminderStep, ...],
        policy: ReminderPolicy,
        clock: Clock,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.reminders = reminders
        self.outbox = outbox
        self.steps = steps
        self.policy = policy
        self.clock = clock
        self.notify = notify  # told the phone once its reminder is queued (wakes a sender)

    def run_once(self, dry_run: bool = False, phones: set[str] | None = None) -> RunReport:
        """Decide for every partner (or only `phones`) now; unless `dry_run`, record and
        queue what is due."""
        now = self.clock.now()
        report = RunReport()
        if not dry_run:
            for reminder in self.reminders.list_reminders(status="recorded"):
                if phones is not None and reminder.phone not in phones:
                    continue
                self.hand(reminder)
                report.resumed.append(reminder)
        last = self.reminders.last_partner_messages()
        sessions = self.store.list_sessions()
        sent: dict[str, list[Reminder]] = defaultdict(list)
        for reminder in self.reminders.list_reminders():
            sent[reminder.phone].append(reminder)
        for progress in self.store.list_progress():
            phone = progress.phone
            if phones is not None and phone not in phones:
                continue
            decision = decide(
                progress, last.get(phone), sent[phone], sessions, self.steps, self.policy, now
            )
            report.decisions.append(decision)
            due = decision.reminder if decision.action == "send" and not dry_run else None
            if due is not None and self._record(due):
                self.hand(due)
                report.queued.append(due)
        return report

    def _record(self, reminder: Reminder) -> bool:
        """Record the reminder unless the partner said STOP meanwhile or it exists already."""
        fresh = self.store.get_progress(reminder.phone)
        if fresh is None or fresh.opted_out or fresh.completed_at is not None:
            return False
        return self.reminders.record_reminder(reminder)

    def hand(self, reminder: Reminder) -> None:
        """Queue a recorded reminder, write its transcript line, mark it queued (idempotent)."""
        template = reminder.channel == "template"
        part = OutboundPart(
            body=reminder.text,
            content_sid=reminder.content_sid if template else None,
            content_variables=content_variables_json(reminder) if template else None,
        )
        self.outbox.enqueue_proactive(reminder.key, reminder.phone, part)
        self._transcribe(reminder)
        self.reminders.save_reminder(reminder.model_copy(update={"status": "queued"}))
        log.info("reminder %s (%s) queued", reminder.step, reminder.channel)
        if self.notify is not None:
            self.notify(reminder.phone)

    def _transcribe(self, reminder: Reminder) -> None:
        """The reminder as a chat line with source `reminder`, written once per key."""
        if self.store.turn_lines(reminder.phone, reminder.key):
            return
        progress = self.store.get_progress(reminder.phone)
        self.store.append_chat(
            ChatEntry(
                phone=reminder.phone, who="genie", text=reminder.text, time=reminder.sent_at,
                intent="reminder", session=progress.current_section if progress else None,
                source="reminder", message_id=reminder.key,
            )
        )  # fmt: skip

    def on_give_up(self, part: OutboxPart, error_code: int | None, error: str) -> None:
        """The outbox gave up on a part: a refused reminder text (63016) goes as its template,
        any other reminder failure is recorded. Parts that are not reminders are ignored."""
        key = part.message_sid
        found = reminder_key_parts(key)
        reminder = self.reminders.get_reminder(*found) if found else None
        if reminder is None or key != reminder.key:
            return
        if error_code == OUTSIDE_WINDOW and reminder.channel == "text" and reminder.content_sid:
            fallback = as_template(reminder)
            self.reminders.save_reminder(fallback)  # recorded first: a crash finishes it later
            self.hand(fallback)
            log.info("reminder %s refused outside the window: template sent", reminder.step)
            return
        failed = reminder.model_copy(update={"status": "failed", "error": error})
        self.reminders.save_reminder(failed)
