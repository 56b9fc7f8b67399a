"""Admin API for the overview: who is signed in, and the analytics the dashboard charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.deps import AdminDep, AdminStoreDep
from store.admin_models import Analytics
from store.models import utcnow

router = APIRouter(
    prefix="/api/admin",
    tags=["admin: analytics"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)


class Me(BaseModel):
    """The admin the token belongs to."""

    name: str


@router.get("/me")
def me(admin: AdminDep) -> Me:
    """Check a token: the admin's name (used by the dashboard's sign-in)."""
    return Me(name=admin.name)


@router.get("/analytics")
def analytics(
    admin_store: AdminStoreDep,
    stalled_days: Annotated[int, Query(ge=1, le=365)] = 7,
    top: Annotated[int, Query(ge=1, le=50, description="How many top questions")] = 10,
) -> Analytics:
    """Enrolled, active (24 h, 7 days), completion rate, median time to complete, the funnel and
    drop-off per session, questions per session, the most asked ones and the LLM fallback rate."""
    return admin_store.analytics(utcnow(), stalled_days, top)
