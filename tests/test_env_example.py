"""`.env.example` documents every setting with its real default."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.settings import Settings

EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"


def _example_values() -> dict[str, str]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def test_every_setting_is_listed_and_nothing_else() -> None:
    assert set(_example_values()) == {name.upper() for name in Settings.model_fields}


def test_listed_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    from_example = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    assert from_example.model_dump() == defaults.model_dump()
