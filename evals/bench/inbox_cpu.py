"""CPU per keyword message on the inbox → turn → outbox path, in process, no HTTP, one thread.

`python -m evals.bench.inbox_cpu --partners 40 [--rounds 2] [--profile FILE]` plays the
`--keyword-only` script of `partners` partners, interleaved as the bench's closed loop plays
it (everyone's first message, then everyone's second...), through the service's own
`InboundProcessor` and `OutboxDeliverer` on a fresh SQLite file, sending through
`TwilioSender` to the local fake Twilio. Each message is recorded in the inbox, processed
(lease, rate limit, lane choice, engine turn, commit) and its parts delivered, all on this
thread, so thread CPU time measures exactly that work: no webhook, no thread hand-offs (those
are what `genie bench` adds). It also counts the SQL statements and the write transactions
(BEGIN … COMMIT, or a write statement on its own) of each half. `--profile`
writes a cProfile (thread CPU clock) of the whole path and prints its top entries.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.bench.lane_cpu import _serve
from evals.bench.sql_trace import SQLTrace


def measure(partners: int, rounds: int = 1, profile: Path | None = None) -> dict[str, Any]:
    """Play the keyword-only script `rounds` times over `partners`; CPU ms and SQL per message."""
    from agent.bootstrap import build_engine
    from api.whatsapp.sender import TwilioSender
    from api.whatsapp.service import WhatsAppService
    from evals.bench.environment import BENCH_MODEL, WHATSAPP_FROM, bench_settings
    from evals.bench.script import keyword_only_script, make_partner
    from evals.fakes.twilio_api import FakeTwilioAPI
    from store.factory import seed_if_empty
    from store.messaging import NewInbound
    from store.messaging_factory import open_messaging
    from store.sqlite_store import SQLiteStore

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(child,))
    server.start()
    inbox_ms: list[float] = []
    outbox_ms: list[float] = []
    sql = {"inbox": 0, "outbox": 0}
    writes = {"inbox": 0, "outbox": 0}
    profiler = cProfile.Profile(time.thread_time) if profile else None
    try:
        settings = bench_settings(
            llm_provider="openai", openai_api_key="inbox-cpu", openai_base_url=parent.recv(),
            openai_model=BENCH_MODEL, rate_limit_messages=100_000,
        )  # fmt: skip
        with (
            tempfile.TemporaryDirectory(prefix="genie-inbox-cpu-") as folder,
            FakeTwilioAPI() as fake,
        ):
            store = SQLiteStore(Path(folder) / "inbox.db")
            seed_if_empty(store)
            engine = build_engine(settings, store)
            messaging = open_messaging(settings, store)
            sender = TwilioSender(
                fake.account_sid, fake.auth_token, WHATSAPP_FROM, api_base_url=fake.base_url
            )
            service = WhatsAppService.from_settings(settings, messaging, engine, sender)
            service.keeper.start()
            trace = SQLTrace()
            store._conn.set_trace_callback(trace)
            script = keyword_only_script()
            for rnd in range(rounds + 1):  # round 0 warms up caches, connections and imports
                people = [make_partner(10_000 * (rnd + 1) + i) for i in range(partners)]
                for n, step in enumerate(script):
                    for partner in people:
                        sid = f"SM{rnd:02d}{partner.index:08d}{n:04d}"
                        messaging.record_inbound(
                            NewInbound(
                                message_sid=sid, phone=partner.phone, text=step.text,
                                profile_name=partner.name,
                            )
                        )  # fmt: skip
                        timed = rnd > 0
                        if timed and profiler:
                            profiler.enable()
                        trace.reset()
                        started = time.thread_time()
                        service.processor.process_phone(partner.phone, fast_lane=True)
                        middle = time.thread_time()
                        inbox_sql, inbox_writes = len(trace.statements), trace.write_transactions
                        service.deliverer.deliver_phone(partner.phone)
                        ended = time.thread_time()
                        if timed and profiler:
                            profiler.disable()
                        if timed:
                            inbox_ms.append((middle - started) * 1000)
                            outbox_ms.append((ended - middle) * 1000)
                            sql["inbox"] += inbox_sql
                            sql["outbox"] += len(trace.statements) - inbox_sql
                            writes["inbox"] += inbox_writes
                            writes["outbox"] += trace.write_transactions - inbox_writes
            sent = len(fake.messages)
            service.keeper.stop()
            store._conn.set_trace_callback(None)
            if messaging.phones_with_unprocessed() or messaging.phones_with_pending_parts():
                raise RuntimeError("messages left unprocessed or parts unsent")
            store.close()
    finally:
        parent.send("stop")
        server.join(timeout=10)
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    messages = len(inbox_ms)
    total = [a + b for a, b in zip(inbox_ms, outbox_ms, strict=True)]
    return {
        "messages": messages,
        "parts_sent_incl_warmup": sent,
        "cpu_ms_per_message": {
            "inbox_and_turn_mean": round(statistics.fmean(inbox_ms), 3),
            "outbox_mean": round(statistics.fmean(outbox_ms), 3),
            "total_mean": round(statistics.fmean(total), 3),
            "total_p50": round(statistics.median(total), 3),
        },
        "sql_per_message": {k: round(v / messages, 2) for k, v in sql.items()},
        # Besides the webhook's inbox insert (one more, shared by a batch under load).
        "write_transactions_per_message": {k: round(v / messages, 2) for k, v in writes.items()},
    }


def main() -> None:
    """Command line: print the CPU and SQL statements per keyword message as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(measure(args.partners, args.rounds, args.profile), indent=2))


if __name__ == "__main__":
    main()
