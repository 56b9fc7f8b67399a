"""Quality gates: per provider and suite, minimum and maximum values of metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from evals.results import all_metrics


class GateFileError(ValueError):
    """A gates file that does not follow the documented shape."""


def load_gates(path: str | Path) -> dict[str, Any]:
    """The gates file: {provider: {suite: {min: {metric: value}, max: {metric: value}}}}."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise GateFileError(f"cannot read gates {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise GateFileError(f"{path}: expected a mapping of providers")
    for provider, suites in data.items():
        for suite, bounds in (suites or {}).items():
            if not isinstance(bounds, dict) or set(bounds) - {"min", "max"}:
                raise GateFileError(f"{path}: {provider}.{suite} takes only 'min' and 'max'")
            for kind in ("min", "max"):
                for metric, value in (bounds.get(kind) or {}).items():
                    if not isinstance(value, int | float) or isinstance(value, bool):
                        where = f"{provider}.{suite}.{kind}.{metric}"
                        raise GateFileError(f"{path}: {where} must be a number")
    return data


def check_gates(run: dict[str, Any], gates: dict[str, Any], source: str = "") -> dict[str, Any]:
    """Every gate of the run's provider on the suites that ran; passed only if all hold.

    A metric without a value (e.g. no rows) fails its gate: silence must not look like success.
    """
    provider = run["meta"]["provider"]
    section = gates.get(provider) or gates.get("default") or {}
    checks = []
    for suite, bounds in section.items():
        if suite not in run["suites"]:
            continue
        values = all_metrics(run["suites"][suite])
        for kind, op in (("min", ">="), ("max", "<=")):
            for metric, threshold in (bounds.get(kind) or {}).items():
                value = values.get(metric)
                ok = value is not None and (
                    value >= threshold if kind == "min" else value <= threshold
                )
                checks.append(
                    {
                        "suite": suite,
                        "metric": metric,
                        "op": op,
                        "threshold": threshold,
                        "value": value,
                        "passed": ok,
                    }
                )
    return {
        "file": source,
        "provider": provider,
        "passed": all(c["passed"] for c in checks),
        "checks": checks,
        "note": None if section else f"no gates for provider {provider!r}",
    }
