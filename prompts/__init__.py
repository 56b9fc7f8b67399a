"""Editable prompt and message texts; `PROMPTS_DIR` points at another copy for experiments."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_DIR = Path(__file__).parent


class _KeepMissing(dict[str, object]):
    """Leave unknown {placeholders} visible instead of crashing a reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def prompts_dir() -> Path:
    """The folder prompts are read from (`PROMPTS_DIR` or the packaged one)."""
    return Path(os.environ.get("PROMPTS_DIR") or DEFAULT_DIR)


@lru_cache(maxsize=8)
def _messages(folder: str, language: str = "en") -> dict[str, str]:
    path = Path(folder) / f"messages.{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must be a mapping of message names to texts")
    return {str(k): str(v) for k, v in data.items()}


def fill(template: str, values: dict[str, object]) -> str:
    """`template` with its {placeholders} filled in; unknown ones stay visible."""
    return template.format_map(_KeepMissing(values))


def message(key: str, **values: object) -> str:
    """The partner-facing text `key` from messages.en.yaml with its placeholders filled in."""
    return fill(_messages(str(prompts_dir()))[key], values)


@lru_cache(maxsize=32)
def _read(folder: str, name: str) -> str:
    return (Path(folder) / name).read_text(encoding="utf-8").strip()


def prompt(name: str) -> str:
    """The text of prompt file `name` (e.g. "system.md", "tools/navigate.md")."""
    return _read(str(prompts_dir()), name)


def reload() -> None:
    """Forget cached texts so edited files are read again."""
    _messages.cache_clear()
    _read.cache_clear()
