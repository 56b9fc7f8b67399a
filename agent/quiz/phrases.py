"""Quiz phrases from prompts/keywords.yaml: true/false words and the retry/re-read/skip controls."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from agent.keywords import normalize
from prompts import prompts_dir


@lru_cache(maxsize=4)
def _lists(folder: str) -> dict[str, frozenset[str]]:
    raw = yaml.safe_load((Path(folder) / "keywords.yaml").read_text(encoding="utf-8"))
    keys = ("quiz_true", "quiz_false", "quiz_retry", "quiz_reread", "quiz_skip")
    return {key: frozenset(normalize(str(w)) for w in raw.get(key) or []) for key in keys}


def says(key: str, text: str) -> bool:
    """True when the whole message is one of the `quiz_<key>` phrases."""
    return normalize(text) in _lists(str(prompts_dir()))[f"quiz_{key}"]


def truth_of(text: str) -> bool | None:
    """True/False for a true/false word (yes, sahi, galat ...), else None."""
    if says("true", text):
        return True
    return False if says("false", text) else None
