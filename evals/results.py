"""The result of one suite and of a whole run, as JSON-ready data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RUN_SCHEMA = "genie-evals/1"
SUITES = ("intents", "questions", "safety", "stories")

# Sizes, not scores: compared but never marked better or worse.
NEUTRAL = frozenset({"turns", "llm_turns"})
# Metrics where a smaller value is better; every other metric is better when larger.
LOWER_IS_BETTER = frozenset(
    {
        "llm_calls", "prompt_tokens", "completion_tokens", "tiktoken_prompt",
        "tiktoken_completion", "fallbacks", "llm_errors", "replay_misses", "latency_p50_ms",
        "latency_p95_ms", "latency_max_ms", "tokens_per_llm_turn_p50", "tokens_per_llm_turn_p95",
        "cost_usd", "errors", "failed", "false_not_covered",
    }
)  # fmt: skip


@dataclass
class SuiteResult:
    """Scores of one suite: flat `metrics` for gates and baselines, `details` for the reports."""

    name: str
    datasets: list[str]
    metrics: dict[str, float | None]
    details: dict[str, Any] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The suite as plain JSON data."""
        return asdict(self)


def all_metrics(suite: dict[str, Any]) -> dict[str, float | None]:
    """A suite's quality metrics and its usage figures in one flat mapping."""
    metrics = dict(suite.get("metrics", {}))
    usage = suite.get("usage", {})
    metrics.update({k: v for k, v in usage.items() if isinstance(v, int | float | None)})
    return metrics


def load_run(path: str | Path) -> dict[str, Any]:
    """A run saved with --json; raises ValueError when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read run {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("schema") != RUN_SCHEMA:
        raise ValueError(f"{path} is not a genie evals run (schema {RUN_SCHEMA})")
    return data


def save_run(run: dict[str, Any], path: str | Path) -> None:
    """Write a run as indented JSON."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(run, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
