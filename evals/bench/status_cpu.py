"""CPU per signed Twilio status callback through the in-process app, alone or many in flight.

`python -m evals.bench.status_cpu [--parts 1000] [--in-flight 1 40] [--profile FILE]`: parts
marked sent on a temporary SQLite file each get sent, delivered and read callbacks (3 per part),
posted through the real app (signature, parse, store write, logging at WARNING) like the ingress
mode; process CPU (every thread) per callback, best of the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from evals.bench.ingress import AUTH_TOKEN, PUBLIC, call_app, ingress_app, ingress_settings
from evals.bench.webhook import WEBHOOK_PATH, new_message_sid
from evals.fakes.twilio_status import status_callback_form
from store.messaging import MessagingStore, OutboundPart

STATUS_PATH = WEBHOOK_PATH + "/status"
STATUSES = ("sent", "delivered", "read")


def sent_parts(messaging: MessagingStore, count: int) -> list[str]:
    """`count` outbox parts marked sent (50 phones); their Twilio SIDs."""
    sids = []
    for n in range(count):
        key, sid = f"bench:{new_message_sid()}", new_message_sid()
        messaging.enqueue_proactive(key, f"+1555{n % 50:07d}", OutboundPart(body="part"))
        messaging.mark_sent(key, 0, sid)
        sids.append(sid)
    return sids


def signed_callbacks(sids: list[str]) -> list[tuple[bytes, bytes]]:
    """(body, signature) of each part's callbacks in Twilio's order, the parts interleaved."""
    validator = RequestValidator(AUTH_TOKEN)
    out = []
    for status in STATUSES:
        for sid in sids:
            form = status_callback_form(
                sid, status, "AC" + "0" * 32, "whatsapp:+14155238886", "whatsapp:+15550000001"
            )
            signature = validator.compute_signature(PUBLIC + STATUS_PATH, form)
            out.append((urlencode(form).encode(), signature.encode()))
    return out


async def _drive(app: Any, bodies: list[tuple[bytes, bytes]], in_flight: int) -> float:
    """Post every callback with `in_flight` at a time; process CPU seconds."""
    gate = asyncio.Semaphore(in_flight)

    async def one(body: bytes, signature: bytes) -> None:
        async with gate:
            status = await call_app(app, body, signature, STATUS_PATH)
        if status != 204:
            raise RuntimeError(f"the status webhook answered {status}")

    started = time.process_time()
    await asyncio.gather(*(one(b, s) for b, s in bodies))
    return time.process_time() - started


def run(parts: int, in_flight: int, repeats: int, profile: str | None) -> dict[str, Any]:
    """CPU ms per status callback, best and every run of `repeats`."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="genie-status-") as folder:
        app = ingress_app(ingress_settings(str(Path(folder) / "status.db"), "WARNING"))
        profiler = cProfile.Profile() if profile else None
        try:
            asyncio.run(_drive(app, signed_callbacks(sent_parts(app.state.messaging, 50)), 8))
            for _ in range(repeats):
                bodies = signed_callbacks(sent_parts(app.state.messaging, parts))
                if profiler:
                    profiler.enable()
                cpu = asyncio.run(_drive(app, bodies, in_flight))
                if profiler:
                    profiler.disable()
                runs.append(cpu / len(bodies) * 1000)
        finally:
            app.state.messaging.close()
            app.state.store.close()
        if profiler and profile:
            profiler.dump_stats(profile)
    return {"callbacks_per_run": parts * len(STATUSES), "in_flight": in_flight,
            "cpu_ms_per_callback": round(min(runs), 3),
            "cpu_ms_runs": [round(r, 3) for r in runs]}  # fmt: skip


def main() -> None:
    """Print CPU per callback as JSON for each in-flight level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[40, 100])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", help="write a cProfile of the last level's runs here")
    args = parser.parse_args()
    results = [run(args.parts, level, args.repeats, args.profile) for level in args.in_flight]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
