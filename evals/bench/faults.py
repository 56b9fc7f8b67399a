"""Faults injected during a load: store lock-out, LLM 500s and timeouts, Twilio bursts, a crash."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from evals.bench.service import ServiceFleet
from evals.fakes.openai_replies import delay, error
from evals.fakes.openai_server import FakeOpenAI
from evals.fakes.twilio_api import FakeTwilioAPI

STORE_LOCK_S = 7.0  # longer than the stores' 5 s busy timeout: writes first stall, then fail
KILLS = 5  # SIGKILL + restart this many times during the load (issue: at least 5)
KILL_GAP_S = 4.0  # between a restart being ready and the next kill
KILLED = "service_killed_restarted"


@dataclass
class FaultEvent:
    """One fault: what, when it started (s after the load began), for how long, and whether."""

    name: str
    at_s: float | None
    duration_s: float
    injected: bool = False
    note: str = ""


@dataclass
class FaultTargets:
    """What the faults act on; `sqlite_path` is None for MongoDB (no store fault then)."""

    fleet: ServiceFleet
    llm: FakeOpenAI
    twilio: FakeTwilioAPI
    sqlite_path: str | None
    llm_timeout_s: float
    events: list[FaultEvent] = field(default_factory=list)
    started: float = 0.0  # time.monotonic() when the load began

    def kill_times(self) -> list[float]:
        """time.monotonic() of every kill, taken once the process was dead: a part the fake
        Twilio accepted up to that moment may have been sent by the process being killed."""
        return list(self.fleet.deaths)


def hold_sqlite_lock(path: str, seconds: float) -> None:
    """Take SQLite's write lock from outside the service and keep it (a stuck database)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def crash_and_restart(fleet: ServiceFleet, index: int = 0) -> None:
    """SIGKILL one service process, then start it again on the same port."""
    fleet.kill(index)
    time.sleep(1.0)
    fleet.restart(index)


def _timeline(t: FaultTargets) -> list[tuple[float, str, float, Callable[[], object]]]:
    """(start after the previous one, name, duration, action) in injection order."""
    slow = delay(t.llm_timeout_s + 2)
    steps: list[tuple[float, str, float, Callable[[], object]]] = [
        (2.0, "llm_http_500", 3.0, lambda: t.llm.inject(error(500), 3.0)),
        (4.0, "llm_timeout", 3.0, lambda: t.llm.inject(slow, 3.0)),
        (4.0, "twilio_429_burst", 2.0, lambda: t.twilio.burst(429, 2.0)),
        (3.0, "twilio_503_burst", 2.0, lambda: t.twilio.burst(503, 2.0)),
    ]
    if t.sqlite_path is not None:
        path = t.sqlite_path
        steps.append(
            (3.0, "store_locked", STORE_LOCK_S, lambda: hold_sqlite_lock(path, STORE_LOCK_S))
        )
    count = len(t.fleet.processes)
    for i in range(KILLS):
        steps.append(
            (3.0 if i == 0 else KILL_GAP_S, f"{KILLED}_{i + 1}", 1.0,
             lambda i=i: crash_and_restart(t.fleet, i % count))  # type: ignore[misc]
        )  # fmt: skip
    return steps


async def inject_faults(targets: FaultTargets, started: float, load_done: asyncio.Event) -> None:
    """Play the fault timeline while the load runs; faults not reached are listed, not injected."""
    targets.started = started
    steps = _timeline(targets)
    targets.events = [FaultEvent(name, None, duration) for _, name, duration, _ in steps]
    if targets.sqlite_path is None:
        targets.events.append(FaultEvent("store_locked", None, 0, note="needs SQLite"))
    for event, (wait_s, _, _, action) in zip(targets.events, steps, strict=False):
        try:
            await asyncio.wait_for(load_done.wait(), wait_s)
            event.note = "load finished first"
            continue
        except TimeoutError:
            pass
        event.at_s, event.injected = round(time.monotonic() - started, 2), True
        # Blocking actions (the lock, the restart) run in a thread; the load goes on meanwhile.
        await asyncio.to_thread(action)
