"""Print bench results as rich tables, and write them as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

LATENCY_COLUMNS = ("count", "p50", "p95", "p99", "max")


def _latency_table(title: str, rows: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("what")
    for column in LATENCY_COLUMNS:
        table.add_column(column if column == "count" else f"{column} ms", justify="right")
    for name, summary in rows.items():
        table.add_row(name, *(str(summary.get(c, "")) for c in LATENCY_COLUMNS))
    return table


def _pairs_table(title: str, pairs: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for name, value in pairs.items():
        table.add_row(name, str(value))
    return table


def print_micro(result: dict[str, Any], console: Console) -> None:
    """The engine-alone latency per command."""
    rows = {"all keyword turns": result["overall_ms"], **result["per_command_ms"]}
    title = f"Engine alone, keyword turns ({result['turns']} turns, {result['store']})"
    console.print(_latency_table(title, rows))
    console.print(f"turns/s (one thread): {result['turns_per_s']}")


def print_sends(result: dict[str, Any], console: Console) -> None:
    """CPU per send and per delivered outbox part (best and median of the repeats)."""
    table = Table(
        title=f"Send path, CPU ms per send or part ({result['sends']} each, "
        f"best and median of {result['repeats']} runs, this thread only)",
        title_justify="left",
    )
    for column in ("what", "best ms", "median ms"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for name, best in result["cpu_ms"].items():
        table.add_row(name, str(best), str(result["cpu_ms_median"][name]))
    console.print(table)


def print_load(result: dict[str, Any], console: Console) -> None:
    """Latency, throughput, LLM use, memory, correctness and faults of one load run."""
    config = result["config"]
    title = (
        f"{result['mode']}: {config['partners']} partners, {config['processes']} process(es), "
        f"{config['store']}, LLM {config['llm_latency_ms']:.0f} ms"
    )
    rows = {"webhook ack": result["ack_ms"]}
    rows |= {f"end-to-end, {path}": s for path, s in result["e2e_ms"].items() if s["count"]}
    console.print(_latency_table(title, rows))
    llm = result["llm"]
    usage = {
        f"{path}: calls / prompt tok / completion tok per turn": (
            f"{u['calls_per_turn']} / {u['prompt_tokens_per_turn']} / "
            f"{u['completion_tokens_per_turn']}"
        )
        for path, u in llm["by_path"].items()
        if u["turns"]
    }
    usage |= {"LLM calls per turn (all turns)": llm["calls_per_turn_all"],
              "tokens per turn (all turns)": llm["tokens_per_turn_all"]}  # fmt: skip
    console.print(_pairs_table("Throughput and LLM use", {**result["throughput"], **usage}))
    other = {"peak RSS per process (MB)": result["rss_mb"]["per_process_peak"],
             "webhook retries (Twilio-style)": result["ack_retries"],
             "CPU cores used: services / bench (fakes + partners)":
                 f"{result['cpu']['services_cores']} / {result['cpu']['bench_cores']}"}  # fmt: skip
    callbacks = result.get("status_callbacks", {})
    if callbacks.get("per_message"):
        other["status callbacks: sent / acked / failed / dropped"] = " / ".join(
            str(callbacks[k]) for k in ("sent", "acked", "failed", "dropped")
        )
        other["parts without their last status"] = callbacks["parts_without_last_status"]
    other["service CPU ms per message"] = result["cpu"]["services_ms_per_message"]
    correctness = {k: v for k, v in result["correctness"].items() if k != "examples"}
    console.print(_pairs_table("Correctness and memory", {**correctness, **other}))
    for example in result["correctness"]["examples"]:
        console.print(f"  [yellow]example:[/] {example}")
    for fault in result.get("faults", []):
        when = f"at {fault['at_s']} s" if fault["injected"] else f"not injected ({fault['note']})"
        console.print(f"  fault {fault['name']}: {when}, {fault['duration_s']} s")


def write_json(results: dict[str, Any], path: Path) -> None:
    """Write all results as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
