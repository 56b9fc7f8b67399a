"""The admin activity log: who changed content or acted on a partner, when, and what."""

from __future__ import annotations

import getpass
import hashlib
import hmac
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


def partner_tag(phone: str, secret: str | None) -> str:
    """How a record that must outlive the partner (a log line, the activity list) names them:
    an HMAC of the number keyed with a server secret (LOG_FINGERPRINT_SECRET), so entries
    about one partner can be matched, or nothing at all without one. A plain hash would not
    do: every phone number can be hashed in under a second."""
    if not secret:
        return "a partner"
    bare = phone.strip().removeprefix("whatsapp:").lstrip("+")
    digest = hmac.new(secret.encode(), bare.encode(), hashlib.sha256).hexdigest()
    return f"partner fp:{digest[:16]}"


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
