"""`genie reminders run [--dry-run] [--now TIME]`: one reminder pass, for cron or to preview."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from agent.clock import Clock, ManualClock, SystemClock, parse_time
from agent.reminder_schedule import ScheduleError
from agent.reminders import Decision
from agent.settings import get_settings

app = typer.Typer(help="Reminders for partners who stall in their training.", no_args_is_help=True)


def _line(decision: Decision, width: int = 72) -> str:
    reminder = decision.reminder
    head = f"{decision.action.upper():5} {decision.phone:15} "
    if reminder is None:
        return head + decision.reason
    text = reminder.text.replace("\n", " ")
    text = text if len(text) <= width else text[: width - 1] + "…"
    return f"{head}{reminder.step} ({reminder.channel}): {decision.reason}\n      {text}"


@app.command("run")
def run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Decide and print; record and send nothing")
    ] = False,
    now: Annotated[
        str | None,
        typer.Option(help="Pretend it is this time (ISO, e.g. 2026-03-03T09:00:00+05:30)"),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list partners who get nothing, and why")
    ] = False,
) -> None:
    """Send the reminders due now (or at --now) and deliver them; safe next to `genie serve`."""
    from api.reminders.factory import build_scheduler
    from api.whatsapp.outbox import OutboxDeliverer, RetryPolicy
    from api.whatsapp.sender import build_sender
    from store.factory import open_store
    from store.messaging_factory import open_messaging

    try:
        clock: Clock = ManualClock(parse_time(now)) if now else SystemClock()
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--now") from exc
    settings = get_settings()
    store = open_store(settings, seed=False)
    messaging = open_messaging(settings, store)
    try:
        scheduler = build_scheduler(settings, store, messaging, clock)
    except ScheduleError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    # Deliver what this run queues right away (a cron job has no sender running); a running
    # `genie serve` would also pick the parts up: the per-phone outbox lease keeps it to one.
    retry = RetryPolicy(
        settings.outbox_max_attempts, settings.outbox_backoff_base_s, settings.outbox_backoff_max_s
    )
    deliverer = OutboxDeliverer(
        messaging, build_sender(settings), lambda phone, delay_s: None, policy=retry,
        lease_s=settings.whatsapp_lease_s, stopping=threading.Event(),
        on_give_up=scheduler.on_give_up,
    )  # fmt: skip
    scheduler.notify = deliverer.deliver_phone
    try:
        report = scheduler.run_once(dry_run=dry_run)
    finally:
        messaging.close()
        store.close()
    for decision in report.decisions:
        if show_all or decision.action != "none":
            typer.echo(_line(decision))
    verb = "would send" if dry_run else "queued"
    typer.echo(
        f"{clock.now():%Y-%m-%d %H:%M} UTC: {report.count('send')} {verb}, "
        f"{report.count('wait')} waiting, {report.count('none')} with nothing due"
        + (f", {len(report.resumed)} resumed after a crash" if report.resumed else "")
    )
