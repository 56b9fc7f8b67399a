"""A scripted OpenAI-compatible HTTP server (chat completions and deterministic embeddings),
with latency and fault knobs."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from evals.fakes.embeddings import EMBEDDINGS_PATH, embeddings_body
from evals.fakes.http_base import QuietThreadingServer
from evals.fakes.openai_replies import (  # re-exported: tests build replies from here
    Reply,
    completion_body,
    delay,
    error,
    text,
    tool_call,
    tool_calls,
)  # fmt: skip

__all__ = ["CHAT_PATH", "FakeOpenAI", "Reply", "Responder", "delay", "error", "text",
           "tool_call", "tool_calls"]  # fmt: skip

CHAT_PATH = "/v1/chat/completions"
Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class _Script:
    """State shared between the test and the request-handler threads."""

    default: Reply = field(default_factory=lambda: text("ok"))
    responder: Responder | None = None
    latency_s: float = 0.0
    fault: Reply | None = None
    fault_until: float = 0.0
    queue: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    embedding_requests: list[dict[str, Any]] = field(default_factory=list)
    usages: list[dict[str, int]] = field(default_factory=list)
    closing: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: dict[str, Any]) -> tuple[int, Reply | None]:
        """Record a request: its number and the queued or fault reply to play, if any."""
        with self.lock:
            self.requests.append(request)
            if self.queue:
                return len(self.requests), self.queue.popleft()
            if self.fault is not None and time.monotonic() < self.fault_until:
                return len(self.requests), self.fault
            return len(self.requests), None

    def computed_reply(self, request: dict[str, Any]) -> Reply:
        """The responder's answer, else the default."""
        # The responder may be slow (it classifies text): run it outside the lock.
        return self.responder(request) if self.responder else self.default


class _Handler(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions from the script and /v1/embeddings with hashed
    vectors; everything else is 404."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the real API: no connection per request
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the client's
    # delayed ACK would add ~40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    script: _Script  # set on a per-server subclass

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """No GET endpoints exist."""
        self._send_json(404, {"error": {"message": "not found", "type": "not_found"}})

    def do_POST(self) -> None:
        """Record the request body, then play the next scripted reply."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == EMBEDDINGS_PATH:
            self._embeddings(raw)
            return
        if path != CHAT_PATH:
            self._send_json(404, {"error": {"message": "not found", "type": "not_found"}})
            return
        try:
            request = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, {"error": {"message": "invalid JSON", "type": "invalid_request"}})
            return
        script = self.script
        number, reply = script.record(request)
        reply = reply or script.computed_reply(request)
        latency = script.latency_s
        # An Event wait (not sleep) so closing the server frees delayed handlers at once.
        if latency and script.closing.wait(latency):
            return
        while reply.then is not None:
            if script.closing.wait(reply.delay_seconds):
                return
            reply = reply.then
        if reply.status >= 400:
            body = {"error": {"message": reply.content, "type": "server_error", "code": None}}
            self._send_json(reply.status, body)
            return
        answer = completion_body(reply, request, number)
        with script.lock:
            script.usages.append({**answer["usage"], "request": number})
        self._send_json(200, answer)

    def _embeddings(self, raw: bytes) -> None:
        """Answer POST /v1/embeddings with deterministic vectors (or the injected fault)."""
        try:
            request = json.loads(raw or b"{}")
            body = embeddings_body(request)
        except (json.JSONDecodeError, ValueError) as exc:
            self._send_json(400, {"error": {"message": str(exc), "type": "invalid_request"}})
            return
        script = self.script
        with script.lock:
            script.embedding_requests.append(request)
            fault = script.fault if time.monotonic() < script.fault_until else None
        if fault is not None and fault.status >= 400:
            self._send_json(fault.status, {"error": {"message": fault.content, "type": "error"}})
            return
        self._send_json(200, body)

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out); nothing left to tell it


class FakeOpenAI:
    """Context manager running the fake server on 127.0.0.1 with an ephemeral port."""

    def __init__(
        self,
        default: Reply | None = None,
        *,
        latency_s: float = 0.0,
        responder: Responder | None = None,
    ) -> None:
        """Prepare the server.

        ``default`` answers when the queue is empty (text "ok"); a ``responder`` replaces it
        with an answer computed from each request. ``latency_s`` delays every answer.
        """
        self._script = _Script(default=default or text("ok"), responder=responder)
        self._script.latency_s = latency_s
        handler = type("ScriptedHandler", (_Handler,), {"script": self._script})
        self._server = QuietThreadingServer(("127.0.0.1", 0), handler)
        # A short poll interval keeps shutdown (and so each test) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The OpenAI base URL to give a client, ending in /v1."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Parsed JSON bodies of the chat-completion requests received, in order."""
        return self._script.requests

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        """Parsed JSON bodies of the /v1/embeddings requests received, in order."""
        return self._script.embedding_requests

    @property
    def usages(self) -> list[dict[str, int]]:
        """Usage of every successful answer: prompt, completion and total tokens, and the
        1-based number of the request it answered (an index into ``requests`` plus one)."""
        with self._script.lock:
            return list(self._script.usages)

    @property
    def default(self) -> Reply:
        """The reply used when no scripted reply is queued."""
        return self._script.default

    @default.setter
    def default(self, reply: Reply) -> None:
        self._script.default = reply

    def enqueue(self, *replies: Reply) -> None:
        """Queue replies, consumed one per request in order."""
        with self._script.lock:
            self._script.queue.extend(replies)

    def inject(self, reply: Reply, seconds: float) -> None:
        """For the next ``seconds``, answer every unqueued request with ``reply`` (a fault)."""
        with self._script.lock:
            self._script.fault = reply
            self._script.fault_until = time.monotonic() + seconds

    def __enter__(self) -> FakeOpenAI:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop serving and release the port."""
        self._script.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
