"""Liveness and readiness checks."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep, MessagingDep, SenderDep, SettingsDep, StoreDep
from api.whatsapp.lifecycle import missing_twilio_settings, sender_kind

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(
    store: StoreDep,
    messaging: MessagingDep,
    sender: SenderDep,
    settings: SettingsDep,
    engine: EngineDep,
) -> dict[str, object] | JSONResponse:
    """The store answers, the sender is configured (fully, or not at all) and the content is
    not being embedded (a question would wait for it); 503 otherwise."""
    store_ok = await run_in_threadpool(store.ping)
    messaging_ok = await run_in_threadpool(messaging.ping)
    missing = missing_twilio_settings(settings)
    body: dict[str, object] = {
        "store": store_ok and messaging_ok,
        "sender": sender_kind(sender),
        "sender_configured": not missing,
        "signature_validation": settings.twilio_validate_signature,
        "content_embedding": engine.knowledge.warming,
    }
    if missing:
        body["missing_settings"] = missing
    if store_ok and messaging_ok and not missing and not engine.knowledge.warming:
        return {"status": "ready", **body}
    return JSONResponse({"status": "unavailable", **body}, status_code=503)
