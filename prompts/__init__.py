"""Editable prompt and message texts; `PROMPTS_DIR` points at another copy for experiments.

Partner-facing messages exist per language (`messages.<lang>.yaml`). The language of the
current turn is a context variable: the engine sets it for each partner turn (and proactive
senders for each send) with `use_language`, so `message()` needs no language argument.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_DIR = Path(__file__).parent
REFERENCE_LANGUAGE = "en"  # the complete messages file every other language mirrors


@dataclass(frozen=True)
class LanguageChoice:
    """The language to write in, and the default language for texts it lacks."""

    language: str = REFERENCE_LANGUAGE
    default: str = REFERENCE_LANGUAGE


_CHOICE: ContextVar[LanguageChoice | None] = ContextVar("genie_language", default=None)


def _choice() -> LanguageChoice:
    return _CHOICE.get() or LanguageChoice()


class _KeepMissing(dict[str, object]):
    """Leave unknown {placeholders} visible instead of crashing a reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def prompts_dir() -> Path:
    """The folder prompts are read from (`PROMPTS_DIR` or the packaged one)."""
    return _folder(os.environ.get("PROMPTS_DIR") or "")


@lru_cache(maxsize=8)
def _folder(configured: str) -> Path:
    # Every message of every turn asks for the folder: building the Path once per setting
    # took a sixth of a keyword turn.
    return Path(configured or DEFAULT_DIR)


@lru_cache(maxsize=8)
def _folder_name(configured: str) -> str:
    return str(_folder(configured))


@contextmanager
def use_language(language: str | None, default: str = REFERENCE_LANGUAGE) -> Iterator[None]:
    """Write messages in `language` (None: `default`) inside the block."""
    token = _CHOICE.set(LanguageChoice(language or default, default))
    try:
        yield
    finally:
        _CHOICE.reset(token)


def current_language() -> str:
    """The language messages are written in right now."""
    return _choice().language


def default_language() -> str:
    """The default language of the current turn (the language of the untranslated content)."""
    return _choice().default


def message_languages() -> list[str]:
    """Languages with a messages file, e.g. ["en", "hi"]."""
    files = prompts_dir().glob("messages.*.yaml")
    return sorted(p.name.removeprefix("messages.").removesuffix(".yaml") for p in files)


@lru_cache(maxsize=8)
def _messages(folder: str, language: str = REFERENCE_LANGUAGE) -> dict[str, str]:
    path = Path(folder) / f"messages.{language}.yaml"
    if not path.is_file():
        return {}  # a language without a messages file falls back to the default texts
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must be a mapping of message names to texts")
    return {str(k): str(v) for k, v in data.items()}


def fill(template: str, values: dict[str, object]) -> str:
    """`template` with its {placeholders} filled in; unknown ones stay visible."""
    return template.format_map(_KeepMissing(values))


def template(key: str, language: str | None = None) -> str:
    """The raw text of message `key` in `language` (default: the current one), with fallbacks.

    A key missing in that language comes from the default language, then from English.
    """
    choice = _choice()
    folder = _folder_name(os.environ.get("PROMPTS_DIR") or "")
    for lang in (language or choice.language, choice.default, REFERENCE_LANGUAGE):
        texts = _messages(folder, lang)
        if key in texts:
            return texts[key]
    raise KeyError(key)


def message(key: str, **values: object) -> str:
    """The partner-facing text `key` in the turn's language with its placeholders filled in."""
    return fill(template(key), values)


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
