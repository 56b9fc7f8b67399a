"""The reminder scheduler inside `genie serve`: one process sends, however many run.

Every process runs the loop; each pass first takes the `reminders:scheduler` lease in the
database (the inbox's lease primitive), so only its holder decides and queues. The holder
keeps the lease from pass to pass; if it dies, the lease expires and another takes over.
Even two passes at once could not send twice: a reminder is recorded once per phone and step.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from typing import Any

from agent.reminder_runner import ReminderScheduler, RunReport
from agent.reminder_schedule import ScheduleError
from agent.settings import Settings
from api.reminders.factory import build_scheduler
from store.base import StoreUnavailable
from store.messaging import MessagingStore

log = logging.getLogger("genie.reminders")
LEASE_KEY = "reminders:scheduler"
FIRST_PASS_S = 5.0  # after start-up, so a restart does not wait a whole interval


class ReminderLoop:
    """A daemon thread running a scheduler pass every `interval_s` while it holds the lease."""

    def __init__(
        self, scheduler: ReminderScheduler, messaging: MessagingStore, interval_s: float
    ) -> None:
        self.scheduler = scheduler
        self.messaging = messaging
        self.interval_s = interval_s
        self.ttl_s = max(3 * interval_s, 30.0)  # outlives a slow pass; a dead holder frees it
        self.owner = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reminders", daemon=True)

    def tick(self) -> RunReport | None:
        """One pass if this process holds (or takes) the lease; None when another one does."""
        if not self.messaging.acquire_lease(LEASE_KEY, self.owner, self.ttl_s):
            return None
        report = self.scheduler.run_once()
        if report.queued or report.resumed:
            log.info("reminders queued: %d (%d resumed)", len(report.queued), len(report.resumed))
        return report

    def start(self) -> None:
        """Start the loop thread."""
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop after the current pass (bounded wait) and hand the lease on."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout_s)
        with contextlib.suppress(StoreUnavailable):  # down: the lease expires on its own
            self.messaging.release_lease(LEASE_KEY, self.owner)

    def _run(self) -> None:
        wait_s = min(FIRST_PASS_S, self.interval_s)
        while not self._stop.wait(wait_s):
            wait_s = self.interval_s
            try:
                self.tick()
            except StoreUnavailable as exc:
                log.warning("reminder pass skipped, store unavailable: %s", exc)
            except Exception:
                log.exception("reminder pass failed")


def start_reminders(state: Any, settings: Settings) -> None:
    """Build the scheduler on app.state, route 63016 refusals to it, start the loop if on."""
    state.reminder_loop = None
    try:
        scheduler = build_scheduler(
            settings, state.store, state.messaging, notify=state.whatsapp.notify_outbox
        )
    except (ScheduleError, TypeError, StoreUnavailable) as exc:
        # The webhook matters more than nudges: serve partners, say loudly what is wrong.
        log.error("reminders are OFF: %s", exc)
        state.reminder_scheduler = None
        return
    state.reminder_scheduler = scheduler
    # Set before any reminder exists: an outbox part given up on may be a refused reminder.
    state.whatsapp.deliverer.on_give_up = scheduler.on_give_up
    state.on_delivery_failed = scheduler.on_give_up  # a failed status callback (routes/twilio)
    if settings.reminders_enabled:
        state.reminder_loop = ReminderLoop(scheduler, state.messaging, settings.reminder_interval_s)
        state.reminder_loop.start()


def stop_reminders(state: Any) -> None:
    """Stop the loop (if running) before the WhatsApp workers stop."""
    loop: ReminderLoop | None = getattr(state, "reminder_loop", None)
    if loop is not None:
        loop.stop()
