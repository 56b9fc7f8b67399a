"""Ingress mode: CPU per signed Twilio webhook, the app alone (in-process ASGI) or under uvicorn.

No inbox workers run: the service's `notify_inbound` is a no-op, so the figure is what the
webhook costs (parse, signature, inbox insert, logging, middlewares), not the turn it queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from rich.console import Console
from rich.table import Table
from twilio.request_validator import RequestValidator

from agent.settings import Settings
from evals.bench.stats import summary_ms
from evals.bench.webhook import WEBHOOK_PATH, new_message_sid

AUTH_TOKEN = "bench-ingress-token-0123456789abcdef"
PUBLIC = "https://genie.example.com"
DB_ENV, LEVEL_ENV = "GENIE_INGRESS_DB", "GENIE_INGRESS_LOG_LEVEL"  # the subprocess mode


class NoWorkers:
    """Stands in for the WhatsApp service: queued phones are counted, never processed."""

    def __init__(self) -> None:
        self.notified = 0

    def notify_inbound(self, phone: str) -> None:
        """Count the notification."""
        self.notified += 1


def ingress_settings(db_path: str, log_level: str = "INFO") -> Settings:
    """Production-like settings on a SQLite file: signatures on, JSON logs at `log_level`."""
    values: dict[str, Any] = {
        "store": "sqlite", "sqlite_path": db_path, "llm_provider": "none",
        "twilio_auth_token": AUTH_TOKEN, "public_base_url": PUBLIC,
        "log_level": log_level, "log_format": "json",
    }  # fmt: skip
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def ingress_app(settings: Settings | None = None) -> Any:
    """The real app with its state set by hand: store and inbox, no workers, no lifespan."""
    from api.logging_setup import configure_logging
    from api.main import create_app
    from store.factory import open_store
    from store.messaging_factory import open_messaging

    if settings is None:
        settings = ingress_settings(os.environ[DB_ENV], os.environ.get(LEVEL_ENV, "INFO"))
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings=settings)
    state = app.state
    state.settings, state.store = settings, open_store(settings)
    state.messaging = open_messaging(settings, state.store)
    state.whatsapp = NoWorkers()
    app.router.lifespan_context = _no_lifespan
    return app


@contextlib.asynccontextmanager
async def _no_lifespan(app: Any) -> Any:
    yield


def signed_bodies(count: int) -> list[tuple[bytes, bytes]]:
    """(urlencoded body, X-Twilio-Signature) for `count` inbound texts from 50 partners."""
    validator = RequestValidator(AUTH_TOKEN)
    out = []
    for n in range(count):
        sid, phone = new_message_sid(), f"+1555{n % 50:07d}"
        form = {
            "MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
            "From": f"whatsapp:{phone}", "To": "whatsapp:+14155238886", "Body": "next",
            "ProfileName": "Bench", "WaId": phone[1:], "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01",
        }  # fmt: skip
        signature = validator.compute_signature(PUBLIC + WEBHOOK_PATH, form)
        out.append((urlencode(form).encode(), signature.encode()))
    return out


async def call_app(app: Any, body: bytes, signature: bytes, path: str = WEBHOOK_PATH) -> int:
    """One request through the ASGI app, as uvicorn would hand it over; the status."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(),
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()), (b"x-twilio-signature", signature),
        ],
    }  # fmt: skip
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


@contextlib.contextmanager
def _quiet_stderr(path: Path) -> Iterator[None]:
    """Log lines go to a file (they are still formatted and written: that is part of the cost)."""
    saved = sys.stderr
    with path.open("w") as sink:
        sys.stderr = sink
        try:
            yield
        finally:
            sys.stderr = saved


def run_ingress(requests: int = 3000, log_level: str = "INFO", repeats: int = 3) -> dict[str, Any]:
    """CPU ms per webhook through the in-process ASGI app; best and all of `repeats` runs."""
    runs: list[float] = []
    latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="genie-ingress-") as folder:
        app = ingress_app(ingress_settings(str(Path(folder) / "ingress.db"), log_level))
        with _quiet_stderr(Path(folder) / "service.log"):
            asyncio.run(_warm_up(app))
            for _ in range(repeats):
                bodies = signed_bodies(requests)
                cpu, lat = asyncio.run(_drive(app, bodies))
                runs.append(cpu / requests * 1000)
                latencies.extend(lat)
        app.state.messaging.close()
        app.state.store.close()
    return {
        "requests_per_run": requests,
        "log_level": log_level,
        "cpu_ms_per_webhook": round(min(runs), 3),
        "cpu_ms_runs": [round(r, 3) for r in runs],
        "latency_ms": summary_ms(latencies),
    }


async def _warm_up(app: Any) -> None:
    for body, signature in signed_bodies(50):
        await call_app(app, body, signature)


async def _drive(app: Any, bodies: list[tuple[bytes, bytes]]) -> tuple[float, list[float]]:
    """Post every body in turn; (process CPU seconds, per-request wall seconds)."""
    latencies = []
    started = time.process_time()
    for body, signature in bodies:
        t0 = time.perf_counter()
        status = await call_app(app, body, signature)
        latencies.append(time.perf_counter() - t0)
        if status != 200:
            raise RuntimeError(f"the webhook answered {status}")
    return time.process_time() - started, latencies


def print_ingress(results: dict[str, Any], console: Console) -> None:
    """CPU ms per webhook (best of the runs, then every run) for each ingress result."""
    table = Table(title="Webhook ingress: CPU per signed inbound webhook (no inbox workers)")
    for column in ("run", "log level", "CPU ms / webhook", "runs", "ack p50 / p99 ms"):
        table.add_column(column)
    for name, result in results.items():
        if not name.startswith("ingress_"):
            continue
        where = result.get("server", "in-process ASGI")
        cpu = result.get("server_cpu_ms_per_webhook", result.get("cpu_ms_per_webhook"))
        runs = result.get("server_cpu_ms_runs", result.get("cpu_ms_runs"))
        latency = result.get("ack_latency_ms", result.get("latency_ms", {}))
        table.add_row(
            where, result["log_level"], f"{cpu:.3f}", " ".join(f"{r:.2f}" for r in runs or []),
            f"{latency.get('p50', 0):.2f} / {latency.get('p99', 0):.2f}",
        )  # fmt: skip
    console.print(table)
