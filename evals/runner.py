"""Run the selected suites on the selected provider and return the run as JSON-ready data."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import prompts
from agent.dense import build_dense_ranker
from agent.settings import Settings
from evals.harness import Harness
from evals.loading import (
    DATASETS_DIR,
    DEFAULT_CASSETTE,
    default_datasets,
    load_jsonl,
    select_rows,
    shown,
    suite_of,
)
from evals.oracle import labels_from_rows
from evals.providers import setup_provider
from evals.results import RUN_SCHEMA, SUITES, SuiteResult
from evals.suites.intents import run_intents
from evals.suites.questions import run_questions
from evals.suites.safety import run_safety
from evals.suites.stories import load_all, run_stories
from evals.usage import summarise_usage
from store.models import utcnow

_ROW_SUITES: dict[str, Callable[..., SuiteResult]] = {
    "intents": run_intents,
    "questions": run_questions,
    "safety": run_safety,
}


@dataclass
class RunOptions:
    """Everything `genie evals run` can choose."""

    suites: list[str] = field(default_factory=lambda: list(SUITES))
    datasets: list[Path] = field(default_factory=list)
    provider: str = "none"
    model: str | None = None
    prompts_dir: Path | None = None
    cassette: Path | None = None
    record: Path | None = None
    tags: list[str] = field(default_factory=list)
    limit: int | None = None
    workers: int = 1
    label: str | None = None


class Progress(Protocol):
    """Told when a suite starts and after every case (the terminal's progress bar)."""

    def start(self, suite: str, total: int) -> None:
        """A suite with `total` cases begins."""

    def advance(self) -> None:
        """One case finished."""


class _Silent:
    def start(self, suite: str, total: int) -> None:
        """Nothing to show."""

    def advance(self) -> None:
        """Nothing to show."""


def plan(options: RunOptions) -> dict[str, list[Path]]:
    """Dataset files per suite: the given ones (their suites only), else the committed ones."""
    if options.datasets:
        chosen: dict[str, list[Path]] = {}
        for path in options.datasets:
            chosen.setdefault(suite_of(path), []).append(path)
        return {s: chosen[s] for s in SUITES if s in chosen and s in options.suites}
    return {s: default_datasets(s) for s in SUITES if s in options.suites}


@contextmanager
def prompts_from(folder: Path | None) -> Iterator[Path]:
    """Read prompts (and keyword phrases) from `folder` inside the block."""
    before = os.environ.get("PROMPTS_DIR")
    if folder is not None:
        os.environ["PROMPTS_DIR"] = str(Path(folder).resolve())
    prompts.reload()
    try:
        yield prompts.prompts_dir()
    finally:
        if before is None:
            os.environ.pop("PROMPTS_DIR", None)
        else:
            os.environ["PROMPTS_DIR"] = before
        prompts.reload()


def fingerprint(folder: Path) -> str:
    """A short hash of every prompt file, so a report says which prompt version it measured."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".yaml", ".yml")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _oracle_labels(files: dict[str, list[Path]]) -> dict[str, tuple[str, int | None]]:
    paths = {DATASETS_DIR / f"{s}.jsonl" for s in _ROW_SUITES}
    paths |= {p for suite, ps in files.items() if suite in _ROW_SUITES for p in ps}
    return labels_from_rows(row for path in sorted(paths) for row in load_jsonl(path))


def run(options: RunOptions, progress: Progress | None = None) -> dict[str, Any]:
    """Run the suites; the whole run (meta, suites) as JSON-ready data."""
    sink = progress or _Silent()
    files = plan(options)
    started, clock = utcnow(), time.perf_counter()
    cassette = options.cassette or (DEFAULT_CASSETTE if options.provider == "replay" else None)
    with prompts_from(options.prompts_dir) as folder:
        labels = _oracle_labels(files) if options.provider == "oracle" else None
        setup = setup_provider(
            options.provider,
            model=options.model,
            cassette=cassette,
            record=options.record,
            labels=labels,
        )
        dense = build_dense_ranker(Settings())  # the service's embeddings (none, local or API)
        harness = Harness(
            setup.interpreter, setup.model, setup.support_contact, options.workers, dense
        )
        suites: dict[str, Any] = {}
        for suite, paths in files.items():
            names = [shown(p) for p in paths]
            if suite == "stories":
                items: list[Any] = load_all(paths)[: options.limit]
                sink.start(suite, len(items))
                result = run_stories(items, harness, sink.advance, names)
            else:
                rows = [row for p in paths for row in load_jsonl(p)]
                rows = select_rows(rows, options.tags, options.limit)
                sink.start(suite, len(rows))
                result = _ROW_SUITES[suite](rows, harness, sink.advance, names)
            suites[suite] = result.to_dict()
        prompt_hash = fingerprint(folder)
    meta = {
        "label": options.label or f"{options.provider}:{setup.model or 'keywords'}",
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - clock, 2),
        "provider": options.provider,
        "model": setup.model,
        "prompts_dir": shown(folder),
        "prompts_fingerprint": prompt_hash,
        "embeddings": dense.model if dense else None,
        "cassette": setup.cassette,
        "recorded": setup.writer.count if setup.writer else None,
        "tags": options.tags,
        "limit": options.limit,
    }
    records = [t for s in suites.values() for c in s["cases"] for t in c.get("turn_usage", [])]
    total = summarise_usage(records, setup.model if setup.interpreter else None)
    return {"schema": RUN_SCHEMA, "meta": meta, "suites": suites, "usage": total}
