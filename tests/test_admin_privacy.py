"""Admin routes take a phone in any form; logs and the SQLite files keep no erased number."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.engine import Engine
from api.main import create_app
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import admin_settings, bearer, talk

PHONE = "+15550000100"
SECRET_NAME = "Zorblax Quimbleton"


@pytest.fixture(autouse=True)
def _secret_partner(store: SQLiteStore) -> None:
    """One partner on session 2 with a distinctive name."""
    talk(Engine(store), PHONE, SECRET_NAME, "I am a new partner", "done", "what is SS304?")


def _client(tmp_path: Path, store: SQLiteStore, **settings: object) -> TestClient:
    return TestClient(
        create_app(admin_settings(tmp_path, **settings), store=store), headers=bearer()
    )


@pytest.mark.parametrize("written", ["+15550000100", "15550000100", "whatsapp:+15550000100"])
def test_every_documented_phone_form_finds_the_partner(
    tmp_path: Path, store: SQLiteStore, written: str
) -> None:
    with _client(tmp_path, store) as client:
        detail = client.get(f"/api/admin/partners/{written}")
        assert detail.status_code == 200 and detail.json()["partner"]["phone"] == PHONE
        transcript = client.get(f"/api/admin/partners/{written}/transcript").json()
        assert transcript["phone"] == PHONE and transcript["entries"]
        assert client.post(f"/api/admin/partners/{written}/reset").status_code == 200
        assert client.get("/api/admin/partners/whatsapp:+1555x").status_code == 422


def test_request_log_masks_the_phone_in_paths(
    tmp_path: Path, store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with _client(tmp_path, store) as client:
        for written in ("15550000100", "+15550000100", "whatsapp:+15550000100"):
            client.get(f"/api/admin/partners/{written}/transcript")
        client.delete("/api/admin/partners/15550000100")
    lines = [r.getMessage() for r in caplog.records if r.name == "genie.http"]
    assert len(lines) == 4 and all("***0100" in line for line in lines)
    assert not any("5550000" in line for line in lines)


def test_erasure_log_has_no_reversible_fingerprint(
    tmp_path: Path, store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="genie.admin")
    plain_hash = hashlib.sha256(PHONE.encode()).hexdigest()[:10]
    with _client(tmp_path, store) as client:
        client.delete(f"/api/admin/partners/{PHONE}")
        activity = client.get("/api/admin/activity").text  # outlives the erasure too
    assert "erase" in activity and plain_hash not in activity and "5550000" not in activity
    erased = [r.getMessage() for r in caplog.records if "erased" in r.getMessage()]
    assert erased == [erased[0]] and plain_hash not in erased[0]
    assert "fp:" not in erased[0]  # no secret configured: no fingerprint at all


def test_erasure_log_fingerprint_is_keyed(
    tmp_path: Path, store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="genie.admin")
    with _client(tmp_path, store, log_fingerprint_secret="server-secret-1") as client:
        client.post(f"/api/admin/partners/{PHONE}/reset")
        client.delete("/api/admin/partners/whatsapp:+15550000100")
    lines = [r.getMessage() for r in caplog.records if r.name == "genie.admin"]
    prints = {word for line in lines for word in line.split() if word.startswith("fp:")}
    assert len(lines) == 2 and len(prints) == 1  # the same partner, matched across lines
    assert hashlib.sha256(PHONE.encode()).hexdigest()[:10] not in str(prints)


def test_erased_number_is_gone_from_the_database_file_and_wal(
    tmp_path: Path, store: SQLiteStore
) -> None:
    db = tmp_path / "genie.db"
    files = [db, Path(f"{db}-wal")]

    def found() -> list[str]:
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        return [s for s in (PHONE[1:], SECRET_NAME) if s.encode() in raw]

    assert found()  # written before the erasure
    with _client(tmp_path, store) as client:
        assert client.delete(f"/api/admin/partners/{PHONE}").status_code == 200
    assert found() == []
