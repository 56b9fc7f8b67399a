"""One load run end to end: fakes, services, partners, faults, checks and the numbers."""

from __future__ import annotations

import asyncio
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.bootstrap import build_engine
from evals.bench import checks, metrics, status_load
from evals.bench.environment import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BENCH_MODEL,
    PUBLIC_BASE_URL,
    WHATSAPP_FROM,
    StoreChoice,
    bench_settings,
    services_env,
)  # fmt: skip
from evals.bench.faults import FaultTargets, inject_faults
from evals.bench.load import LoadSettings, PartnerDriver
from evals.bench.reference import EngineFactory, FinalState, expected_by_variant
from evals.bench.replies import ReplyBook
from evals.bench.script import Partner, keyword_only_script, make_partner, script_for
from evals.bench.service import ServiceFleet
from evals.bench.transcripts import write_transcripts
from evals.bench.webhook import WebhookClient
from evals.fakes.llm_responder import keyword_tool_responder
from evals.fakes.openai_replies import error
from evals.fakes.openai_server import FakeOpenAI
from evals.fakes.twilio_api import FakeTwilioAPI
from prompts import message
from store.factory import open_store
from store.sqlite_store import SQLiteStore


@dataclass
class LoadOptions:
    """What `genie bench` runs (see the CLI for the meaning of each option)."""

    partners: int = 200
    llm_latency_ms: float = 400.0
    processes: int = 1
    store: str = "sqlite"
    faults: bool = False
    keyword_only: bool = False
    think_ms: float | None = None
    arrivals_s: float = 0.0
    random_think: bool = False
    turn_timeout: float | None = None
    max_seconds: float = 600.0
    status_callbacks: int = 0  # Twilio status callbacks per accepted message (0: none)
    settle_s: float = 20.0
    keep_dir: str | None = None  # keep the database and service logs here (else a temp dir)

    @property
    def llm_timeout_s(self) -> float:
        """The services' LLM timeout: short under faults, so LLM timeouts fall back quickly."""
        return 2.0 if self.faults else 8.0

    @property
    def turn_timeout_s(self) -> float:
        """How long a partner waits for replies: 30 s, or 120 s under faults, where a crash
        leaves the phone's lease held until it expires (WHATSAPP_LEASE_S, 90 s by default)."""
        if self.turn_timeout is not None:
            return self.turn_timeout
        return 120.0 if self.faults else 30.0

    @property
    def think_s(self) -> float:
        """Pause between a reply and the partner's next message (1.5 s under faults)."""
        return (self.think_ms if self.think_ms is not None else 1500 * self.faults) / 1000


def _work_folder(keep: str | None) -> AbstractContextManager[str]:
    """A temporary folder, or the given one (created, kept afterwards)."""
    if keep is None:
        return tempfile.TemporaryDirectory(prefix="genie-bench-")
    Path(keep).mkdir(parents=True, exist_ok=True)
    return nullcontext(keep)


def _script_of(options: LoadOptions) -> Any:
    return (lambda _v: keyword_only_script()) if options.keyword_only else script_for


def _llm_factory(reference_llm: FakeOpenAI) -> EngineFactory:
    settings = bench_settings(
        llm_provider="openai",
        openai_api_key="bench-key",
        openai_base_url=reference_llm.base_url,
        openai_model=BENCH_MODEL,
    )
    return lambda store: build_engine(settings, store)


def run_load(options: LoadOptions) -> dict[str, Any]:
    """Run the load (and faults) once; the JSON-ready result."""
    return asyncio.run(_run(options))


