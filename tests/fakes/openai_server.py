"""A scripted OpenAI-compatible chat-completions HTTP server for tests."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agent.tokens import count_message_tokens, count_tokens

CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a chat message, an HTTP error, or a delay before another reply."""

    content: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    status: int = 200
    delay_seconds: float = 0.0
    then: Reply | None = None


def text(content: str) -> Reply:
    """Reply with an assistant text message."""
    return Reply(content=content)


def tool_call(name: str, args: dict[str, Any] | str, call_id: str | None = None) -> Reply:
    """Reply with one tool call; a str ``args`` is sent verbatim (e.g. malformed JSON)."""
    arguments = args if isinstance(args, str) else json.dumps(args)
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    return Reply(tool_calls=(call,))


def tool_calls(*calls: Reply) -> Reply:
    """Merge several ``tool_call`` replies into one parallel tool-call reply."""
    return Reply(tool_calls=tuple(c for reply in calls for c in reply.tool_calls))


def error(status: int = 500, message: str = "fake server error") -> Reply:
    """Reply with an HTTP error status and an OpenAI-style error body."""
    return Reply(content=message, status=status)


def delay(seconds: float, then: Reply | None = None) -> Reply:
    """Wait ``seconds`` before answering with ``then`` (default: text "ok"), to force timeouts."""
    return Reply(delay_seconds=seconds, then=then or text("ok"))


def _completion_body(reply: Reply, request: dict[str, Any], number: int) -> dict[str, Any]:
    """Build a chat.completion response with usage counted by the real tokenizer."""
    model = str(request.get("model") or "gpt-4o-mini")
    calls = [
        {**call, "id": call["id"] or f"call_{number}_{index}"}
        for index, call in enumerate(reply.tool_calls)
    ]
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if calls:
        message["tool_calls"] = calls
    prompt_tokens = count_message_tokens(request.get("messages") or [], model)
    completion_text = [reply.content or ""] + [c["function"]["arguments"] for c in calls]
    completion_tokens = sum(count_tokens(part, model) for part in completion_text)
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@dataclass
class _Script:
    """State shared between the test and the request-handler threads."""

    default: Reply = field(default_factory=lambda: text("ok"))
    queue: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    closing: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions from the script; everything else is 404."""

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
        if self.path.split("?", 1)[0].rstrip("/") != CHAT_PATH:
            self._send_json(404, {"error": {"message": "not found", "type": "not_found"}})
            return
        try:
            request = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, {"error": {"message": "invalid JSON", "type": "invalid_request"}})
            return
        with self.script.lock:
            self.script.requests.append(request)
            number = len(self.script.requests)
            reply = self.script.queue.popleft() if self.script.queue else self.script.default
        while reply.then is not None:
            # An Event wait (not sleep) so closing the server frees delayed handlers at once.
            if self.script.closing.wait(reply.delay_seconds):
                return
            reply = reply.then
        if reply.status >= 400:
            body = {"error": {"message": reply.content, "type": "server_error", "code": None}}
            self._send_json(reply.status, body)
            return
        self._send_json(200, _completion_body(reply, request, number))

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

    def __init__(self, default: Reply | None = None) -> None:
        """Prepare the server; ``default`` answers when the queue is empty (text "ok")."""
        self._script = _Script(default=default or text("ok"))
        handler = type("ScriptedHandler", (_Handler,), {"script": self._script})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
