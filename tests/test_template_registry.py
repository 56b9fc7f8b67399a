"""The content-template registry contract, on SQLite, mongomock and a real MongoDB when set."""

from __future__ import annotations

from store.content_templates import registry_for


def test_record_list_and_replace(backend_store: object) -> None:
    registry = registry_for(backend_store)
    assert registry.sids() == {}
    registry.record("genie_buttons_ab12", "HX1")
    registry.record("genie_list_3_ab12", "HX2")
    registry.record("genie_buttons_ab12", "HX3")
    assert registry.sids() == {"genie_buttons_ab12": "HX3", "genie_list_3_ab12": "HX2"}
    assert registry_for(backend_store).sids() == registry.sids()  # another handle sees the same
