"""Structured JSON logs with request ids; phone numbers masked to their last 4 digits."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
log = logging.getLogger("genie.http")
NOTES = "genie.log_notes"  # scope key: what a route adds to its request's log line

_PHONE = re.compile(r"\+\d{6,15}(?!\d)")
# A path segment that is a phone, as admin routes take it: +91..., 91..., whatsapp:+91...
_PATH_PHONE = re.compile(r"(?<=/)(?:whatsapp(?::|%3A))?(?:\+|%2B)?\d{6,15}(?=/|$)", re.IGNORECASE)
_SAFE_ID = re.compile(r"^[\w.-]{1,64}$")
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured copy of msg
}


def mask_phone(phone: str | None) -> str:
    """Only the last 4 digits: "whatsapp:+919876543210" -> "***3210"."""
    digits = re.sub(r"\D", "", phone or "")
    return f"***{digits[-4:]}" if digits else "***"


def mask_phones(text: str) -> str:
    """Mask every E.164 number in a text (a safety net for log lines written elsewhere)."""
    return _PHONE.sub(lambda match: mask_phone(match.group()), text)


def mask_path(path: str) -> str:
    """A request path with phone segments masked: /api/admin/partners/***0100/transcript."""
    return _PATH_PHONE.sub(lambda match: mask_phone(match.group()), path)


@contextmanager
def log_context(request_id: str) -> Iterator[None]:
    """Tag log lines written inside the block (e.g. background work for one message)."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON, phone numbers masked."""
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_phones(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            payload["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in payload:
                payload[key] = mask_phones(value) if isinstance(value, str) else value
        if record.exc_info:
            payload["exc"] = mask_phones(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class MaskingTextFormatter(logging.Formatter):
    """Plain text lines for humans, phone numbers masked all the same."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as text with a request id, phone numbers masked."""
        request_id = request_id_var.get()
        text = super().format(record)
        return mask_phones(f"{text} [{request_id}]" if request_id else text)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        """The current sys.stderr."""
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """Ignored: the stream is always the current sys.stderr."""


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send every log line (uvicorn's too) through one masking handler on stderr; idempotent."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        root.addHandler(handler)
    text = MaskingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(JsonFormatter() if fmt == "json" else text)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # RequestIdMiddleware logs every request with its id and duration; uvicorn's line repeats it.
    # Without a handler (none, none inherited) uvicorn skips building its line altogether.
    access = logging.getLogger("uvicorn.access")
    access.setLevel(logging.WARNING)
    access.propagate = False
    # The twilio client logs about eleven INFO lines per send (method, URL, headers, status);
    # the outbox already logs each send's outcome, so keep them for DEBUG only.
    twilio_level = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    logging.getLogger("twilio.http_client").setLevel(twilio_level)


def note_on_request_line(scope: Scope, note: str, logger: logging.Logger) -> None:
    """Append `note` to the request's one INFO line (a busy route logs one line, not two);
    without RequestIdMiddleware in front, `logger` writes it at INFO on its own."""
    notes: list[str] | None = scope.get(NOTES)
    if notes is None:
        logger.info("%s", note)
    else:
        notes.append(note)


class RequestIdMiddleware:
    """Give each HTTP request an id (X-Request-Id in or new), log it with status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its id in the logging context and the response headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        request_id = given.decode("latin-1")
        if not _SAFE_ID.match(request_id):
            request_id = os.urandom(8).hex()
        id_header = (b"x-request-id", request_id.encode())
        started, status = time.perf_counter(), 500
        notes: list[str] = []
        scope[NOTES] = notes

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        with log_context(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                self._log(scope, status, started, notes)

    @staticmethod
    def _log(scope: Scope, status: int, started: float, notes: list[str]) -> None:
        """One line per request: method, masked path, status, duration and the route's notes."""
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        path = scope["path"]
        # Probes and chat polling would drown the useful lines at INFO.
        quiet = path in ("/healthz", "/readyz") or path.startswith("/api/dev/")
        level = logging.DEBUG if quiet and status < 400 else logging.INFO
        if not log.isEnabledFor(level):
            return
        note = f": {'; '.join(notes)}" if notes else ""
        log.log(
            level, "%s %s -> %s in %s ms%s", scope["method"], mask_path(path), status,
            elapsed_ms, note, extra={"status": status, "duration_ms": elapsed_ms},
        )  # fmt: skip
