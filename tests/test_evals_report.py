"""The HTML and terminal reports: self-contained, with tables, charts and escaped text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from evals.baseline import compare_runs
from evals.report_html import render_html
from evals.report_text import print_run
from evals.runner import RunOptions, run

ROWS = [
    {"text": "next", "intent": "next", "in_training": True, "current_session": 2,
     "tags": ["terse"]},
    # Labelled session 6 on purpose: an error row whose text carries markup for the report.
    {"text": "<script>alert('x')</script> go to session 5", "intent": "jump", "session": 6,
     "in_training": True, "current_session": 2, "tags": ["hard_negative"]},
    {"text": "what is the commission on copper?", "intent": "question", "in_training": True,
     "current_session": 2, "tags": ["paraphrase"]},
    {"text": "tell me a joke", "intent": "other", "in_training": False,
     "current_session": None, "tags": ["hard_negative"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Intents from a tiny dataset plus the committed safety suite."""
    folder = tmp_path_factory.mktemp("data")
    dataset = folder / "tiny.jsonl"
    dataset.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    intents = run(RunOptions(datasets=[dataset]))
    safety = run(RunOptions(suites=["safety"]))
    intents["suites"].update(safety["suites"])
    return intents


def test_html_is_self_contained_with_tables_and_charts(small_run: dict[str, Any]) -> None:
    page = render_html(small_run)
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") >= 2  # F1 bars and the confusion heatmap at least
    assert "Confusion matrix" in page and "precision" in page and "<table>" in page
    assert "id='safety'" in page and "id='intents'" in page
    # No external assets: no scripts, stylesheets, fonts or images fetched from anywhere.
    assert "<script" not in page
    assert not re.search(r"(src|href)=['\"]https?:", page)
    assert "&lt;script&gt;" in page


def test_html_shows_gates_and_the_baseline(small_run: dict[str, Any]) -> None:
    worse = json.loads(json.dumps(small_run))
    worse["suites"]["intents"]["metrics"]["accuracy"] -= 0.25
    worse["meta"]["label"] = "worse prompt"
    worse["baseline"] = compare_runs(worse, small_run)
    check = {"suite": "intents", "metric": "accuracy", "op": ">=", "threshold": 0.9}
    check.update(value=0.5, passed=False)
    worse["gates"] = {"file": "g.yaml", "provider": "none", "passed": False, "note": None}
    worse["gates"]["checks"] = [check]
    page = render_html(worse)
    assert "gates FAIL" in page and "Baseline comparison: 1 regression(s)" in page
    assert "▼ regression" in page and "worse prompt" in page


def test_terminal_report_lists_scores_and_errors(small_run: dict[str, Any]) -> None:
    console = Console(record=True, width=120)
    print_run(console, small_run, errors=5)
    text = console.export_text()
    assert "Intents" in text and "weighted avg" in text and "accuracy" in text
    assert "Cost and latency per suite" in text
    errors = small_run["suites"]["intents"]["details"]["errors"]
    assert errors, "the tiny dataset is meant to contain keyword-path errors"
    for error in errors:
        assert error["expected"] in text


def test_saved_run_round_trips_through_the_report_command(
    small_run: dict[str, Any], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from evals.cli import app
    from evals.results import save_run

    saved = tmp_path / "run.json"
    save_run(small_run, saved)
    outcome = CliRunner().invoke(app, ["report", str(saved), "--html", str(tmp_path / "r.html")])
    assert outcome.exit_code == 0, outcome.output
    assert "<svg" in (tmp_path / "r.html").read_text()
    assert CliRunner().invoke(app, ["report", str(tmp_path / "nope.json")]).exit_code == 2
