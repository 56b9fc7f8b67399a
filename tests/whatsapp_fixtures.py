"""Shared pytest fixture for the WhatsApp webhook tests: a running app with a collecting sender."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.whatsapp.sender import CollectingSender
from tests.whatsapp_helpers import start_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, CollectingSender]]:
    """A running app with a collecting sender (a test module may define its own `app`)."""
    client, sender = start_app(tmp_path)
    with client:
        yield client, sender
