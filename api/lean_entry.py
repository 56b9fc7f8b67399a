"""A FastAPI app whose busiest plain routes (the Twilio webhooks) skip FastAPI's generic layers.

A request whose method and exact path belong to a lean route runs as

    ServerErrorMiddleware -> the app's own middleware (app.add_middleware: forwarded headers,
    request id, body limit) -> ExceptionMiddleware (the app's handlers) -> the endpoint

so it keeps the same 500 answer, request-id line, body limit and HTTPException answers (415,
403, 413 ... as JSON) as any route, from the same middleware objects' classes and settings:
what applies to every request stays declared once, in create_app. It skips FastAPI's per-request
telemetry check and ExceptionTelemetryMiddleware (so these routes are not traced or metered
by FastAPI's native OpenTelemetry support), AppBodyLimitMiddleware (FastAPI's own
max_body_size, which Genie leaves unset: BodyLimitMiddleware does that job),
AsyncExitStackMiddleware (no FastAPI dependencies run here) and the router's scan of every
route. Every other request, and any the lean table does not match exactly (another method, a
path under a root_path), goes through FastAPI as before: the lean routes are in the router too.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

SERVER_ERRORS = (500, Exception)
Endpoint = Callable[[Request], Awaitable[Response]]


class LeanEntryApp(FastAPI):
    """FastAPI, with a table of (method, path) -> endpoint served by a shorter ASGI stack."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lean_endpoints: dict[tuple[str, str], Endpoint] = {}
        self._lean_stack: ASGIApp | None = None

    def add_lean_route(self, route: Route) -> None:
        """Serve `route` (a plain async Starlette route, fixed path) on the lean entry; it is
        added to the router as well (not in the OpenAPI schema), for what the table misses."""
        if route.param_convertors or not inspect.iscoroutinefunction(route.endpoint):
            raise ValueError(f"a lean route is async with a fixed path: not {route.path!r}")
        if self.middleware_stack is not None:
            raise RuntimeError("cannot add a lean route after the app has started")
        for method in route.methods or ():
            self.lean_endpoints[(method, route.path)] = route.endpoint  # type: ignore[assignment]
        self.router.add_route(route.path, route.endpoint, route.methods, route.name, False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Lean routes straight to their stack, everything else to FastAPI."""
        if scope["type"] == "http":
            endpoint = self.lean_endpoints.get((scope["method"], scope["path"]))
            if endpoint is not None:
                if self.middleware_stack is None:
                    self.middleware_stack = self.build_middleware_stack()
                scope["app"] = self  # what Starlette sets: request.app, dependency overrides
                scope["endpoint"] = endpoint
                await self._lean_stack(scope, receive, send)  # type: ignore[misc]
                return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        """FastAPI's stack, and the lean one built at the same moment from the same middleware
        list (so add_middleware after start-up is refused for both, as Starlette does)."""
        # Split as FastAPI splits them: 500/Exception for ServerErrorMiddleware, the rest inside.
        handlers = {k: v for k, v in self.exception_handlers.items() if k not in SERVER_ERRORS}
        errors = [v for k, v in self.exception_handlers.items() if k in SERVER_ERRORS]
        error_handler = errors[-1] if errors else None
        app: ASGIApp = ExceptionMiddleware(_run_endpoint, handlers=handlers, debug=self.debug)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        self._lean_stack = ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)
        return super().build_middleware_stack()


async def _run_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """Call the matched endpoint and send its response (what a Route does, minus the scan)."""
    response = await scope["endpoint"](Request(scope, receive, send))
    await response(scope, receive, send)
