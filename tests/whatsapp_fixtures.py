"""Shared pytest fixtures for the WhatsApp tests: a running app with a collecting sender, the
local fake Twilio API reached without proxies, and a messaging store on a temp file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.whatsapp.sender import CollectingSender
from store.sqlite_messaging import SQLiteMessagingStore
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import ACCOUNT, clear_proxies
from tests.whatsapp_helpers import AUTH_TOKEN, start_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, CollectingSender]]:
    """A running app with a collecting sender (a test module may define its own `app`)."""
    client, sender = start_app(tmp_path)
    with client:
        yield client, sender


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback calls must not go through a proxy configured on the test machine."""
    clear_proxies(monkeypatch)


@pytest.fixture
def fake_twilio(no_proxies: None) -> Iterator[FakeTwilioAPI]:
    """The fake Twilio API, running, for account ACCOUNT with AUTH_TOKEN."""
    with FakeTwilioAPI(account_sid=ACCOUNT, auth_token=AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def messaging_db(tmp_path: Path) -> Iterator[SQLiteMessagingStore]:
    """A messaging store (inbox, outbox, leases) on a temp SQLite file."""
    store = SQLiteMessagingStore(tmp_path / "genie.db")
    yield store
    store.close()
