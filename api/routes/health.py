"""Liveness and readiness checks."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(store: StoreDep) -> dict[str, object] | JSONResponse:
    """The store answers; 503 otherwise."""
    if store.ping():
        return {"status": "ready", "store": True}
    return JSONResponse({"status": "unavailable", "store": False}, status_code=503)
