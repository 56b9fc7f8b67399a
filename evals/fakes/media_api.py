"""A local stand-in for Twilio's media URLs and OpenAI's audio transcription endpoint.

GET /media/<name> serves a registered file (Basic auth required, as Twilio's media URLs
with HTTP auth on); POST /v1/audio/transcriptions answers {"text": …} from a script.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from evals.fakes.http_base import LocalFake

TRANSCRIBE_PATH = "/v1/audio/transcriptions"


@dataclass
class _State:
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    auth: tuple[str, str] = ("AC" + "0" * 32, "token")
    transcript: str = "next please"
    transcribe_status: int = 200
    uploads: list[bytes] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    state: _State

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """Serve a registered media file to a caller with the right credentials."""
        name = self.path.split("?")[0].removeprefix("/media/")
        expected = base64.b64encode(":".join(self.state.auth).encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._send(401, "application/json", b'{"message": "Authenticate"}')
            return
        with self.state.lock:
            found = self.state.files.get(name)
            self.state.downloads.append(name)
        if found is None:
            self._send(404, "application/json", b'{"message": "not found"}')
            return
        self._send(200, *found)

    def do_POST(self) -> None:
        """Answer a transcription request with the scripted text (or status)."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?")[0] != TRANSCRIBE_PATH:
            self._send(404, "application/json", b"{}")
            return
        with self.state.lock:
            self.state.uploads.append(body)
            status, transcript = self.state.transcribe_status, self.state.transcript
        if status != 200:
            self._send(status, "application/json", b'{"error": {"message": "scripted failure"}}')
            return
        payload = json.dumps({"text": transcript}).encode()
        self._send(200, "application/json", payload)

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeMediaAPI(LocalFake):
    """Context manager serving media files and transcriptions on 127.0.0.1."""

    def __init__(self) -> None:
        self.state = _State()
        super().__init__(type("MediaHandler", (_Handler,), {"state": self.state}))

    def add_file(self, name: str, content_type: str, data: bytes) -> str:
        """Register a file; returns its URL."""
        with self.state.lock:
            self.state.files[name] = (content_type, data)
        return f"{self.base_url}/media/{name}"
