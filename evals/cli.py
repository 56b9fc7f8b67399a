"""`genie evals run|compare|report`: score Genie on the eval datasets, gate and compare runs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from agent.stories import StoryFileError
from evals.baseline import RATE_TOLERANCE, compare_runs
from evals.cassette import CassetteError
from evals.gates import GateFileError, check_gates, load_gates
from evals.loading import DEFAULT_GATES, DatasetError, shown
from evals.providers import PROVIDERS, ProviderError
from evals.report_html import write_html
from evals.report_text import RichProgress, print_baseline, print_run
from evals.results import SUITES, load_run, save_run
from evals.runner import RunOptions, run

app = typer.Typer(
    help="Evaluate Genie: intents, questions, safety and stories.", no_args_is_help=True
)
_SETUP_ERRORS = (
    ProviderError,
    DatasetError,
    CassetteError,
    GateFileError,
    StoryFileError,
    ValueError,
)


def _fail(console: Console, message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _suites(chosen: list[str]) -> list[str]:
    names = [s for choice in chosen or ["all"] for s in (SUITES if choice == "all" else [choice])]
    unknown = sorted(set(names) - set(SUITES))
    if unknown:
        raise ValueError(f"unknown suite {unknown[0]!r}: choose {', '.join(SUITES)} or all")
    return [s for s in SUITES if s in names]


SuiteOpt = Annotated[
    list[str], typer.Option(help="intents|questions|safety|stories|all; repeatable")
]
DatasetOpt = Annotated[
    list[Path], typer.Option(help="A dataset file instead of the committed ones; repeatable")
]
ModelOpt = Annotated[
    str | None, typer.Option(help="Model name (default OPENAI_MODEL; replay: the cassette's)")
]
CassetteOpt = Annotated[
    Path | None, typer.Option(help="Cassette to replay (default evals/cassettes/oracle.jsonl)")
]
RecordOpt = Annotated[
    Path | None, typer.Option(help="Record the model's answers to this cassette (JSONL)")
]
JsonOpt = Annotated[Path | None, typer.Option("--json", help="Write the run as JSON")]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="Write an HTML report")]
BaselineOpt = Annotated[Path | None, typer.Option(help="A previous run's JSON to compare with")]
TagOpt = Annotated[list[str], typer.Option(help="Only rows with this tag; repeatable")]
RegressionOpt = Annotated[bool, typer.Option(help="Exit 1 on regressions against the baseline")]
ToleranceOpt = Annotated[float, typer.Option(help="Drop of a rate tolerated as noise")]


@app.command("run")
def run_command(
    suite: SuiteOpt = [],  # noqa: B006 (typer reads the default, never mutates it)
    dataset: DatasetOpt = [],  # noqa: B006
    provider: Annotated[str, typer.Option(help="|".join(PROVIDERS))] = "none",
    model: ModelOpt = None,
    prompts: Annotated[Path | None, typer.Option(help="Read prompts and keywords from DIR")] = None,
    cassette: CassetteOpt = None,
    record: RecordOpt = None,
    json_out: JsonOpt = None,
    html_out: HtmlOpt = None,
    baseline: BaselineOpt = None,
    gates: Annotated[
        Path, typer.Option(help="Gates file", show_default="evals/gates.yaml")
    ] = DEFAULT_GATES,
    no_gates: Annotated[bool, typer.Option("--no-gates", help="Do not check gates")] = False,
    tag: TagOpt = [],  # noqa: B006
    limit: Annotated[int | None, typer.Option(help="At most N cases per suite")] = None,
    workers: Annotated[int, typer.Option(help="Cases run in parallel (real models)")] = 1,
    label: Annotated[str | None, typer.Option(help="Name of this run in reports")] = None,
    errors: Annotated[int, typer.Option(help="Errors listed per suite in the terminal")] = 10,
    fail_on_regression: RegressionOpt = False,
    tolerance: ToleranceOpt = RATE_TOLERANCE,
) -> None:
    """Run the suites and print the report; exit 1 when a gate fails."""
    console = Console(highlight=False)
    try:
        options = RunOptions(
            suites=_suites(suite),
            datasets=dataset,
            provider=provider,
            model=model,
            prompts_dir=prompts,
            cassette=cassette,
            record=record,
            tags=tag,
            limit=limit,
            workers=max(1, workers),
            label=label,
        )
        base = load_run(baseline) if baseline else None
        gate_config = None if no_gates else load_gates(gates)
        with RichProgress(Console(stderr=True)) as progress, _fallbacks_not_logged():
            result = run(options, progress)
    except _SETUP_ERRORS as exc:
        raise _fail(console, str(exc)) from exc
    if base is not None:
        result["baseline"] = compare_runs(result, base, tolerance)
    if gate_config is not None:
        result["gates"] = check_gates(result, gate_config, shown(gates))
    _write(console, result, json_out, html_out)
    print_run(console, result, errors=errors)
    _exit_code(console, result, fail_on_regression)


@contextmanager
def _fallbacks_not_logged() -> Iterator[None]:
    """Keep genie's warnings out of a run's report (fallbacks are counted), then restore."""
    logger = logging.getLogger("genie")
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def _write(
    console: Console, result: dict[str, Any], json_out: Path | None, html_out: Path | None
) -> None:
    if json_out:
        save_run(result, json_out)
        console.print(f"wrote {json_out}")
    if html_out:
        write_html(result, html_out)
        console.print(f"wrote {html_out}")
    if result["meta"].get("recorded") is not None:
        console.print(
            f"recorded {result['meta']['recorded']} responses to {result['meta']['cassette']}"
        )


def _exit_code(console: Console, result: dict[str, Any], fail_on_regression: bool) -> None:
    if "gates" in result and not result["gates"]["passed"]:
        raise typer.Exit(1)
    if fail_on_regression and result.get("baseline", {}).get("regressions"):
        console.print("[red]regressions against the baseline[/red]")
        raise typer.Exit(1)


@app.command("compare")
def compare_command(
    current: Annotated[Path, typer.Argument(help="The run to judge (JSON)")],
    base: Annotated[Path, typer.Argument(help="The baseline run (JSON)")],
    html_out: HtmlOpt = None,
    everything: Annotated[bool, typer.Option("--all", help="List unchanged metrics too")] = False,
    fail_on_regression: RegressionOpt = False,
    tolerance: ToleranceOpt = RATE_TOLERANCE,
) -> None:
    """Compare two saved runs side by side (e.g. two prompt versions or two models)."""
    console = Console(highlight=False)
    try:
        result, baseline = load_run(current), load_run(base)
    except ValueError as exc:
        raise _fail(console, str(exc)) from exc
    result["baseline"] = compare_runs(result, baseline, tolerance)
    print_baseline(console, result["baseline"], everything)
    if html_out:
        write_html(result, html_out)
        console.print(f"wrote {html_out}")
    _exit_code(console, {"baseline": result["baseline"]}, fail_on_regression)


@app.command("report")
def report_command(
    saved: Annotated[Path, typer.Argument(help="A run saved with --json")],
    html_out: HtmlOpt = None,
    errors: Annotated[int, typer.Option(help="Errors listed per suite")] = 10,
) -> None:
    """Print a saved run again, or turn it into an HTML report."""
    console = Console(highlight=False)
    try:
        result = load_run(saved)
    except ValueError as exc:
        raise _fail(console, str(exc)) from exc
    print_run(console, result, errors=errors)
    if html_out:
        write_html(result, html_out)
        console.print(f"wrote {html_out}")
