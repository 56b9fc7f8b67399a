"""The admin activity log: who changed content or acted on a partner, when, and what."""

from __future__ import annotations

import getpass
import hashlib
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from store.models import utcnow

# action names: "<area>.<verb>"; the dashboard groups the list by area.
CONTENT_ACTIONS = ("create", "update", "delete", "restore", "reorder", "load")
PARTNER_ACTIONS = ("reset", "erase", "language", "timezone")


class AuditEntry(BaseModel):
    """One recorded admin action. `phone` names the partner acted on (erased with them)."""

    id: str | None = None
    at: datetime = Field(default_factory=utcnow)
    who: str = Field(min_length=1, max_length=100)
    action: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$", max_length=60)
    target: str | None = Field(default=None, max_length=200)
    phone: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class AuditLog(Protocol):
    """Where audit entries go (both AdminStores implement it)."""

    def record_audit(self, entry: AuditEntry) -> AuditEntry:
        """Save one entry and return it with its id."""
        ...

    def list_audit(
        self, limit: int = 100, offset: int = 0, area: str | None = None
    ) -> list[AuditEntry]:
        """Entries newest first; only one area's ("content", "partner") when given."""
        ...


def fingerprint(phone: str) -> str:
    """A short one-way tag for a phone, for records that must outlive the partner's erasure."""
    return hashlib.sha256(phone.encode()).hexdigest()[:10]


def cli_user() -> str:
    """Who runs a CLI command: 'cli:<login name>'."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name in containers without a passwd entry
        name = "unknown"
    return f"cli:{name}"[:100]


def record(
    log: AuditLog,
    who: str,
    action: str,
    target: str | None = None,
    phone: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Record one admin action in the activity log."""
    entry = AuditEntry(who=who, action=action, target=target, phone=phone, detail=detail)
    return log.record_audit(entry)
