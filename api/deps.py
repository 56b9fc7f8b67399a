"""FastAPI dependencies: settings, store and engine, overridable in tests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from agent.engine import Engine
from agent.settings import Settings
from store.base import TrainingStore


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> TrainingStore:
    """The app's store."""
    store: TrainingStore = request.app.state.store
    return store


def get_engine(request: Request) -> Engine:
    """The app's conversation engine."""
    engine: Engine = request.app.state.engine
    return engine


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[TrainingStore, Depends(get_store)]
EngineDep = Annotated[Engine, Depends(get_engine)]
