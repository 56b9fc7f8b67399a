"""Compare a run with a baseline run: metrics side by side, regressions and flipped cases."""

from __future__ import annotations

from typing import Any

from evals.results import LOWER_IS_BETTER, NEUTRAL, all_metrics

RATE_TOLERANCE = 0.005  # half a point: smaller moves of a rate are noise, not a regression
LATENCY_SLACK = (0.5, 5.0)  # latency: 50% slower and 5 ms more before it counts
COUNT_SLACK = (0.05, 0.5)  # tokens, calls: 5% more (and at least one more)
COST_SLACK = (0.05, 0.0)  # cost: 5% more
MAX_FLIPS_LISTED = 50
# Usage figures worth comparing (the rest, e.g. tiktoken estimates, stay in the JSON).
COMPARED_USAGE = ("llm_calls", "prompt_tokens", "completion_tokens", "fallbacks",
                  "replay_misses", "latency_p50_ms", "latency_p95_ms", "cost_usd")  # fmt: skip


def _slack(metric: str) -> tuple[float, float]:
    if metric.startswith("latency"):
        return LATENCY_SLACK
    return COST_SLACK if metric == "cost_usd" else COUNT_SLACK


def _regressed(metric: str, current: float, base: float, tolerance: float) -> bool:
    if metric in NEUTRAL:
        return False
    if metric not in LOWER_IS_BETTER:
        return current < base - tolerance
    relative, absolute = _slack(metric)
    return current > base * (1 + relative) + absolute


def _improved(metric: str, current: float, base: float, tolerance: float) -> bool:
    if metric in NEUTRAL:
        return False
    if metric not in LOWER_IS_BETTER:
        return current > base + tolerance
    relative, absolute = _slack(metric)
    return current < base * (1 - relative) - absolute


def compare_metrics(
    current: dict[str, Any], base: dict[str, Any], tolerance: float = RATE_TOLERANCE
) -> list[dict[str, Any]]:
    """One row per metric present in either suite: values, delta and regressed/improved marks."""

    def chosen(suite: dict[str, Any]) -> dict[str, float | None]:
        values = all_metrics(suite)
        keep = [*suite.get("metrics", {}), *COMPARED_USAGE]
        return {k: values[k] for k in keep if k in values}

    now, before = chosen(current), chosen(base)
    rows = []
    for metric in [*now, *(m for m in before if m not in now)]:
        a, b = now.get(metric), before.get(metric)
        row: dict[str, Any] = {"metric": metric, "current": a, "baseline": b, "delta": None}
        row["regression"] = row["improvement"] = False
        if a is not None and b is not None:
            row["delta"] = a - b
            row["regression"] = _regressed(metric, a, b, tolerance)
            row["improvement"] = _improved(metric, a, b, tolerance)
        rows.append(row)
    return rows


def flipped_cases(current: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Cases (by key) that passed in the baseline and fail now, and the other way round."""
    before = {c["key"]: bool(c["passed"]) for c in base.get("cases", [])}
    now = {c["key"]: bool(c["passed"]) for c in current.get("cases", [])}
    common = [k for k in now if k in before]
    failing = [k for k in common if before[k] and not now[k]]
    passing = [k for k in common if now[k] and not before[k]]
    return {
        "newly_failing": failing[:MAX_FLIPS_LISTED],
        "newly_passing": passing[:MAX_FLIPS_LISTED],
        "counts": {"newly_failing": len(failing), "newly_passing": len(passing)},
    }


def compare_runs(
    run: dict[str, Any], base: dict[str, Any], tolerance: float = RATE_TOLERANCE
) -> dict[str, Any]:
    """The comparison of every suite both runs have."""
    suites: dict[str, dict[str, Any]] = {}
    for name, suite in run["suites"].items():
        if name not in base.get("suites", {}):
            continue
        other = base["suites"][name]
        suites[name] = {
            "metrics": compare_metrics(suite, other, tolerance),
            "flips": flipped_cases(suite, other),
        }
    regressions = sum(r["regression"] for s in suites.values() for r in s["metrics"])
    return {
        "baseline": base.get("meta", {}),
        "current": run.get("meta", {}),
        "tolerance": tolerance,
        "suites": suites,
        "regressions": regressions,
    }
