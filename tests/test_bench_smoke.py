"""`genie bench` end to end, tiny: micro mode, a 3-partner load run, the CLI and its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evals.bench.cli import bench
from evals.bench.micro import KEYWORD_CYCLE, run_micro
from evals.bench.run import LoadOptions, run_load
from evals.bench.script import PATHS, script_for

PROBLEMS = ("lost", "duplicated", "out_of_order", "unexpected", "turns_timed_out",
            "partners_wrong_progress", "partners_unfinished")  # fmt: skip


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback calls must not go through a proxy configured on the test machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_micro_mode_times_every_keyword_command() -> None:
    result = run_micro(turns=240, partners=4)

    assert result["turns"] == 240
    assert result["non_keyword_turns"] == 0
    assert set(result["per_command_ms"]) == set(KEYWORD_CYCLE)
    assert sum(s["count"] for s in result["per_command_ms"].values()) == 240
    overall = result["overall_ms"]
    assert 0 < overall["p50"] <= overall["p95"] <= overall["p99"] <= overall["max"]


@pytest.mark.timeout(120)
def test_tiny_load_run_delivers_every_reply_once_in_order() -> None:
    result = run_load(LoadOptions(partners=2, llm_latency_ms=20, max_seconds=100))

    script = script_for(0)  # enrol, every session with its quiz, questions, feedback
    correctness = result["correctness"]
    assert {k: correctness[k] for k in PROBLEMS} == dict.fromkeys(PROBLEMS, 0)
    assert correctness["partners_checked"] == 2
    assert correctness["received_replies"] == correctness["expected_replies"] > len(script) * 2
    assert result["ack_ms"]["count"] == result["throughput"]["turns"] == len(script) * 2
    per_path = {path: 2 * sum(step.path == path for step in script) for path in PATHS}
    assert per_path["llm"] == 8 and per_path["question"] == 4
    assert {p: s["count"] for p, s in result["e2e_ms"].items()} == per_path
    by_path = result["llm"]["by_path"]
    assert by_path["keyword"]["calls_per_turn"] == 0  # whole-message commands skip the LLM
    assert by_path["llm"]["calls_per_turn"] >= 1
    assert by_path["question"]["prompt_tokens_per_turn"] > 0
    assert result["llm"]["unmatched_requests"] == 0
    assert result["rss_mb"]["max"] > 0 and len(result["rss_mb"]["per_process_peak"]) == 1
    assert result["faults"] == []


@pytest.mark.timeout(120)
def test_status_callbacks_reach_the_service_and_every_part_ends_with_the_last() -> None:
    options = LoadOptions(partners=2, keyword_only=True, max_seconds=60, status_callbacks=3)
    result = run_load(options)

    correctness = result["correctness"]
    assert {k: correctness[k] for k in PROBLEMS} == dict.fromkeys(PROBLEMS, 0)
    callbacks = result["status_callbacks"]
    parts = correctness["received_replies"]
    assert callbacks["per_message"] == 3 and callbacks["parts_checked"] == parts > 0
    assert callbacks["sent"] == callbacks["acked"] == 3 * parts
    assert (
        callbacks["failed"] == callbacks["dropped"] == callbacks["parts_without_last_status"] == 0
    )
    assert result["cpu"]["services_ms_per_message"] > 0


def test_cli_writes_the_micro_result_as_json(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(bench)
    out = tmp_path / "bench.json"

    outcome = CliRunner().invoke(app, ["--micro", "--micro-turns", "120", "--json", str(out)])

    assert outcome.exit_code == 0, outcome.output
    assert "Engine alone" in outcome.output
    assert json.loads(out.read_text())["micro"]["turns"] == 120


def test_cli_refuses_mongo_without_a_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    app = typer.Typer()
    app.command()(bench)

    outcome = CliRunner().invoke(app, ["--store", "mongo", "--partners", "1"])

    assert outcome.exit_code == 2 and "MONGODB_URI" in outcome.output


def test_cli_times_the_send_path(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(bench)
    out = tmp_path / "sends.json"

    outcome = CliRunner().invoke(app, ["--sends", "30", "--json", str(out)])

    assert outcome.exit_code == 0, outcome.output
    assert "Send path" in outcome.output
    result = json.loads(out.read_text())["sends"]
    assert result["sends"] == 30 and len(result["cpu_ms"]) == 4
    assert all(ms > 0 for ms in result["cpu_ms"].values())
    assert result["cpu_ms"].keys() == result["cpu_ms_median"].keys()
