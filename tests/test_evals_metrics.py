"""Eval metrics on hand-computed examples: P/R/F1, confusion, percentiles, prices, gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.baseline import compare_metrics
from evals.gates import GateFileError, check_gates, load_gates
from evals.metrics import classification_report, confusion_matrix, percentile
from evals.pricing import cost_usd


def test_known_confusion_gives_known_precision_recall_f1() -> None:
    # gold a,a,a,b,b,c ; predicted a,a,b,b,c,c
    gold = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "c", "c"]
    report = classification_report(gold, predicted)
    scores = {s.label: s for s in report.labels}
    assert scores["a"].precision == pytest.approx(1.0)
    assert scores["a"].recall == pytest.approx(2 / 3)
    assert scores["a"].f1 == pytest.approx(0.8)
    assert scores["b"].precision == pytest.approx(0.5)
    assert scores["b"].recall == pytest.approx(0.5)
    assert scores["c"].precision == pytest.approx(0.5)
    assert scores["c"].recall == pytest.approx(1.0)
    assert scores["c"].f1 == pytest.approx(2 / 3)
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.macro.f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert report.weighted.f1 == pytest.approx((0.8 * 3 + 0.5 * 2 + 2 / 3 * 1) / 6)
    labels, matrix = confusion_matrix(gold, predicted, ["a", "b", "c"])
    assert labels == ["a", "b", "c"]
    assert matrix == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_a_right_label_can_still_be_wrong() -> None:
    """jump(5) for jump(2): the label matches but the row is an error of its label."""
    report = classification_report(["jump", "jump"], ["jump", "jump"], [True, False])
    jump = report.labels[0]
    assert report.accuracy == 0.5
    assert (jump.precision, jump.recall) == (0.5, 0.5)


def test_macro_average_ignores_labels_that_are_never_gold() -> None:
    report = classification_report(["a", "a"], ["a", "z"])
    assert report.macro.recall == pytest.approx(0.5)
    assert {s.label for s in report.labels} == {"a", "z"}


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError):
        classification_report(["a"], ["a", "b"])


def test_percentiles_interpolate() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile([], 50) is None


def test_cost_uses_the_model_price_and_knows_dated_names() -> None:
    assert cost_usd("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert cost_usd("gpt-4o-mini-2024-07-18", 2_000_000, 0) == pytest.approx(0.30)
    assert cost_usd("gpt-4o", 1_000_000, 0) == pytest.approx(2.50)
    assert cost_usd("my-local-llama", 1000, 1000) is None


def _run(provider: str, **metrics: float | None) -> dict[str, object]:
    suite = {"metrics": metrics, "usage": {}, "cases": []}
    return {"meta": {"provider": provider}, "suites": {"intents": suite}}


def test_gates_check_min_max_and_missing_values(tmp_path: Path) -> None:
    gates_file = tmp_path / "gates.yaml"
    gates_file.write_text("none:\n  intents:\n    min: {accuracy: 0.8}\n    max: {errors: 3}\n")
    gates = load_gates(gates_file)
    assert check_gates(_run("none", accuracy=0.9, errors=3), gates)["passed"]
    assert not check_gates(_run("none", accuracy=0.79, errors=0), gates)["passed"]
    assert not check_gates(_run("none", accuracy=0.9, errors=4), gates)["passed"]
    assert not check_gates(_run("none", accuracy=None, errors=0), gates)["passed"]
    assert check_gates(_run("openai", accuracy=0.1), gates)["note"]


def test_a_malformed_gates_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "gates.yaml"
    bad.write_text("none:\n  intents:\n    at_least: {accuracy: 0.8}\n")
    with pytest.raises(GateFileError):
        load_gates(bad)
    bad.write_text("none:\n  intents:\n    min: {accuracy: high}\n")
    with pytest.raises(GateFileError):
        load_gates(bad)


def test_baseline_marks_direction_aware_regressions() -> None:
    now = {"metrics": {"accuracy": 0.80}, "usage": {"latency_p95_ms": 10.0, "turns": 5}}
    before = {"metrics": {"accuracy": 0.90}, "usage": {"latency_p95_ms": 40.0, "turns": 9}}
    rows = {r["metric"]: r for r in compare_metrics(now, before)}
    assert rows["accuracy"]["regression"] and not rows["accuracy"]["improvement"]
    assert rows["latency_p95_ms"]["improvement"] and not rows["latency_p95_ms"]["regression"]
    assert "turns" not in rows  # a size, not a score: left out of the comparison
    tiny = compare_metrics({"metrics": {"accuracy": 0.898}}, {"metrics": {"accuracy": 0.9}})
    assert not tiny[0]["regression"]
