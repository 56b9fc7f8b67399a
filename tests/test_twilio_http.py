"""The pooled HTTP client under the real twilio Client: every outcome classified as the
library's requests-based TwilioHttpClient classifies it (run side by side on the same servers)."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from twilio.http.http_client import TwilioHttpClient

from api.whatsapp.sender import OutboundMessage, SendResult, TwilioSender
from api.whatsapp.twilio_http import PooledTwilioHttpClient, form_encode
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import ACCOUNT
from tests.whatsapp_helpers import AUTH_TOKEN

pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback calls to the fakes

PARTNER, FROM = "+15550001", "+14155238886"
Clients = Callable[[float], Any]
LIBRARY: Clients = lambda timeout: TwilioHttpClient(timeout=timeout)  # noqa: E731
POOLED: Clients = lambda timeout: PooledTwilioHttpClient(timeout=timeout)  # noqa: E731


def sender(base_url: str, client: Clients, timeout_s: float = 3.0) -> TwilioSender:
    """The real TwilioSender with the given transport under its twilio Client."""
    made = TwilioSender(ACCOUNT, AUTH_TOKEN, FROM, api_base_url=base_url, timeout_s=timeout_s)
    made._client.http_client = client(timeout_s)
    return made


def both(base_url: str, message: OutboundMessage, timeout_s: float = 3.0) -> list[SendResult]:
    """The send's result through the library's client, then through the pooled one."""
    return [sender(base_url, c, timeout_s).send(message) for c in (LIBRARY, POOLED)]


def same_outcome(library: SendResult, pooled: SendResult) -> None:
    """Equal classification; the error text starts the same (the exception class included)."""
    fields = ("ok", "retryable", "status_code", "error_code")
    assert [getattr(pooled, f) for f in fields] == [getattr(library, f) for f in fields]
    assert (pooled.error or "").split(":")[:2] == (library.error or "").split(":")[:2]


def test_the_default_sender_uses_the_pooled_client(fake_twilio: FakeTwilioAPI) -> None:
    made = TwilioSender(ACCOUNT, AUTH_TOKEN, FROM, api_base_url=fake_twilio.base_url, timeout_s=2)
    assert isinstance(made._client.http_client, PooledTwilioHttpClient)
    assert made._client.http_client.timeout == 2


def test_the_fake_receives_the_same_request_from_both_clients(fake_twilio: FakeTwilioAPI) -> None:
    text = "नमस्ते Asha! 50% done & next: *Session 2* → 😀\nline two"
    messages = [
        OutboundMessage(to=PARTNER, body=text, media_url="https://example.com/a b.pdf?x=1&y=2"),
        OutboundMessage(to=PARTNER, body="t", content_sid="HX" + "1" * 32,
                        content_variables='{"1": "Asha & co"}'),
    ]  # fmt: skip
    for message in messages:
        assert all(r.ok for r in both(fake_twilio.base_url, message))
    library, pooled = fake_twilio.attempts[0::2], fake_twilio.attempts[1::2]
    assert [a.form for a in pooled] == [a.form for a in library]
    assert [a.auth for a in pooled] == [a.auth for a in library] == [(ACCOUNT, AUTH_TOKEN)] * 2
    assert pooled[0].form["Body"] == [text]


@pytest.mark.parametrize("status", [429, 500, 503, 400, 401, 404])
def test_error_answers_are_classified_the_same(fake_twilio: FakeTwilioAPI, status: int) -> None:
    fake_twilio.fail_next(status, count=2)
    library, pooled = both(fake_twilio.base_url, OutboundMessage(to=PARTNER, body="hi"))
    same_outcome(library, pooled)
    assert pooled.retryable is (status in (429, 500, 503)) and pooled.status_code == status


def test_a_read_timeout_is_a_retryable_network_error(fake_twilio: FakeTwilioAPI) -> None:
    fake_twilio.delay_next(2.0, count=2)
    library, pooled = both(fake_twilio.base_url, OutboundMessage(to=PARTNER, body="slow"), 0.2)
    same_outcome(library, pooled)
    assert pooled.retryable and (pooled.error or "").startswith("network: ReadTimeout:")


def test_a_refused_connection_is_a_retryable_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    library, pooled = both(closed, OutboundMessage(to=PARTNER, body="hi"))
    same_outcome(library, pooled)
    assert pooled.retryable and (pooled.error or "").startswith("network: ConnectionError:")


class _Scripted(BaseHTTPRequestHandler):
    """Answers every POST with the server's scripted raw answer (or hangs up)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = self.server.answer  # type: ignore[attr-defined]
        if answer is None:
            self.connection.shutdown(socket.SHUT_RDWR)  # hang up without an answer
            return
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def scripted() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _raw(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


@pytest.mark.parametrize(
    ("answer", "retryable"),
    [
        (_raw("201 Created", b"<html>not json</html>", "text/html"), False),  # accepted, probably
        (_raw("201 Created", b'{"sid": "SM1", "status": "queu'), False),  # cut short JSON
        (_raw("503 Service Unavailable", b"upstream down", "text/plain"), True),
        (_raw("400 Bad Request", b"\xff\xfe not utf-8"), False),
        (b"HTTP/1.1 201 Created\r\nContent-Length: 500\r\n\r\n{}", True),  # cut off mid-body
        (None, True),  # hung up before answering
    ],
)
def test_odd_answers_are_classified_the_same(
    scripted: ThreadingHTTPServer, answer: bytes | None, retryable: bool
) -> None:
    scripted.answer = answer  # type: ignore[attr-defined]
    base_url = f"http://127.0.0.1:{scripted.server_address[1]}"
    library, pooled = both(base_url, OutboundMessage(to=PARTNER, body="hi"), timeout_s=2)
    same_outcome(library, pooled)
    assert not pooled.ok and pooled.retryable is retryable


def test_a_proxy_from_the_environment_is_honoured(
    fake_twilio: FakeTwilioAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host the environment routes through a proxy goes through the library's client."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_proxy = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HTTP_PROXY", dead_proxy)
    monkeypatch.delenv("NO_PROXY")
    failed = sender(fake_twilio.base_url, POOLED).send(OutboundMessage(to=PARTNER, body="hi"))
    assert not failed.ok and failed.retryable and "ProxyError" in (failed.error or "")
    assert fake_twilio.attempts == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert sender(fake_twilio.base_url, POOLED).send(OutboundMessage(to=PARTNER, body="hi")).ok


def test_connections_are_kept_alive_and_a_timed_out_one_is_not_reused(
    fake_twilio: FakeTwilioAPI,
) -> None:
    client = PooledTwilioHttpClient(timeout=0.3)
    made = sender(fake_twilio.base_url, lambda _t: client, 0.3)
    for _ in range(5):
        assert made.send(OutboundMessage(to=PARTNER, body="hi")).ok
    [pool] = [p for p in client._pools.values() if p is not None]
    assert pool.num_connections == 1
    fake_twilio.delay_next(0.6)
    assert made.send(OutboundMessage(to=PARTNER, body="late")).retryable
    # The late answer must not be read as the next request's: a fresh connection is used.
    assert made.send(OutboundMessage(to=PARTNER, body="next")).ok
    assert pool.num_connections == 2
    assert [m.body for m in fake_twilio.messages][-1] == "next"


def test_a_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError):
        PooledTwilioHttpClient(timeout=0)
    with pytest.raises(ValueError):
        PooledTwilioHttpClient(timeout=1).request("GET", "http://127.0.0.1:1/", timeout=-1)


def test_network_errors_are_requests_exceptions() -> None:
    client = PooledTwilioHttpClient(timeout=1)
    with pytest.raises(requests.ConnectionError):
        client.request("POST", "http://127.0.0.1:1/x", data={"a": "b"})


def test_form_encoding_is_urlencode_byte_for_byte() -> None:
    rng = random.Random(7)
    alphabet = [chr(i) for i in range(300)] + list("नमस्ते 😀&=+%#?/~._-")
    for _ in range(3000):
        pairs = [
            ("".join(rng.choices(alphabet, k=rng.randint(0, 6))),
             "".join(rng.choices(alphabet, k=rng.randint(0, 40))))
            for _ in range(rng.randint(0, 4))
        ]  # fmt: skip
        assert form_encode(pairs) == urlencode(pairs)
    assert form_encode([("n", 3), ("b", True), ("raw", b"\x00 a")]) == urlencode(
        [("n", 3), ("b", True), ("raw", b"\x00 a")]
    )
