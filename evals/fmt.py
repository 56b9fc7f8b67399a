"""Format metric values the same way in the terminal and the HTML report."""

from __future__ import annotations

from typing import Any

# Which metrics each suite shows first, in the summaries.
HEADLINE = {
    "intents": ["accuracy", "macro_f1", "weighted_f1"],
    "questions": ["hit_at_1", "hit_at_3", "must_contain", "not_covered", "pass_rate"],
    "safety": ["pass_rate", "state_kept", "leak_free"],
    "stories": ["pass_rate", "turn_pass_rate"],
}
_COUNTS = {
    "turns", "llm_turns", "llm_calls", "prompt_tokens", "completion_tokens", "tiktoken_prompt",
    "tiktoken_completion", "fallbacks", "llm_errors", "replay_misses", "errors", "failed",
    "false_not_covered", "tokens_per_llm_turn_p50", "tokens_per_llm_turn_p95",
}  # fmt: skip


def value(metric: str, number: Any) -> str:
    """A metric's value for people: 95.3%, 12 ms, $0.0040, 1,234 or n/a."""
    if number is None:
        return "n/a"
    if metric.startswith("latency"):
        return f"{number:,.1f}ms"
    if metric == "cost_usd":
        return f"${number:,.4f}"
    if metric in _COUNTS:
        return f"{number:,.0f}"
    return f"{100 * number:.1f}%"


def delta(metric: str, number: Any) -> str:
    """A signed difference in the metric's unit: +2.1 pts, -3 ms, +120."""
    if number is None:
        return ""
    if metric.startswith("latency"):
        return f"{number:+,.1f} ms"
    if metric == "cost_usd":
        return f"{number:+,.4f} $"
    if metric in _COUNTS:
        return f"{number:+,.0f}"
    return f"{100 * number:+.1f} pts"


def threshold(metric: str, op: str, number: float) -> str:
    """A gate's condition, e.g. ">= 90.0%"."""
    return f"{op} {value(metric, number)}"


def title(metric: str) -> str:
    """A metric name for column headers: hit_at_1 -> hit@1."""
    return metric.replace("_at_", "@").replace("_", " ")
