"""`genie bench`: load, latency and fault benchmarks (numbers, not pass/fail timings)."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from evals.bench.ingress import print_ingress, run_ingress
from evals.bench.ingress_http import run_ingress_http
from evals.bench.micro import run_micro
from evals.bench.report import print_load, print_micro, print_sends, write_json
from evals.bench.run import LoadOptions, run_load
from evals.bench.sends import run_sends

PROBLEMS = ("lost", "duplicated", "out_of_order", "unexpected", "turns_timed_out",
            "partners_wrong_progress", "partners_unfinished")  # fmt: skip


class StoreKind(StrEnum):
    """Stores the bench can run against."""

    sqlite = "sqlite"
    mongo = "mongo"


def bench(
    partners: Annotated[int, typer.Option(min=1, help="Simulated partners")] = 200,
    llm_latency_ms: Annotated[float, typer.Option(min=0, help="Fake LLM latency")] = 400.0,
    processes: Annotated[int, typer.Option(min=1, max=16, help="Service processes")] = 1,
    store: Annotated[StoreKind, typer.Option(help="sqlite, or mongo (needs MONGODB_URI)")] = (
        StoreKind.sqlite
    ),
    faults: Annotated[bool, typer.Option(help="Inject faults during the load")] = False,
    micro: Annotated[bool, typer.Option(help="Time the engine alone (no HTTP)")] = False,
    micro_turns: Annotated[int, typer.Option(min=1, help="Turns in micro mode")] = 5000,
    sends: Annotated[
        int | None,
        typer.Option(min=1, help="Time the send path alone: CPU per Twilio send and outbox part"),
    ] = None,
    ingress: Annotated[
        bool, typer.Option(help="CPU per signed webhook, no inbox workers (app, then uvicorn)")
    ] = False,
    ingress_requests: Annotated[int, typer.Option(min=10, help="Webhooks per ingress run")] = 2000,
    keyword_only: Annotated[
        bool, typer.Option(help="Only whole-message commands (the throughput scenario)")
    ] = False,
    think_ms: Annotated[
        float | None, typer.Option(min=0, help="Pause between messages [0; 1500 with --faults]")
    ] = None,
    arrivals_s: Annotated[
        float, typer.Option(min=0, help="Partners start at random times within this many seconds")
    ] = 0.0,
    random_think: Annotated[
        bool, typer.Option(help="Random pauses (exponential, mean --think-ms) instead of equal")
    ] = False,
    turn_timeout: Annotated[
        float | None,
        typer.Option(min=1, help="Seconds to wait for replies [30; 120 with --faults]"),
    ] = None,
    max_seconds: Annotated[float, typer.Option(min=1, help="Stop sending after this")] = 600,
    status_callbacks: Annotated[
        int,
        typer.Option(
            min=0, max=3, help="Twilio status callbacks per sent part: sent, delivered, read"
        ),
    ] = 0,
    keep: Annotated[
        Path | None, typer.Option(help="Keep the database and service logs in this folder")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON here")] = None,
) -> None:
    """Drive the real service through its signed Twilio webhook, or time the engine alone."""
    standalone = micro or sends is not None or ingress  # modes that open no shared store
    if store is StoreKind.mongo and not standalone and not os.environ.get("MONGODB_URI"):
        raise typer.BadParameter("--store mongo needs MONGODB_URI", param_hint="--store")
    console = Console()
    results: dict[str, Any] = {}
    if micro:
        results["micro"] = run_micro(turns=micro_turns)
        print_micro(results["micro"], console)
    elif sends is not None:
        results["sends"] = run_sends(sends=sends)
        print_sends(results["sends"], console)
    elif ingress:
        for level in ("INFO", "WARNING"):
            results[f"ingress_app_{level.lower()}"] = run_ingress(ingress_requests, level)
            results[f"ingress_uvicorn_{level.lower()}"] = run_ingress_http(ingress_requests, level)
        print_ingress(results, console)
    else:
        options = LoadOptions(
            partners=partners, llm_latency_ms=llm_latency_ms, processes=processes,
            store=store.value, faults=faults, keyword_only=keyword_only, think_ms=think_ms,
            arrivals_s=arrivals_s, random_think=random_think, turn_timeout=turn_timeout,
            max_seconds=max_seconds, status_callbacks=status_callbacks,
            keep_dir=str(keep) if keep else None,
        )  # fmt: skip
        results["load"] = run_load(options)
        print_load(results["load"], console)
    if json_out is not None:
        write_json(results, json_out)
        console.print(f"JSON written to {json_out}")
    found = {
        k: v for k, v in results.get("load", {}).get("correctness", {}).items() if k in PROBLEMS
    }
    callbacks = results.get("load", {}).get("status_callbacks", {})
    if callbacks.get("failed") or callbacks.get("parts_without_last_status"):
        found["status_callbacks"] = callbacks
    if any(found.values()):
        console.print(f"[red]correctness problems:[/] {found}")
        raise typer.Exit(1)
