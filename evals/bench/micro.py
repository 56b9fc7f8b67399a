"""Micro mode: the engine alone (no HTTP, no LLM) on a temporary SQLite file, keyword turns."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from agent.engine import Engine
from agent.messages import Inbound
from evals.bench.stats import summary_ms
from store.factory import seed_if_empty
from store.sqlite_store import SQLiteStore

# One partner's cycle of whole-message commands: every one takes the keyword fast path.
KEYWORD_CYCLE = [
    "I am a new partner", "next", "previous", "done", "session 3", "menu",
    "how far am I?", "exit", "continue my training", "done", "done", "restart",
]  # fmt: skip


def run_micro(turns: int = 5000, partners: int = 50) -> dict[str, Any]:
    """Time `turns` keyword turns spread over `partners`; latency per command and overall."""
    timings: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="genie-micro-") as folder:
        store = SQLiteStore(Path(folder) / "micro.db")
        try:
            seed_if_empty(store)
            engine = Engine(store)
            sources = _time_turns(engine, turns, partners, timings)
        finally:
            store.close()
    every = [t for values in timings.values() for t in values]
    return {
        "turns": len(every),
        "partners": partners,
        "store": "sqlite",
        "non_keyword_turns": sources,
        "overall_ms": summary_ms(every),
        "per_command_ms": {cmd: summary_ms(values) for cmd, values in timings.items()},
        "turns_per_s": round(len(every) / sum(every), 1) if every else 0.0,
    }


def _time_turns(engine: Engine, turns: int, partners: int, timings: dict[str, list[float]]) -> int:
    """Run the turns round-robin over partners; the count that did not take a keyword path."""
    not_keyword = 0
    for n in range(turns):
        partner, step = n % partners, n // partners
        text = KEYWORD_CYCLE[step % len(KEYWORD_CYCLE)]
        inbound = Inbound(phone=f"+1555{partner:07d}", text=text, profile_name="Micro")
        started = time.perf_counter()
        result = engine.handle(inbound)
        timings[text].append(time.perf_counter() - started)
        if result.source not in ("keyword", "fuzzy"):
            not_keyword += 1
    return not_keyword
