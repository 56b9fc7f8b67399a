"""Who gets which reminder when: the rules, with no I/O (the scheduler brings the data).

A partner in training (started, not finished, not opted out) whose last message is older
than a step's delay gets that step once: the latest due step, at most N in all, never in
their quiet hours. Inside WhatsApp's 24-hour window it is a normal message; outside it an
approved template (Content SID + variables), as only templates may start a conversation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers.timezone import time_zones_for_number

from agent.languages import language_of
from agent.reminder_schedule import ReminderPolicy, ReminderStep
from agent.render import counts
from agent.translations import localized
from prompts import fill, use_language
from store.models import Progress, TrainingSession
from store.reminders import Reminder

WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window
MAX_VARIABLE_CHARS = 255  # Twilio's limit per template variable value


@dataclass(frozen=True)
class Decision:
    """What the rules say for one partner now: send a reminder, wait, or nothing."""

    phone: str
    action: Literal["send", "wait", "none"]
    reason: str
    reminder: Reminder | None = None  # set for send (and for wait, what would go)


def partner_timezone(progress: Progress, default: str) -> ZoneInfo:
    """The admin's choice, else the phone number's country zone, else `default`."""
    for name in (progress.timezone, _phone_zone(progress.phone)):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(default)


def _phone_zone(phone: str) -> str | None:
    """The only zone of the number's region (a country with several gives none)."""
    try:
        zones = time_zones_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None


def quiet_until(local: datetime, start: time, end: time) -> datetime | None:
    """The local time quiet hours end when `local` falls in them (start ≤ t < end, over
    midnight when start > end), else None."""
    now = local.time()
    quiet = start <= now < end if start <= end else now >= start or now < end
    if not quiet:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ends if ends > local else ends + timedelta(days=1)


def placeholders(progress: Progress, sessions: list[TrainingSession]) -> dict[str, object]:
    """{name} {session} {heading} {done} {total} for texts and template variables."""
    values = counts(progress, sessions)
    return {**values, "session": values["current"]}


def template_variables(step: ReminderStep, values: dict[str, object]) -> dict[str, str]:
    """The step's variables filled in; never empty (Twilio refuses empty values: 21656)."""
    filled = {k: fill(v, values).strip()[:MAX_VARIABLE_CHARS] for k, v in step.variables.items()}
    return {k: v or "-" for k, v in filled.items()}


def describe_template(name: str, variables: dict[str, str]) -> str:
    """How a template send reads in transcripts and on the console."""
    shown = ", ".join(f"{k}={v}" for k, v in variables.items())
    return f"[template {name}: {shown}]" if shown else f"[template {name}]"


def as_template(reminder: Reminder) -> Reminder:
    """The same reminder as its template (after Twilio refused the text with 63016)."""
    text = describe_template(reminder.template or "?", reminder.content_variables)
    update = {"channel": "template", "text": text, "fallback": True, "status": "recorded"}
    return reminder.model_copy(update=update)


def content_variables_json(reminder: Reminder) -> str:
    """The variables as Twilio wants them: a JSON object in a string."""
    return json.dumps(reminder.content_variables, ensure_ascii=False)


def decide(
    progress: Progress,
    last_message: datetime | None,
    sent: list[Reminder],
    sessions: list[TrainingSession],
    steps: tuple[ReminderStep, ...],
    policy: ReminderPolicy,
    now: datetime,
) -> Decision:
    """The reminder rules for one partner at `now`."""
    phone = progress.phone

    def nothing(reason: str) -> Decision:
        return Decision(phone, "none", reason)

    if not policy.enabled or not steps:
        return nothing("reminders are off")
    if progress.opted_out:
        return nothing("opted out")
    if progress.completed_at is not None:
        return nothing("finished the training")
    if not progress.training_started or not sessions:
        return nothing("not in training")
    if last_message is None:
        return nothing("has never written")
    silent = now - last_message
    due = [s for s in steps if s.after <= silent]
    if not due:
        return nothing(f"{steps[0].name} due at {_iso(last_message + steps[0].after)}")
    step = due[-1]  # the latest due step: a long silence gets one reminder, not all of them
    if any(r.step == step.name for r in sent):
        return nothing(f"{step.name} already sent")
    if len(sent) >= policy.max_per_partner:
        return nothing(f"reached the maximum of {policy.max_per_partner} reminders")
    reminder = _reminder(progress, step, sessions, policy, last_message, now)
    zone = partner_timezone(progress, policy.default_timezone)
    until = quiet_until(now.astimezone(zone), policy.quiet_start, policy.quiet_end)
    if until is not None:
        return Decision(phone, "wait", f"quiet hours until {until:%H:%M} {zone.key}", reminder)
    if reminder.channel == "template" and not reminder.content_sid:
        why = f"outside the 24-h window and template {step.template} has no Content SID"
        return Decision(phone, "wait", why + " (set REMINDER_TEMPLATE_SIDS)", reminder)
    window = "inside" if reminder.channel == "text" else "outside"
    return Decision(phone, "send", f"{window} the 24-h window", reminder)


def _reminder(
    progress: Progress,
    step: ReminderStep,
    sessions: list[TrainingSession],
    policy: ReminderPolicy,
    last_message: datetime,
    now: datetime,
) -> Reminder:
    default = policy.default_language
    language = language_of(progress, default)
    name, sid, template_language = policy.template_for(step, language)
    variables = template_variables(step, _values(progress, sessions, template_language, default))
    inside = now - last_message < WINDOW
    if inside:
        text = fill(step.text_in(language, default), _values(progress, sessions, language, default))
    else:
        text = describe_template(name, variables)
    return Reminder(
        phone=progress.phone, step=step.name, due_at=last_message + step.after, sent_at=now,
        channel="text" if inside else "template", text=text, template=name,
        content_sid=sid, content_variables=variables,
    )  # fmt: skip


def _values(
    progress: Progress, sessions: list[TrainingSession], language: str, default: str
) -> dict[str, object]:
    """The placeholders with the session heading (and the stand-in name) in `language`."""
    with use_language(language, default):
        return placeholders(progress, [localized(s, language, default) for s in sessions])


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
