"""Refuse request bodies over a size limit before anything parses them (413)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ADMIN_PREFIX = "/api/admin/"
UPLOAD_PATH = "/api/admin/media"  # the route checks each media kind's own WhatsApp limit
MULTIPART_SLACK = 1024 * 1024  # form boundaries and headers around an uploaded file


def too_large(limit: int) -> str:
    """The 413 message: what the limit is."""
    return f"request body too large: the limit for this route is {limit} bytes"


class BodyLimitMiddleware:
    """Checks Content-Length, then counts the bytes actually streamed (chunked bodies have none).

    Pure ASGI, so nothing is buffered: an oversized body is refused before form or JSON
    parsing allocates anything for it. Admin routes get their own (larger) limit, and media
    uploads the largest WhatsApp media size (the upload route, streaming, checks each kind's).
    """

    def __init__(
        self, app: ASGIApp, default_limit: int, admin_limit: int, upload_limit: int
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.admin_limit = admin_limit
        self.upload_limit = upload_limit + MULTIPART_SLACK

    def limit_for(self, path: str) -> int:
        """The body limit for a request path."""
        if path == UPLOAD_PATH:
            return self.upload_limit
        return self.admin_limit if path.startswith(ADMIN_PREFIX) else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse at once on a large Content-Length, or as soon as the streamed bytes pass it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(limit, scope, receive, send)
            return
        received, started = 0, False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException reaches FastAPI's handlers as a 413 (not a parse error).
                    raise HTTPException(413, too_large(limit))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except HTTPException as exc:
            if exc.status_code != 413 or started:
                raise
            await _refuse(limit, scope, receive, send)


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    # Connection: close, so the client stops sending the rest of the body.
    response = JSONResponse(
        {"detail": too_large(limit)}, status_code=413, headers={"Connection": "close"}
    )
    await response(scope, receive, send)
