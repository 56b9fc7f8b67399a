"""The admin side of storage: content versions, partner lists, erasure, analytics, audit."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol, runtime_checkable

from store.admin_models import Analytics, ContentVersion
from store.audit import AuditLog
from store.models import ChatEntry
from store.partner_list import PartnerPage, PartnerQuery, PartnerSummary

WHATSAPP_PREFIX = "whatsapp:"


def erase_variants(phone: str) -> list[object]:
    """Every way a phone may be stored: as given, with/without '+', 'whatsapp:' or as a number."""
    bare = phone.strip().removeprefix(WHATSAPP_PREFIX).removeprefix("+")
    variants: list[object] = list(
        dict.fromkeys([phone, bare, f"+{bare}", f"{WHATSAPP_PREFIX}+{bare}"])
    )
    if bare.isdigit():
        variants.append(int(bare))  # spreadsheet imports store numbers
    return variants


def per_phone_key(variants: list[object]) -> re.Pattern[str]:
    """Keys such as a lease's "inbox:+9198..." that name the phone after a "<kind>:" prefix."""
    phones = "|".join(re.escape(str(v)) for v in variants if isinstance(v, str))
    return re.compile(rf"^[A-Za-z_]+:(?:{phones})$")


@runtime_checkable
class AdminStore(AuditLog, Protocol):
    """Admin queries over the same database as the TrainingStore it was built from."""

    # -- content versions --
    def record_version(self, version: ContentVersion) -> ContentVersion:
        """Save one content change and return it with its id."""
        ...

    def list_versions(self, s_no: int | None = None, limit: int = 50) -> list[ContentVersion]:
        """The latest changes, newest first; one session's when s_no is given."""
        ...

    def get_version(self, version_id: str) -> ContentVersion | None:
        """One change by id, or None."""
        ...

    # -- partners --
    def partners(self, now: datetime, paused_days: int = 7) -> list[PartnerSummary]:
        """Everyone with progress or partner messages, with activity and status (unsorted)."""
        ...

    def list_partners(self, query: PartnerQuery) -> PartnerPage:
        """Partners matching the query (status, search), sorted and paged, with chat activity."""
        ...

    def lead_dates(self) -> dict[str, datetime | None]:
        """Every lead's phone (GMT_Leads / leads) with its creation date when the record has one."""
        ...

    def question_lines(self, since: datetime | None = None) -> list[ChatEntry]:
        """Chat lines of question turns (partner and Genie) from `since` on, in stored order."""
        ...

    def renumber_sessions(self, mapping: dict[int, int]) -> None:
        """Move partners' progress and chat lines from old to new session numbers."""
        ...

    def fit_progress_to_sessions(self, numbers: list[int]) -> int:
        """Apply `fit_progress` to every partner after the content changed to `numbers`;
        returns how many partners changed. Nobody's last_updated moves."""
        ...

    def erase_partner(self, phone: str) -> dict[str, int]:
        """Delete every record about the phone in every table/collection (also per-phone keys
        such as WhatsApp leases); counts per name. SQLite also rewrites the freed pages."""
        ...

    # -- analytics --
    def analytics(self, now: datetime, stalled_days: int = 7, top: int = 10) -> Analytics:
        """Enrolment, activity, completion, the per-session funnel and the most asked questions."""
        ...
