"""LeanEntryApp: lean routes skip FastAPI's generic layers but keep the app's middleware,
its exception handlers, the 500 answer and the router as a fallback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import get_messaging
from api.lean_entry import LeanEntryApp
from tests.whatsapp_helpers import WEBHOOK, post_signed, start_app, twilio_form


class PathRecorder:
    """A user middleware that notes the path of every HTTP request it sees."""

    def __init__(self, app: ASGIApp, seen: list[str]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append(scope["path"])
        await self.app(scope, receive, send)


async def hook(request: Request) -> Response:
    """Answers, or fails as the x-fail header says."""
    fail = request.headers.get("x-fail")
    if fail == "http":
        raise HTTPException(418, "a teapot")
    if fail == "crash":
        raise RuntimeError("boom")
    return PlainTextResponse("app" if request.app.state.marker == "set" else "?")


def lean_app(seen: list[str]) -> LeanEntryApp:
    app = LeanEntryApp()
    app.state.marker = "set"
    app.add_lean_route(Route("/hook", hook, methods=["POST"]))
    app.add_middleware(PathRecorder, seen=seen)
    return app


def test_a_lean_route_is_served_from_its_table_behind_the_app_middleware() -> None:
    seen: list[str] = []
    app = lean_app(seen)
    app.router.routes.clear()  # only the lean table can answer the POST now
    client = TestClient(app)
    response = client.post("/hook")
    assert response.status_code == 200 and response.text == "app"
    assert client.get("/hook").status_code == 404  # the router, which has nothing
    assert seen == ["/hook", "/hook"]


def test_other_methods_on_a_lean_path_get_the_routers_405() -> None:
    client = TestClient(lean_app([]))
    assert client.get("/hook").status_code == 405


def test_http_errors_use_the_apps_exception_handlers() -> None:
    response = TestClient(lean_app([])).post("/hook", headers={"x-fail": "http"})
    assert response.status_code == 418 and response.json() == {"detail": "a teapot"}
    app = lean_app([])

    @app.exception_handler(StarletteHTTPException)
    async def own_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

    response = TestClient(app).post("/hook", headers={"x-fail": "http"})
    assert response.status_code == 418 and response.json() == {"error": "a teapot"}


def test_a_crash_gets_a_plain_500_and_still_reaches_the_server() -> None:
    client = TestClient(lean_app([]), raise_server_exceptions=False)
    response = client.post("/hook", headers={"x-fail": "crash"})
    assert response.status_code == 500 and response.text == "Internal Server Error"
    with pytest.raises(RuntimeError, match="boom"):
        TestClient(lean_app([])).post("/hook", headers={"x-fail": "crash"})


def test_only_fixed_path_async_routes_can_be_lean() -> None:
    app = LeanEntryApp()
    with pytest.raises(ValueError, match="fixed path"):
        app.add_lean_route(Route("/hook/{sid}", hook, methods=["POST"]))
    with pytest.raises(ValueError, match="is async"):
        app.add_lean_route(Route("/sync", lambda request: Response(), methods=["POST"]))


def test_no_middleware_or_lean_route_after_a_lean_request_started_the_app() -> None:
    app = lean_app([])
    assert TestClient(app).post("/hook").status_code == 200
    with pytest.raises(RuntimeError):
        app.add_middleware(PathRecorder, seen=[])
    with pytest.raises(RuntimeError):
        app.add_lean_route(Route("/other", hook, methods=["POST"]))


# -- the real app: a crash in the webhook is still a 500 on the request's one log line --
def test_a_crashing_webhook_answers_500_and_logs_its_request_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = start_app(tmp_path)
    with TestClient(client.app, raise_server_exceptions=False) as quiet:
        app = quiet.app
        assert isinstance(app, LeanEntryApp) and ("POST", WEBHOOK) in app.lean_endpoints

        def broken() -> None:
            raise RuntimeError("the inbox is gone")

        app.dependency_overrides[get_messaging] = broken
        with caplog.at_level(logging.INFO, logger="genie.http"):
            response = post_signed(quiet, twilio_form("+919876543210", "menu"))
    assert response.status_code == 500 and response.text == "Internal Server Error"
    lines = [r for r in caplog.records if r.getMessage().startswith(f"POST {WEBHOOK} -> 500")]
    assert len(lines) == 1 and getattr(lines[0], "status", None) == 500
