"""The FastAPI application: routers per area, shared state built once at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from agent.bootstrap import build_engine
from agent.certificates.publish import resume_publishing
from agent.engine import Engine
from agent.settings import Settings, get_settings
from api.body_limit import BodyLimitMiddleware
from api.lean_entry import LeanEntryApp
from api.logging_setup import RequestIdMiddleware
from api.reminders.loop import start_reminders, stop_reminders
from api.routes import certificates, dev, health, media, messages, twilio
from api.routes.admin import ADMIN_ROUTERS
from api.whatsapp.lifecycle import start_whatsapp, stop_whatsapp
from api.whatsapp.sender import Sender
from store.base import TrainingStore
from store.factory import open_store
from store.kb_media import SIZE_LIMITS
from store.messaging import MessagingStore


def create_app(
    settings: Settings | None = None,
    store: TrainingStore | None = None,
    engine: Engine | None = None,
    sender: Sender | None = None,
    messaging: MessagingStore | None = None,
) -> FastAPI:
    """Build the app; tests pass their own settings, store, engine, sender or messaging store."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = store or open_store(settings)
        app.state.engine = engine or build_engine(settings, app.state.store)
        start_whatsapp(app.state, settings, sender, messaging)
        start_reminders(app.state, settings)
        resume_publishing(app.state.store, app.state.engine)
        yield
        stop_reminders(app.state)
        stop_whatsapp(app.state)
        if store is None:
            app.state.store.close()

    app = LeanEntryApp(title="Genie", version="0.1.0", lifespan=lifespan)
    for route in twilio.routes:  # the busiest routes: past FastAPI's generic layers (lean_entry)
        app.add_lean_route(route)
    app.include_router(health.router)
    app.include_router(messages.router)
    app.include_router(dev.router)
    app.include_router(media.router)
    app.include_router(certificates.router)
    for admin_router in ADMIN_ROUTERS:
        app.include_router(admin_router)
    # Added last = runs first: forwarded headers, then the request id, then the body limit.
    # The lean entry of the Twilio webhooks runs this same list (api/lean_entry.py).
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        admin_limit=settings.admin_max_body_bytes,
        upload_limit=max(SIZE_LIMITS.values()),
    )
    app.add_middleware(RequestIdMiddleware)
    if settings.trusted_proxies:
        # The server itself runs with proxy_headers=False (see SERVER_OPTIONS): only the
        # configured proxies may set the client address and scheme.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


# uvicorn options for every server that runs this app: uvicorn's own default believes
# X-Forwarded-For from 127.0.0.1, which lets anyone on the host pick their address; its access
# log repeats RequestIdMiddleware's line (and costs CPU per request even when filtered out).
# httptools and uvloop come with uvicorn[standard] and are picked automatically.
SERVER_OPTIONS: dict[str, object] = {"proxy_headers": False, "access_log": False}
