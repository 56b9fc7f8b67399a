"""CPU per turn kind, in process: the bench's partner script through one engine, fake LLM aside.

`python -m evals.bench.lane_cpu --partners 30 [--profile FILE]` runs every partner's whole
script (keyword, LLM-navigation and question turns) through `Engine.handle` against the fake
OpenAI server at zero latency, which runs in a child process so that its CPU is not counted.
A turn's CPU is the process's CPU during the turn minus what the threads that were already
running besides this one used (certificate rendering, the SQLite checkpointer): what the turn
itself cost, including the agent's tool thread. `--profile` writes a cProfile (thread CPU
clock) of the model-lane turns' main thread and prints its top entries by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import pstats
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any


def _serve(conn: Connection) -> None:
    """Child process: the fake OpenAI server until the parent says stop."""
    from evals.fakes.llm_responder import keyword_tool_responder
    from evals.fakes.openai_server import FakeOpenAI

    with FakeOpenAI(responder=keyword_tool_responder) as llm:
        conn.send(llm.base_url)
        conn.recv()


def _thread_cpu_s(thread: threading.Thread) -> float:
    """CPU seconds a live thread of this process used (0 when it is gone)."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident or 0))
    except (OSError, ProcessLookupError):
        return 0.0


def _others_cpu_s() -> dict[int, float]:
    """CPU seconds used so far by each other running thread of this process."""
    me = threading.get_ident()
    return {t.ident: _thread_cpu_s(t) for t in threading.enumerate() if t.ident not in (None, me)}


def _background_cpu_s(before: dict[int, float]) -> float:
    """What the threads running before a turn (workers, not the turn's own) used since."""
    now = _others_cpu_s()
    return sum(now.get(ident, used) - used for ident, used in before.items())


def measure(partners: int, profile: Path | None = None) -> dict[str, Any]:
    """Run `partners` scripts (after one warm-up partner); CPU ms per turn kind."""
    from agent.bootstrap import build_engine
    from agent.messages import Inbound
    from evals.bench.environment import BENCH_MODEL, bench_settings
    from evals.bench.script import make_partner, script_for
    from store.factory import seed_if_empty
    from store.sqlite_store import SQLiteStore

    parent, child = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(child,))
    server.start()
    try:
        base_url = parent.recv()
        settings = bench_settings(
            llm_provider="openai", openai_api_key="lane-cpu", openai_base_url=base_url,
            openai_model=BENCH_MODEL,
        )  # fmt: skip
        cpu: dict[str, list[float]] = defaultdict(list)
        profiler = cProfile.Profile(time.thread_time) if profile else None
        with tempfile.TemporaryDirectory(prefix="genie-lane-cpu-") as folder:
            store = SQLiteStore(Path(folder) / "lanes.db")
            seed_if_empty(store)
            engine = build_engine(settings, store)
            for index in [10_000, *range(partners)]:  # the first partner warms the caches up
                partner = make_partner(index)
                for step in script_for(partner.variant):
                    inbound = Inbound(
                        phone=partner.phone, text=step.text, profile_name=partner.name
                    )
                    watched = profiler is not None and step.path != "keyword" and index < 10_000
                    others, started = _others_cpu_s(), time.process_time()
                    if watched and profiler:
                        profiler.enable()
                    engine.handle(inbound)
                    if watched and profiler:
                        profiler.disable()
                    spent = time.process_time() - started - _background_cpu_s(others)
                    if index < 10_000:
                        cpu[step.path].append(max(spent, 0.0) * 1000)
            store.close()
        if profiler and profile:
            profiler.dump_stats(profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    finally:
        parent.send("stop")
        server.join(timeout=10)
    return {
        path: {
            "turns": len(ms),
            "cpu_ms_mean": round(statistics.fmean(ms), 2),
            "cpu_ms_p50": round(statistics.median(ms), 2),
        }
        for path, ms in cpu.items()
    }


def main() -> None:
    """Command line: print the CPU per turn kind as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=30)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(measure(args.partners, args.profile), indent=2))


if __name__ == "__main__":
    main()
