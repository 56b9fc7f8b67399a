"""A local fake of Twilio's Messages REST endpoint, with scriptable faults and bursts."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs

from evals.fakes.http_base import QuietThreadingServer
from evals.fakes.twilio_wire import error_body, message_resource

if TYPE_CHECKING:
    from evals.fakes.twilio_status import StatusCallbacks

__all__ = ["MAX_BODY_CHARS", "FakeAttempt", "FakeMessage", "FakeTwilioAPI"]

MAX_BODY_CHARS = 1600
_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


@dataclass(frozen=True)
class FakeMessage:
    """A message the fake accepted (201)."""

    sid: str
    to: str
    from_: str
    body: str
    media_urls: list[str]
    accepted_at: float  # time.monotonic()
    content_sid: str | None = None  # a WhatsApp template send (Content API)
    content_variables: str | None = None  # its variables, a JSON object as a string
    status_callback: str | None = None  # the StatusCallback URL the send gave

    @property
    def variables(self) -> dict[str, str]:
        """The template variables, decoded ({} for a free-form message)."""
        return dict(json.loads(self.content_variables)) if self.content_variables else {}


@dataclass(frozen=True)
class FakeAttempt:
    """Any request that reached the fake, with the status it answered."""

    path: str
    auth: tuple[str, str] | None
    form: dict[str, list[str]]
    status: int
    at: float = field(default_factory=time.monotonic)


class FakeTwilioAPI:
    """Context manager serving POST /2010-04-01/Accounts/{sid}/Messages.json on 127.0.0.1."""

    def __init__(
        self,
        account_sid: str = "AC" + "0" * 32,
        auth_token: str = "test-token",
        *,
        on_message: Callable[[FakeMessage], None] | None = None,
    ) -> None:
        """Prepare the server; ``on_message`` is called (in a handler thread) per accepted one."""
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.on_message = on_message
        # Set to post Twilio's delivery status callbacks for every accepted message.
        self.status_callbacks: StatusCallbacks | None = None
        self._burst_status = 0
        self._burst_until = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._messages: list[FakeMessage] = []
        self._attempts: list[FakeAttempt] = []
        self._faults: list[int] = []
        self._delays: list[float] = []
        self._failing_phones: dict[str, int] = {}
        self._closed_windows: set[str] = set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self

    @property
    def base_url(self) -> str:
        """The URL to use as the Twilio API base, e.g. "http://127.0.0.1:54321"."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def messages(self) -> list[FakeMessage]:
        """Accepted messages, in acceptance order."""
        with self._lock:
            return list(self._messages)

    @property
    def attempts(self) -> list[FakeAttempt]:
        """Every request received, accepted or not, in arrival-completion order."""
        with self._lock:
            return list(self._attempts)

    def fail_next(self, status: int, count: int = 1) -> None:
        """Answer the next `count` requests with `status` and a Twilio error body."""
        with self._lock:
            self._faults.extend([status] * count)

    def delay_next(self, seconds: float, count: int = 1) -> None:
        """Hold the next `count` requests for `seconds`, then accept them anyway (as Twilio can)."""
        with self._lock:
            self._delays.extend([seconds] * count)

    def burst(self, status: int, seconds: float) -> None:
        """For the next `seconds`, answer every request with `status` (e.g. 429 or 503)."""
        with self._lock:
            self._burst_status, self._burst_until = status, time.monotonic() + seconds

    def fail_for(self, phone: str, status: int = 400) -> None:
        """Reject every message to `phone` (E.164, no whatsapp: prefix) with `status`."""
        with self._lock:
            self._failing_phones[phone] = status

    def close_window(self, phone: str) -> None:
        """Refuse free-form messages to `phone` with 63016, as outside WhatsApp's 24-h window."""
        with self._lock:
            self._closed_windows.add(phone)

    def open_window(self, phone: str) -> None:
        """Accept free-form messages to `phone` again (the partner wrote)."""
        with self._lock:
            self._closed_windows.discard(phone)

    def __enter__(self) -> FakeTwilioAPI:
        poll_s = 0.02  # serve_forever's default 0.5 s would slow every test teardown
        self._thread = threading.Thread(target=self._server.serve_forever, args=(poll_s,))
        self._thread.daemon = True  # a forgotten exit must not hang the test run
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()  # wakes delayed handlers so shutdown is quick
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def handle(self, path: str, auth: tuple[str, str] | None, raw: bytes) -> tuple[int, Any]:
        """Answer one request (status, JSON); records the attempt and any accepted message."""
        with self._lock:
            delay = self._delays.pop(0) if self._delays else 0.0
        if delay and self._stopping.wait(delay):
            return 503, error_body(503)
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
        with self._lock:
            rejection = self._rejection(path, auth, form)
            status = rejection[0] if rejection else 201
            self._attempts.append(FakeAttempt(path, auth, form, status))
            if rejection:
                return status, error_body(*rejection)
            to, from_, body = (form.get(key, [""])[0] for key in ("To", "From", "Body"))
            sid = "SM" + uuid.uuid4().hex
            content_sid, variables, callback = (
                form.get(key, [None])[0]
                for key in ("ContentSid", "ContentVariables", "StatusCallback")
            )
            message = FakeMessage(
                sid, to, from_, body, form.get("MediaUrl", []), time.monotonic(),
                content_sid, variables, callback,
            )  # fmt: skip
            self._messages.append(message)
        if self.on_message is not None:
            self.on_message(message)
        if self.status_callbacks is not None:
            self.status_callbacks.submit(message)
        return 201, message_resource(self.account_sid, message.sid, message.to, message.from_,
                                     message.body, len(message.media_urls))  # fmt: skip

    def _rejection(
        self, path: str, auth: tuple[str, str] | None, form: dict[str, list[str]]
    ) -> tuple[int, int | None] | None:
        """(status, Twilio error code) when the request must fail; caller holds the lock."""
        if self._faults:
            return self._faults.pop(0), None
        if self._burst_until and time.monotonic() < self._burst_until:
            return self._burst_status, None
        match = _MESSAGES_PATH.match(path)
        if not match:
            return 404, None
        if auth != (self.account_sid, self.auth_token) or match["sid"] != self.account_sid:
            return 401, None
        to, body = form.get("To", [""])[0], form.get("Body", [""])[0]
        content_sid = form.get("ContentSid", [""])[0]
        if form.get("ContentVariables") and not content_sid:
            return 400, 21654
        if content_sid:
            if not _valid_variables(form.get("ContentVariables", ["{}"])[0]):
                return 400, 21656
        elif not body and not form.get("MediaUrl"):
            return 400, 21602
        if len(body) > MAX_BODY_CHARS:
            return 400, 21617
        phone = to.removeprefix("whatsapp:")
        if not content_sid and phone in self._closed_windows:
            return 400, 63016
        phone_status = self._failing_phones.get(phone)
        return (phone_status, None) if phone_status else None


def _valid_variables(raw: str) -> bool:
    """Twilio's rule: a JSON object whose values are non-empty strings."""
    try:
        variables = json.loads(raw)
    except json.JSONDecodeError:
        return False
    return isinstance(variables, dict) and all(
        isinstance(v, str) and v.strip() for v in variables.values()
    )


class _Server(QuietThreadingServer):
    fake: FakeTwilioAPI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API: no connection per message
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the client's
    # delayed ACK would add ~40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake = cast(_Server, self.server).fake
        status, payload = fake.handle(self.path.split("?")[0], self._basic_auth(), raw)
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout) before the answer; that is the point of a delay

    def _basic_auth(self) -> tuple[str, str] | None:
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return (user, password) if scheme == "Basic" else None

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
