"""`genie serve`: run the HTTP service."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from agent.settings import Settings, get_settings


def apply_gil_switch_interval(settings: Settings) -> float:
    """Set how long a thread keeps the GIL (GIL_SWITCH_INTERVAL_MS); the seconds set."""
    seconds = settings.gil_switch_interval_ms / 1000
    sys.setswitchinterval(seconds)
    return seconds


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Start the HTTP service (webhook, JSON message endpoint, health checks)."""
    import uvicorn

    from api.main import SERVER_OPTIONS

    settings = get_settings()
    apply_gil_switch_interval(settings)
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        **SERVER_OPTIONS,  # type: ignore[arg-type]
    )
