"""The content-template registry contract, on SQLite, mongomock and a real MongoDB when set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.content_templates import registry_for
from tests.store_backends import BACKENDS, make_backend


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    backend = make_backend(request.param, tmp_path)
    opened = backend.open()
    yield opened
    opened.close()
    backend.cleanup()


def test_record_list_and_replace(store: object) -> None:
    registry = registry_for(store)
    assert registry.sids() == {}
    registry.record("genie_buttons_ab12", "HX1")
    registry.record("genie_list_3_ab12", "HX2")
    registry.record("genie_buttons_ab12", "HX3")
    assert registry.sids() == {"genie_buttons_ab12": "HX3", "genie_list_3_ab12": "HX2"}
    assert registry_for(store).sids() == registry.sids()  # another handle sees the same
