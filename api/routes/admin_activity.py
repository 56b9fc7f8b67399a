"""Admin API for the activity list: every content change and every action on a partner."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.deps import AdminStoreDep
from store.audit import AuditEntry

router = APIRouter(
    prefix="/api/admin",
    tags=["admin: activity"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)


@router.get("/activity")
def activity(
    admin_store: AdminStoreDep,
    area: Annotated[Literal["content", "partner"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEntry]:
    """Who changed what, newest first: content edits, restores and `genie kb load` runs, and
    partner resets, erasures and language or time-zone changes (token name or cli:<user>)."""
    return admin_store.list_audit(limit, offset, area)
