"""The FastAPI application: routers per area, shared state built once at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agent.bootstrap import build_engine
from agent.engine import Engine
from agent.settings import Settings, get_settings
from api.routes import health, messages
from store.base import TrainingStore
from store.factory import open_store


def create_app(
    settings: Settings | None = None,
    store: TrainingStore | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    """Build the app; tests pass their own settings, store or engine."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = store or open_store(settings)
        app.state.engine = engine or build_engine(settings, app.state.store)
        yield
        if store is None:
            app.state.store.close()

    app = FastAPI(title="Genie", version="0.1.0", lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(messages.router)
    return app
