"""The offline eval suites (`none` and `replay`) pass their gates; a degraded run fails them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.intent_rules import IntentClassifier
from agent.intents import Classification, Intent
from evals.baseline import compare_runs
from evals.cli import app
from evals.gates import check_gates, load_gates
from evals.loading import DEFAULT_CASSETTE, DEFAULT_GATES
from evals.runner import RunOptions, run

BLIND_GATES = Path("evals/gates_blind.yaml")
RECORD_AGAIN = (
    "the LLM requests changed since evals/cassettes/oracle.jsonl was recorded (prompt, tools, "
    "keywords, messages or content). Record it again: "
    "python -m evals run --provider oracle --record evals/cassettes/oracle.jsonl"
)


def _failed(result: dict[str, Any]) -> list[str]:
    return [
        f"{c['suite']}.{c['metric']} = {c['value']} (gate {c['op']} {c['threshold']})"
        for c in result["gates"]["checks"]
        if not c["passed"]
    ]


def _gated(result: dict[str, Any]) -> dict[str, Any]:
    result["gates"] = check_gates(result, load_gates(DEFAULT_GATES), "evals/gates.yaml")
    return result


@contextmanager
def _as_shipped() -> Iterator[None]:
    """The service's default embeddings (the local model when installed), which the rest of
    the suite turns off (tests/conftest.py): the gates measure what partners get."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMBEDDINGS_PROVIDER", "auto")
        yield


@pytest.fixture(scope="module")
def keyword_run() -> dict[str, Any]:
    """Every suite on the deterministic path, gated."""
    with _as_shipped():
        return _gated(run(RunOptions(provider="none")))


def _degrade(monkeypatch: pytest.MonkeyPatch) -> None:
    """A classifier broken to answer "other" to everything."""

    def always_other(self: IntentClassifier, text: str, progress: object = None) -> Classification:
        return Classification(Intent.OTHER, source="default", confidence=0.5)

    monkeypatch.setattr(IntentClassifier, "classify", always_other)


def test_keyword_path_passes_its_gates(keyword_run: dict[str, Any]) -> None:
    assert set(keyword_run["suites"]) == {"intents", "questions", "safety", "stories"}
    assert keyword_run["gates"]["checks"], "no gates were checked for provider none"
    assert keyword_run["gates"]["passed"], _failed(keyword_run)


def test_replayed_llm_path_passes_its_gates() -> None:
    pytest.importorskip("agent.llm_agent", reason="the LLM agent is not available")
    assert DEFAULT_CASSETTE.is_file(), "the committed cassette is missing"
    with _as_shipped():
        result = _gated(run(RunOptions(provider="replay")))
    misses = {name: s["usage"]["replay_misses"] for name, s in result["suites"].items()}
    assert not any(misses.values()), f"replay misses {misses}: {RECORD_AGAIN}"
    calls = sum(s["usage"]["llm_calls"] for s in result["suites"].values())
    assert calls > 100, "the replay run barely used the LLM path"
    assert result["gates"]["passed"], _failed(result)


def test_a_degraded_classifier_fails_the_gate_and_the_baseline(
    keyword_run: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _degrade(monkeypatch)
    degraded = _gated(run(RunOptions(provider="none", suites=["intents"])))
    failed = {c["metric"] for c in degraded["gates"]["checks"] if not c["passed"]}
    assert {"accuracy", "macro_f1"} <= failed
    comparison = compare_runs(degraded, keyword_run)
    rows = {r["metric"]: r for r in comparison["suites"]["intents"]["metrics"]}
    assert rows["accuracy"]["regression"] and rows["accuracy"]["delta"] < -0.3
    assert "I am a new partner" in comparison["suites"]["intents"]["flips"]["newly_failing"]
    assert comparison["regressions"] >= 3


def test_cli_exit_codes_follow_gates_and_baseline(
    keyword_run: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runner = CliRunner()
    good = tmp_path / "good.json"
    outcome = runner.invoke(app, ["run", "--suite", "safety", "--json", str(good)])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(good.read_text())["gates"]["passed"]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(keyword_run, default=str))
    _degrade(monkeypatch)
    args = [
        "run",
        "--suite",
        "intents",
        "--baseline",
        str(baseline),
        "--html",
        str(tmp_path / "r.html"),
    ]
    outcome = runner.invoke(app, args)
    assert outcome.exit_code == 1, outcome.output
    assert "FAIL" in outcome.output and "regression" in outcome.output
    outcome = runner.invoke(app, [*args, "--no-gates", "--fail-on-regression"])
    assert outcome.exit_code == 1, outcome.output
    outcome = runner.invoke(app, [*args, "--no-gates"])
    assert outcome.exit_code == 0, outcome.output
    assert "<svg" in (tmp_path / "r.html").read_text()


def test_cli_refuses_bad_input_with_exit_code_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["run", "--suite", "everything"]).exit_code == 2
    missing = ["run", "--provider", "replay", "--cassette", str(tmp_path / "none.jsonl")]
    outcome = runner.invoke(app, missing)
    assert outcome.exit_code == 2 and "cassette" in outcome.output
    stray = tmp_path / "rows.jsonl"
    stray.write_text('{"foo": 1}\n')
    assert runner.invoke(app, ["run", "--dataset", str(stray)]).exit_code == 2


def test_keyword_path_passes_the_blind_intent_test_set_gates() -> None:
    """The offline classifier on messages written without seeing it (never tuned on them)."""
    blind = Path("evals/datasets/blind/intents_test.jsonl")
    result = run(RunOptions(provider="none", suites=["intents"], datasets=[blind]))
    result["gates"] = check_gates(result, load_gates(BLIND_GATES), str(BLIND_GATES))
    assert result["gates"]["checks"], "no gates were checked for the blind test set"
    assert result["gates"]["passed"], _failed(result)


def test_a_cli_run_leaves_the_genie_log_level_as_it_found_it() -> None:
    logger = logging.getLogger("genie")
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        outcome = CliRunner().invoke(app, ["run", "--suite", "safety", "--no-gates"])
        assert outcome.exit_code == 0, outcome.output
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(before)
