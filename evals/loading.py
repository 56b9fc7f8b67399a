"""Find and read eval datasets: JSONL rows for intents, questions and safety; YAML stories."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EVALS_DIR = Path(__file__).resolve().parent
REPO_DIR = EVALS_DIR.parent
DATASETS_DIR = EVALS_DIR / "datasets"
STORIES_DIR = REPO_DIR / "tests" / "stories"
CASSETTES_DIR = EVALS_DIR / "cassettes"
DEFAULT_CASSETTE = CASSETTES_DIR / "oracle.jsonl"
DEFAULT_GATES = EVALS_DIR / "gates.yaml"

# The key that tells a JSONL dataset's suite apart from the others'.
_MARKERS = {"intent": "intents", "question": "questions", "must_not_change": "safety"}


class DatasetError(ValueError):
    """A dataset that cannot be read, or whose suite cannot be told."""


def shown(path: str | Path) -> str:
    """A path relative to the repository when it is inside it (stable, shorter in reports)."""
    try:
        return Path(path).resolve().relative_to(REPO_DIR).as_posix()
    except ValueError:
        return str(path)


def default_datasets(suite: str) -> list[Path]:
    """The committed dataset files of a suite."""
    if suite == "stories":
        return sorted(STORIES_DIR.glob("*.yaml")) + sorted(STORIES_DIR.glob("*.yml"))
    return [DATASETS_DIR / f"{suite}.jsonl"]


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a JSONL file, each with its line number in `_line`."""
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: invalid JSON ({exc})") from exc
        if not isinstance(row, dict):
            raise DatasetError(f"{path}:{number}: a row must be a JSON object")
        rows.append({**row, "_line": number})
    return rows


def suite_of(path: str | Path) -> str:
    """Which suite a dataset file belongs to: YAML files are stories, JSONL by its first row."""
    path = Path(path)
    if path.suffix in (".yaml", ".yml"):
        return "stories"
    rows = load_jsonl(path)
    for key, suite in _MARKERS.items():
        if rows and key in rows[0]:
            return suite
    raise DatasetError(f"{path}: cannot tell its suite (rows need one of {sorted(_MARKERS)})")


def select_rows(
    rows: list[dict[str, Any]], tags: Sequence[str] = (), limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows carrying any of `tags` (all when none given), at most `limit` of them."""
    chosen = [r for r in rows if not tags or set(tags) & set(r.get("tags") or [])]
    return chosen[:limit] if limit is not None else chosen
