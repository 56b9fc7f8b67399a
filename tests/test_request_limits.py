"""Oversized bodies are refused before parsing (413); X-Forwarded-* only from trusted proxies."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.live_server import LiveServer
from api.main import create_app
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import admin_settings, bearer
from tests.whatsapp_helpers import AUTH_TOKEN, PUBLIC, WEBHOOK


def _app(tmp_path: Path, **overrides: Any) -> Any:
    settings = admin_settings(
        tmp_path, twilio_auth_token=AUTH_TOKEN, public_base_url=PUBLIC, **overrides
    )
    return create_app(settings, store=SQLiteStore(tmp_path / "genie.db"))


@pytest.fixture
def live(tmp_path: Path) -> Iterator[str]:
    """The real app under uvicorn, as `genie serve` runs it."""
    with LiveServer(_app(tmp_path)) as url:
        yield url


def test_an_unsigned_oversized_form_is_refused_before_parsing(live: str) -> None:
    # 200 fields of 1 KB: the signature check would answer 403 only after parsing all of it.
    fields = {f"f{i}": "x" * 1024 for i in range(200)}
    response = httpx.post(live + WEBHOOK, data=fields, timeout=10)
    assert response.status_code == 413
    assert "65536 bytes" in response.json()["detail"]


def test_a_chunked_body_without_content_length_is_counted(live: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"Body=" + b"y" * 4096 + b"&"

    response = httpx.post(
        live + WEBHOOK,
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_small_requests_still_reach_the_routes(live: str) -> None:
    assert httpx.post(live + WEBHOOK, data={"Body": "hi"}, timeout=10).status_code == 403
    # 200 KB is over the webhook limit but under the admin one: the route itself answers
    # (422: content is limited to 12,000 characters).
    big_edit = {"s_no": 50, "heading": "Big", "content": "word " * 40_000}
    response = httpx.post(live + "/api/admin/sessions", json=big_edit, headers=bearer(), timeout=10)
    assert response.status_code == 422


def test_admin_bodies_have_their_own_limit(live: str) -> None:
    huge = {"s_no": 51, "heading": "Huge", "content": "word " * 300_000}  # 1.5 MB
    response = httpx.post(live + "/api/admin/sessions", json=huge, headers=bearer(), timeout=10)
    assert response.status_code == 413 and "1048576 bytes" in response.json()["detail"]


def test_media_uploads_get_the_largest_whatsapp_media_size(live: str) -> None:
    # 2 MB: over the admin limit, within an image's 5 MB; the upload route decides.
    files = {"file": ("a.png", b"x" * (2 * 1024 * 1024), "image/png")}
    response = httpx.post(live + "/api/admin/media", files=files, headers=bearer(), timeout=60)
    assert response.status_code == 201, response.text


def test_a_declared_upload_over_the_limit_is_refused_before_its_body(live: str) -> None:
    # Only the headers are sent: the 413 must come from Content-Length alone. (An httpx request
    # declaring more than it sends cannot be used: h11 refuses to end it, and only passed when
    # the server's close broke the body write first.)
    url = urlsplit(live)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        connection.putrequest("POST", "/api/admin/media")
        for name, value in bearer().items():
            connection.putheader(name, value)
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(200 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        assert response.status == 413 and b"request body too large" in body, body
        assert response.getheader("Connection") == "close"  # the client stops sending
    finally:
        connection.close()


def _failed_logins(url: str, attempts: int) -> list[int]:
    return [
        httpx.get(
            url + "/api/admin/sessions",
            headers={"Authorization": "Bearer wrong", "X-Forwarded-For": f"203.0.113.{i}"},
            timeout=10,
        ).status_code
        for i in range(attempts)
    ]


def test_rotating_x_forwarded_for_does_not_escape_the_login_limit(tmp_path: Path) -> None:
    with LiveServer(_app(tmp_path, admin_rate_limit_per_minute=3)) as url:
        codes = _failed_logins(url, 6)
    assert codes[:3] == [401] * 3 and codes[3:] == [429] * 3


def test_a_configured_proxy_is_believed(tmp_path: Path) -> None:
    app = _app(tmp_path, admin_rate_limit_per_minute=3, trusted_proxies=["127.0.0.1"])
    with LiveServer(app) as url:
        codes = _failed_logins(url, 6)
        # Each forwarded address has its own bucket: the proxy tells who the client is.
        assert codes == [401] * 6
        # The scheme too: signatures are checked against the URL the proxy was called with.
        response = httpx.post(
            url + WEBHOOK, data={"Body": "hi"}, headers={"X-Forwarded-Proto": "https"}, timeout=10
        )
        assert response.status_code == 403
