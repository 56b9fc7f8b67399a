"""Twilio's delivery status callbacks for the fake API: signed POSTs of sent, delivered, read.

Real Twilio calls a message's StatusCallback URL 2–3 times after accepting it. The fake does
the same off the request path: accepted messages wait in a bounded queue (a full queue drops
and counts, it never blocks the API's answer) and worker threads (many: Twilio posts callbacks
in parallel, and a service may answer each only after a short wait) post each message's
statuses in Twilio's order, each post with a timeout, no sooner than `delay_s` after the
message was accepted (Twilio's "sent" follows WhatsApp's answer; the service must have stored
the message SID by then, as it has in production).
"""

from __future__ import annotations

import http.client
import queue
import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from evals.fakes.twilio_api import FakeMessage

STATUS_ORDER = ("sent", "delivered", "read")  # what a WhatsApp message reports, in order


class StatusCallbacks:
    """Posts each accepted message's status callbacks to its StatusCallback URL, signed."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        per_message: int,
        route: Callable[[str], str] = lambda url: url,
        *,
        workers: int = 32,
        queue_size: int = 20_000,
        timeout_s: float = 5.0,
        delay_s: float = 0.2,
    ) -> None:
        """`per_message` statuses (1–3) go per message; `route` maps the public URL Twilio
        would call (and signs) to the address it really reaches (a service process)."""
        if not 1 <= per_message <= len(STATUS_ORDER):
            raise ValueError(f"per_message must be 1..{len(STATUS_ORDER)}")
        self.account_sid = account_sid
        self.statuses = STATUS_ORDER[:per_message]
        self._validator = RequestValidator(auth_token)
        self._route = route
        self._timeout_s = timeout_s
        self._delay_s = delay_s
        self._closing = threading.Event()
        self._queue: queue.Queue[FakeMessage | None] = queue.Queue(queue_size)
        self._lock = threading.Lock()
        self._counts = {"sent": 0, "acked": 0, "failed": 0, "dropped": 0}
        self._threads = [
            threading.Thread(target=self._work, name=f"fake-status-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def counts(self) -> dict[str, int]:
        """Callbacks posted, answered 2xx, failed (error, timeout, non-2xx) and dropped."""
        with self._lock:
            return dict(self._counts)

    def submit(self, message: FakeMessage) -> None:
        """Queue the message's callbacks (no URL: none); never blocks."""
        if not message.status_callback:
            return
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            self._count("dropped", len(self.statuses))

    def settle(self, timeout_s: float) -> bool:
        """Wait until every queued callback was posted; False when `timeout_s` ran out."""
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout_s)

    def close(self) -> None:
        """Stop the workers after what is queued, without the remaining delays (bounded wait)."""
        self._closing.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=self._timeout_s * 2)

    def form(self, message: FakeMessage, status: str) -> dict[str, str]:
        """The fields Twilio posts in a WhatsApp status callback for `message`."""
        return status_callback_form(
            message.sid, status, self.account_sid, message.from_, message.to
        )

    def _count(self, what: str, n: int = 1) -> None:
        with self._lock:
            self._counts[what] += n

    def _work(self) -> None:
        connections: dict[str, http.client.HTTPConnection] = {}
        while (message := self._queue.get()) is not None:
            try:
                wait = message.accepted_at + self._delay_s - time.monotonic()
                if wait > 0:
                    self._closing.wait(wait)
                for status in self.statuses:
                    self._post(connections, message, status)
            finally:
                self._queue.task_done()
        self._queue.task_done()
        for connection in connections.values():
            connection.close()

    def _post(
        self, connections: dict[str, http.client.HTTPConnection], message: FakeMessage, status: str
    ) -> None:
        """One signed callback on a kept-alive connection (reopened after any error)."""
        public = message.status_callback or ""
        form = self.form(message, status)
        signature = self._validator.compute_signature(public, form)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers["X-Twilio-Signature"] = signature
        target = urlsplit(self._route(public))
        key = target.netloc
        self._count("sent")
        try:
            connection = connections.get(key)
            if connection is None:
                connection = http.client.HTTPConnection(key, timeout=self._timeout_s)
                connections[key] = connection
            connection.request("POST", target.path, urlencode(form), headers)
            response = connection.getresponse()
            response.read()
            ok = 200 <= response.status < 300
        except (OSError, http.client.HTTPException):
            connections.pop(key).close()
            ok = False
        self._count("acked" if ok else "failed")


def status_callback_form(
    sid: str, status: str, account_sid: str, from_: str, to: str
) -> dict[str, str]:
    """The fields Twilio posts in a WhatsApp status callback."""
    return {
        "MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
        "AccountSid": account_sid, "From": from_, "To": to, "ChannelPrefix": "whatsapp",
        "ApiVersion": "2010-04-01",
    }  # fmt: skip
