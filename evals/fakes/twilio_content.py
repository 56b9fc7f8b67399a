"""A local stand-in for Twilio's Content API (POST/GET /v1/Content), for template sync tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from evals.fakes.http_base import LocalFake


class _Handler(BaseHTTPRequestHandler):
    contents: list[dict[str, Any]]
    lock: threading.Lock

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """List the contents created so far, in one page."""
        if self.path.split("?")[0] != "/v1/Content":
            self._send(404, {"message": "not found"})
            return
        with self.lock:
            contents = list(self.contents)
        meta = {"page": 0, "page_size": 50, "first_page_url": "", "previous_page_url": None,
                "url": "", "next_page_url": None, "key": "contents"}  # fmt: skip
        self._send(200, {"contents": contents, "meta": meta})

    def do_POST(self) -> None:
        """Create a content: record the JSON request, answer with a new HX SID."""
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.path.split("?")[0] != "/v1/Content" or not body.get("friendly_name"):
            self._send(400, {"message": "friendly_name is required", "code": 20001})
            return
        with self.lock:
            sid = f"HX{len(self.contents) + 1:032x}"
            created = {"sid": sid, "account_sid": "AC" + "0" * 32, **body}
            self.contents.append(created)
        self._send(201, created)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeContentAPI(LocalFake):
    """Context manager serving the Content API on 127.0.0.1; `contents` holds what was made.
    Its `base_url` is what `client.content.base_url` takes."""

    def __init__(self) -> None:
        self.contents: list[dict[str, Any]] = []
        attrs = {"contents": self.contents, "lock": threading.Lock()}
        super().__init__(type("H", (_Handler,), attrs))
