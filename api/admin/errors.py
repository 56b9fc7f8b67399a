"""Admin routes answer 503 (not 500) when the database is unreachable."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from store.base import StoreUnavailable

log = logging.getLogger("genie.admin")


class StoreErrorsRoute(APIRoute):
    """An APIRoute turning StoreUnavailable into 503 with a Retry-After hint."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The normal handler, wrapped."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except StoreUnavailable as exc:
                log.error("admin %s %s: %s", request.method, request.url.path, exc)
                detail = {"detail": "The database is unavailable; try again shortly."}
                return JSONResponse(detail, status_code=503, headers={"Retry-After": "5"})

        return handle
