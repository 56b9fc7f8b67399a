"""Admins upload session media; it is served at an unguessable public URL within WhatsApp limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from store.factory import seed_if_empty
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import admin_settings, bearer


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = SQLiteStore(tmp_path / "genie.db")
    seed_if_empty(store)
    settings = admin_settings(
        tmp_path, media_dir=str(tmp_path / "media"), public_base_url="https://genie.example.com"
    )
    with TestClient(create_app(settings=settings, store=store), headers=bearer()) as test_client:
        yield test_client
    store.close()


def upload(client: TestClient, name: str, content_type: str, data: bytes, **kw: Any) -> Any:
    return client.post("/api/admin/media", files={"file": (name, data, content_type)}, **kw)


def test_an_upload_is_served_at_its_public_url(client: TestClient) -> None:
    response = upload(client, "gloves.png", "image/png", b"\x89PNG fake")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "image" and body["size_bytes"] == 9
    assert body["url"].startswith("https://genie.example.com/media/") and body["url"].endswith(
        ".png"
    )
    name = body["url"].rsplit("/", 1)[1]
    assert len(name.split(".")[0]) >= 22  # 128 random bits, URL-safe
    served = client.get(f"/media/{name}", headers={"Authorization": ""})
    assert served.status_code == 200 and served.content == b"\x89PNG fake"
    assert served.headers["content-type"] == "image/png"


def test_an_unsupported_type_or_an_oversized_file_is_refused(client: TestClient) -> None:
    assert upload(client, "a.gif", "image/gif", b"GIF89a").status_code == 415
    too_big = b"x" * (5 * 1024 * 1024 + 1)
    refused = upload(client, "big.jpg", "image/jpeg", too_big)
    assert refused.status_code == 413 and "5 MB" in refused.json()["detail"]
    assert upload(client, "empty.pdf", "application/pdf", b"").status_code == 422


def test_uploading_needs_an_admin_and_unknown_names_are_404(client: TestClient) -> None:
    anonymous = upload(client, "a.png", "image/png", b"png", headers={"Authorization": ""})
    assert anonymous.status_code in (401, 404)
    assert client.get("/media/nothing-here.png").status_code == 404
    assert client.get("/media/..%2Fgenie.db").status_code == 404


def test_the_editor_preview_shows_media_parts_and_buttons(client: TestClient) -> None:
    media = [{"url": "https://cdn.test/a.png", "kind": "image", "caption": "Gloves"}]
    body = {"s_no": 1, "heading": "H", "content": "One.\n\nTwo.", "media_url": "", "media": media}
    parts = client.post("/api/admin/sessions/preview", json=body).json()["parts"]
    assert [p["media_url"] for p in parts] == [None, "https://cdn.test/a.png", None]
    assert parts[-1]["options"] == ["✅ Done", "➡️ Next", "📋 Menu"]
