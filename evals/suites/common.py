"""Helpers every suite shares: per-tag and per-language pass rates, assembling a SuiteResult."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from agent.languages import from_script
from evals.harness import Harness
from evals.metrics import ratio
from evals.results import SuiteResult
from evals.usage import summarise_usage

Tick = Callable[[], None]


def by_tag(cases: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Cases, passed cases and pass rate per tag, tags sorted by name."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        for tag in case.get("tags") or []:
            counts[tag][0] += 1
            counts[tag][1] += bool(case["passed"])
    return {
        tag: {"cases": n, "passed": ok, "rate": ratio(ok, n)}
        for tag, (n, ok) in sorted(counts.items())
    }


def row_language(row: dict[str, Any], text: str) -> str:
    """A dataset row's language: its `language` field, else its script's, else English."""
    return str(row.get("language") or from_script(text) or "en")


def by_language(cases: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Cases, passed cases and pass rate (accuracy, for intents) per language."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        if case.get("language"):
            counts[case["language"]][0] += 1
            counts[case["language"]][1] += bool(case["passed"])
    return {
        language: {"cases": n, "passed": ok, "rate": ratio(ok, n)}
        for language, (n, ok) in sorted(counts.items())
    }


def finish(
    name: str,
    datasets: list[str],
    metrics: dict[str, float | None],
    details: dict[str, Any],
    cases: list[dict[str, Any]],
    harness: Harness,
) -> SuiteResult:
    """The suite's result, its usage summed from the turn records the cases carry."""
    records = [r for case in cases for r in case.get("turn_usage", [])]
    details.setdefault("by_tag", by_tag(cases))
    details.setdefault("by_language", by_language(cases))
    return SuiteResult(
        name=name,
        datasets=datasets,
        metrics=metrics,
        details=details,
        cases=cases,
        usage=summarise_usage(records, harness.model if harness.interpreter else None),
    )


def usage_fields(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A case's cost in brief: latency, LLM calls, tokens and fallbacks over its turns."""
    return {
        "latency_ms": round(sum(r["latency_ms"] for r in records), 2),
        "llm_calls": sum(r["llm_calls"] for r in records),
        "tokens": sum(r["prompt_tokens"] + r["completion_tokens"] for r in records),
        "fallback_reason": next(
            (r["fallback_reason"] for r in records if r["fallback_reason"]), None
        ),
        "turn_usage": records,
    }
