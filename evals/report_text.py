"""The terminal report: a progress bar while running, then summary, details, gates, baseline."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from evals import fmt
from evals.report_details import print_details

USAGE_COLUMNS = [
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "fallbacks",
    "replay_misses",
    "latency_p50_ms",
    "latency_p95_ms",
    "cost_usd",
]


class RichProgress:
    """A progress bar per suite on stderr; silent when stderr is not a terminal."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.stop()

    def start(self, suite: str, total: int) -> None:
        """Add a bar for the suite."""
        self._task = self._bar.add_task(suite, total=total)

    def advance(self) -> None:
        """One more case done."""
        if self._task is not None:
            self._bar.advance(self._task)


SHORT = {"llm_calls": "calls", "prompt_tokens": "tok in", "completion_tokens": "tok out",
         "fallbacks": "fb", "replay_misses": "miss", "latency_p50_ms": "p50",
         "latency_p95_ms": "p95", "cost_usd": "cost"}  # fmt: skip


def print_summary(console: Console, run: dict[str, Any]) -> None:
    """Who ran what, each suite's headline metrics, then what each suite cost."""
    meta = run["meta"]
    console.print(
        f"[bold]Genie evals[/bold] · {meta['label']} · provider [cyan]{meta['provider']}[/cyan]"
        f" · model {meta['model'] or '-'} · prompts {meta['prompts_fingerprint']}"
        f" · {meta['duration_s']} s"
    )
    quality = Table(box=box.SIMPLE_HEAD, title="Summary", title_justify="left")
    quality.add_column("suite")
    quality.add_column("cases", justify="right")
    quality.add_column("headline metrics")
    usage = Table(
        box=box.SIMPLE_HEAD,
        title="Cost and latency per suite",
        title_justify="left",
        caption="calls: LLM requests; tok: reported tokens; fb: fallbacks to keywords; "
        "miss: replay misses; p50/p95: turn latency",
        caption_justify="left",
    )
    usage.add_column("suite", no_wrap=True)
    for column in USAGE_COLUMNS:
        usage.add_column(SHORT[column], justify="right", no_wrap=True)
    for name, suite in run["suites"].items():
        metrics = suite["metrics"]
        headline = "  ".join(
            f"{fmt.title(m)} [bold]{fmt.value(m, metrics.get(m))}[/bold]"
            for m in fmt.HEADLINE.get(name, [])
        )
        quality.add_row(name, str(len(suite["cases"])), headline)
        usage.add_row(name, *(fmt.value(c, suite["usage"].get(c)) for c in USAGE_COLUMNS))
    if "usage" in run and len(run["suites"]) > 1:
        total = run["usage"]
        usage.add_row("[bold]run[/bold]", *(fmt.value(c, total.get(c)) for c in USAGE_COLUMNS))
    console.print(quality)
    console.print(usage)


def print_gates(console: Console, gates: dict[str, Any]) -> None:
    """Every gate with its threshold, the measured value and PASS or FAIL."""
    if gates.get("note"):
        console.print(f"[yellow]Gates: {gates['note']}[/yellow]")
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"Gates ({gates['file']})", title_justify="left")
    for column in ("suite", "metric", "gate", "value", "result"):
        table.add_column(column)
    for check in gates["checks"]:
        mark = "[green]PASS[/green]" if check["passed"] else "[bold red]FAIL[/bold red]"
        table.add_row(
            check["suite"],
            check["metric"],
            fmt.threshold(check["metric"], check["op"], check["threshold"]),
            fmt.value(check["metric"], check["value"]),
            mark,
        )
    console.print(table)
    verdict = "[green]all gates pass[/green]" if gates["passed"] else "[red]gates FAILED[/red]"
    console.print(f"Gates: {verdict}")


def print_baseline(console: Console, comparison: dict[str, Any], everything: bool) -> None:
    """Metrics side by side with the baseline; regressions marked ▼, improvements ▲."""
    base, now = comparison["baseline"], comparison["current"]
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"Baseline: {base.get('label')} → {now.get('label')}",
        title_justify="left",
    )
    for column in ("suite", "metric", "baseline", "current", "delta", ""):
        table.add_column(column, justify="right" if column in ("baseline", "current") else "left")
    for suite, compared in comparison["suites"].items():
        for row in compared["metrics"]:
            if not (everything or row["regression"] or row["improvement"]):
                continue
            mark = "[red]▼ regression[/red]" if row["regression"] else ""
            mark = "[green]▲ better[/green]" if row["improvement"] else mark
            m = row["metric"]
            values = [fmt.value(m, row["baseline"]), fmt.value(m, row["current"])]
            table.add_row(suite, fmt.title(m), *values, fmt.delta(m, row["delta"]), mark)
    console.print(table)
    for suite, compared in comparison["suites"].items():
        for kind, colour in (("newly_failing", "red"), ("newly_passing", "green")):
            keys, total = compared["flips"][kind], compared["flips"]["counts"][kind]
            if keys:
                what = kind.replace("_", " ")
                console.print(
                    f"[{colour}]{suite}: {total} {what}[/{colour}] (first {min(5, total)})"
                )
            for key in keys[:5]:
                console.print(f"  {escape(key)}")
    console.print(f"Baseline: {comparison['regressions']} regression(s)")


def print_run(console: Console, run: dict[str, Any], *, errors: int = 10) -> None:
    """The whole terminal report of a run (gates and baseline when the run carries them)."""
    print_summary(console, run)
    print_details(console, run, errors)
    if "baseline" in run:
        print_baseline(console, run["baseline"], everything=False)
    if "gates" in run:
        print_gates(console, run["gates"])