async def _run(options: LoadOptions) -> dict[str, Any]:
    book = ReplyBook(asyncio.get_running_loop())
    with (
        _work_folder(options.keep_dir) as folder,
        FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN, on_message=book.on_message) as twilio,
        FakeOpenAI(
            latency_s=options.llm_latency_ms / 1000, responder=keyword_tool_responder
        ) as llm,
        FakeOpenAI(responder=keyword_tool_responder) as reference_llm,
        FakeOpenAI(responder=lambda _request: error(500)) as failing_llm,
    ):
        store = StoreChoice.make(options.store, Path(folder))
        store.seed()
        env = services_env(store, twilio, llm, options.llm_timeout_s)
        fleet = ServiceFleet(options.processes, env, Path(folder))
        callbacks = None
        try:
            fleet.spawn_all()
            partners = [make_partner(i) for i in range(options.partners)]
            script_of = _script_of(options)
            expected = expected_by_variant(
                partners, script_of, _llm_factory(reference_llm), _llm_factory(failing_llm)
            )
            await asyncio.to_thread(fleet.wait_all)
            callbacks = status_load.attach(twilio, options.status_callbacks, fleet.urls)
            targets = FaultTargets(fleet, llm, twilio, store.sqlite_path, options.llm_timeout_s)
            cpu_before = (fleet.cpu_seconds(), time.process_time())
            driver, seconds = await _drive(
                options, fleet, book, partners, script_of, expected, targets
            )
            if callbacks is not None:  # their CPU belongs to the run: wait for the last ones
                await asyncio.to_thread(callbacks.settle, status_load.SETTLE_S)
            cpu = metrics.cpu_use(
                fleet.cpu_seconds() - cpu_before[0],
                time.process_time() - cpu_before[1],
                seconds,
                len(driver.turns),
            )
            rss_kb = fleet.peak_rss_kb()
        finally:
            if callbacks is not None:
                callbacks.close()
            fleet.stop()
        result = _result(
            options, driver, book, partners, script_of, expected, store, seconds,
            targets.kill_times(),
        )  # fmt: skip
        if options.keep_dir:
            plan = [(p, script_of(p.variant), expected[p.variant]) for p in partners]
            write_transcripts(Path(folder), plan, driver.turns, book.received, driver.started)
        steps = [step for v in {p.variant for p in partners} for step in script_of(v)]
        paths = {step.text: step.path for step in steps}
        result["llm"] = metrics.llm_usage(llm.requests, llm.usages, paths, driver.turns)
        result["rss_mb"] = {"per_process_peak": [round(k / 1024, 1) for k in rss_kb],
                            "max": round(max(rss_kb, default=0) / 1024, 1)}  # fmt: skip
        result["cpu"] = cpu
        result["status_callbacks"] = status_load.report(callbacks, twilio, store)
        result["config"]["service_settings"] = metrics.service_tuning(env)
        result["faults"] = [asdict(e) for e in targets.events]
        store.drop()
        return result


async def _drive(
    options: LoadOptions, fleet: ServiceFleet, book: ReplyBook, partners: list[Partner],
    script_of: Any, expected: dict[int, Any], targets: FaultTargets,
) -> tuple[PartnerDriver, float]:  # fmt: skip
    """Run the partners (and the fault timeline); the driver and the load phase's seconds."""
    client = WebhookClient(fleet.urls, PUBLIC_BASE_URL, ACCOUNT_SID, AUTH_TOKEN, WHATSAPP_FROM)
    started = time.monotonic()
    deadline = started + options.max_seconds
    apology = message("store_unavailable")
    settings = LoadSettings(
        options.think_s, options.turn_timeout_s, deadline, apology,
        arrivals_s=options.arrivals_s, random_think=options.random_think,
    )  # fmt: skip
    driver = PartnerDriver(client, book, settings)
    done = asyncio.Event()
    faults = asyncio.create_task(inject_faults(targets, started, done)) if options.faults else None
    try:
        plan = [(p, script_of(p.variant), expected[p.variant]) for p in partners]
        await driver.run(plan)
        seconds = time.monotonic() - started
        done.set()
        if faults is not None:
            await faults
        await book.settle(quiet_s=1.5, limit_s=options.settle_s)
    finally:
        await client.close()
    return driver, seconds


def _result(
    options: LoadOptions, driver: PartnerDriver, book: ReplyBook, partners: list[Partner],
    script_of: Any, expected: dict[int, Any], store: StoreChoice, seconds: float,
    kills: list[float],
) -> dict[str, Any]:  # fmt: skip
    """Latency, throughput and correctness of the run."""
    opened = (SQLiteStore(store.sqlite_path) if store.sqlite_path
              else open_store(store.settings(), seed=False))  # fmt: skip
    try:
        tally = checks.check_run(
            [(p, script_of(p.variant), expected[p.variant]) for p in partners],
            driver.turns,
            book.received,
            message("store_unavailable"),
            lambda phone: FinalState.of(opened.get_progress(phone)),
            kills,
        )
    finally:
        opened.close()
    replies = sum(book.count(p.phone) for p in partners)
    config = asdict(options) | {
        "llm_timeout_s": options.llm_timeout_s,
        "think_s": options.think_s,
        "turn_timeout_s": options.turn_timeout_s,
    }
    return {
        "mode": "faults" if options.faults else "load",
        "config": config,
        **metrics.latency(driver.turns),
        "throughput": metrics.throughput(driver.turns, replies, seconds),
        "correctness": tally.as_dict(),
    }
