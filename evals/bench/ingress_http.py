"""Ingress under uvicorn: server-process CPU per signed webhook, as `genie serve` runs the app.

The server is a subprocess (uvicorn with SERVER_OPTIONS, httptools and uvloop when installed)
serving evals.bench.ingress's worker-less app; the client posts from this process over
keep-alive connections, so its own CPU is not counted.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from evals.bench.http_client import HTTPError, KeepAliveConnection
from evals.bench.ingress import DB_ENV, LEVEL_ENV, signed_bodies
from evals.bench.service import cpu_seconds, free_port, service_env
from evals.bench.stats import summary_ms
from evals.bench.webhook import WEBHOOK_PATH

_SERVE = """
import uvicorn, uvicorn.config, sys
from api.main import SERVER_OPTIONS
config = uvicorn.Config("evals.bench.ingress:ingress_app", factory=True, host="127.0.0.1",
                        port=int(sys.argv[1]), log_level="warning", **SERVER_OPTIONS)
config.load()
loop = config.get_loop_factory()()
print("uvicorn", config.http_protocol_class.__name__, type(loop).__module__, flush=True)
loop.close()
uvicorn.Server(config).run()
"""


def run_ingress_http(
    requests: int = 3000, log_level: str = "INFO", connections: int = 8, repeats: int = 3
) -> dict[str, Any]:
    """Server CPU ms per webhook over `repeats` runs of `requests` posts, and the ack latency."""
    with tempfile.TemporaryDirectory(prefix="genie-ingress-http-") as folder:
        env = service_env({DB_ENV: str(Path(folder) / "ingress.db"), LEVEL_ENV: log_level})
        port = free_port()
        log_path = Path(folder) / "service.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-c", _SERVE, str(port)],
                cwd=Path(__file__).resolve().parents[2], env=env, stdout=log, stderr=log,
            )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_listening(url, server)
            runs, latencies = [], []
            asyncio.run(_post_all(url, signed_bodies(100), connections))  # warm-up
            for _ in range(repeats):
                bodies = signed_bodies(requests)
                before = cpu_seconds(server.pid)
                latencies.extend(asyncio.run(_post_all(url, bodies, connections)))
                runs.append((cpu_seconds(server.pid) - before) / requests * 1000)
        finally:
            server.terminate()
            server.wait(timeout=10)
        lines = log_path.read_text(errors="replace").splitlines()
        server_line = [line for line in lines if line.startswith("uvicorn ")]
    return {
        "requests_per_run": requests,
        "connections": connections,
        "log_level": log_level,
        "server": server_line[0] if server_line else "?",
        "server_cpu_ms_per_webhook": round(min(runs), 3),
        "server_cpu_ms_runs": [round(r, 3) for r in runs],
        "ack_latency_ms": summary_ms(latencies),
    }


def _wait_listening(url: str, server: subprocess.Popen[bytes]) -> None:
    """Until the server answers a request (bounded: 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the ingress server exited")
        try:
            asyncio.run(_post_all(url, signed_bodies(1), 1))
            return
        except (OSError, HTTPError):
            time.sleep(0.2)
    raise TimeoutError("the ingress server did not start in 60 s")


async def _post_all(url: str, bodies: list[tuple[bytes, bytes]], connections: int) -> list[float]:
    """Post every body over `connections` keep-alive connections; per-request wall seconds."""
    queue = list(reversed(bodies))
    latencies: list[float] = []

    async def worker() -> None:
        connection = KeepAliveConnection(url)
        try:
            while queue:
                body, signature = queue.pop()
                form = dict(parse_qsl(body.decode()))
                started = time.perf_counter()
                status = await connection.post_form(
                    WEBHOOK_PATH, form, {"X-Twilio-Signature": signature.decode()}, 15.0
                )
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"the webhook answered {status}")
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies
