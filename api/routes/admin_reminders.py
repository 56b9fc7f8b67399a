"""Admin API for reminders: what each partner got, per-step results, time zones, a preview."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field, field_validator

from agent.reminder_runner import ReminderScheduler
from agent.reminder_schedule import ReminderPolicy, load_schedule
from agent.reminder_stats import SentReminder, StepStats, step_stats, with_return
from agent.reminders import Decision, partner_timezone
from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.deps import (
    AdminDep,
    AdminStoreDep,
    PartnerPhoneDep,
    ReminderStoreDep,
    SettingsDep,
    StoreDep,
)
from store.audit import partner_tag, record
from store.models import ProgressUpdate, utcnow

log = logging.getLogger("genie.admin")
router = APIRouter(
    prefix="/api/admin",
    tags=["admin: reminders"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)


class ReminderSummary(BaseModel):
    """Per-step results over the last `days` days, and how many partners opted out."""

    since: datetime
    steps: list[StepStats]
    opted_out: int


class TimezoneBody(BaseModel):
    """An IANA time zone for the partner's quiet hours; null goes back to the phone's."""

    timezone: str | None = Field(default=None, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return ZoneInfo(value.strip()).key
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from exc


class TimezoneOut(BaseModel):
    """The partner's time zone setting and the zone their quiet hours follow."""

    phone: str
    timezone: str | None
    effective: str


@router.get("/partners/{phone}/reminders")
def partner_reminders(phone: PartnerPhoneDep, reminders: ReminderStoreDep) -> list[SentReminder]:
    """Every reminder the partner got (step, time, text or template, status), oldest first,
    with when they next wrote."""
    return [with_return(reminders, r) for r in reminders.reminders_for(phone)]


@router.get("/reminders/summary")
def reminder_summary(
    reminders: ReminderStoreDep,
    store: StoreDep,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> ReminderSummary:
    """Per schedule step: sent, as templates, refused texts, failures, and how many partners
    wrote again within 48 hours."""
    now = utcnow()
    since = now - timedelta(days=days)
    steps = [s.name for s in load_schedule()]
    opted_out = sum(p.opted_out for p in store.list_progress())
    return ReminderSummary(
        since=since, steps=step_stats(reminders, steps, now, since), opted_out=opted_out
    )


@router.put("/partners/{phone}/timezone", responses={404: {"description": "Unknown partner"}})
def set_timezone(
    phone: PartnerPhoneDep,
    body: TimezoneBody,
    store: StoreDep,
    settings: SettingsDep,
    admin: AdminDep,
    admin_store: AdminStoreDep,
) -> TimezoneOut:
    """Override the time zone derived from the phone number (quiet hours follow it)."""
    before = store.get_progress(phone)
    if before is None:
        raise HTTPException(status_code=404, detail="partner not found")
    progress = store.update_progress(phone, ProgressUpdate(timezone=body.timezone))
    log.info("time zone of a partner set to %s by %s", body.timezone, admin.name)
    name = partner_tag(phone, settings.log_fingerprint_secret)
    record(admin_store, admin.name, "partner.timezone", name, phone,
           old=before.timezone, new=body.timezone)  # fmt: skip
    effective = partner_timezone(progress, settings.reminder_default_timezone).key
    return TimezoneOut(phone=phone, timezone=progress.timezone, effective=effective)


@router.get("/reminders/preview")
def reminder_preview(
    request: Request, settings: SettingsDep, store: StoreDep, reminders: ReminderStoreDep
) -> list[Decision]:
    """What a scheduler pass would do right now for every partner (records and sends nothing)."""
    scheduler: ReminderScheduler | None = getattr(request.app.state, "reminder_scheduler", None)
    if scheduler is None:
        raise HTTPException(status_code=503, detail="reminders are not set up (see the logs)")
    policy = ReminderPolicy.from_settings(settings)
    preview = ReminderScheduler(store, reminders, scheduler.outbox, load_schedule(), policy,
                                scheduler.clock)  # fmt: skip
    return preview.run_once(dry_run=True).decisions
