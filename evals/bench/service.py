"""The service under test: N `genie serve` processes on free ports, started, killed, restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

READY_TIMEOUT_S = 180.0  # a loaded 2-core machine needs over 60 s to start a service
_SERVE = "from agent.cli import main; main()"


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_kb(pid: int) -> int:
    """The process's peak resident set size (VmHWM) in KiB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the ")" that ends the command name, utime and stime are fields 12 and 13 (0-based).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """One service process: its port, the running Popen, peak RSS and CPU of past lives."""

    port: int
    popen: subprocess.Popen[bytes] | None = None
    peak_kb: int = 0
    cpu_s: float = 0.0

    @property
    def url(self) -> str:
        """Base URL of this process."""
        return f"http://127.0.0.1:{self.port}"


class ServiceFleet:
    """`genie serve` subprocesses sharing one store; context manager that always stops them."""

    def __init__(self, count: int, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir = env, workdir
        self.processes = [Process(free_port()) for _ in range(count)]
        self.deaths: list[float] = []  # time.monotonic() when each killed process was gone

    @property
    def urls(self) -> list[str]:
        """Base URLs of every process."""
        return [p.url for p in self.processes]

    def _spawn(self, proc: Process) -> None:
        log = (self.workdir / f"service-{proc.port}.log").open("ab")
        args = [sys.executable, "-c", _SERVE, "serve", "--host", "127.0.0.1"]
        proc.popen = subprocess.Popen(
            [*args, "--port", str(proc.port)],
            cwd=self.workdir,  # so no developer .env is picked up: the env below is complete
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def _wait_ready(self, proc: Process) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.popen is None or proc.popen.poll() is not None:
                raise RuntimeError(f"service on port {proc.port} exited; see {self.workdir}")
            try:
                if httpx.get(proc.url + "/readyz", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"service on port {proc.port} not ready in {READY_TIMEOUT_S:.0f} s")

    def spawn_all(self) -> None:
        """Start every process (without waiting for them)."""
        for proc in self.processes:
            self._spawn(proc)

    def wait_all(self) -> None:
        """Wait until every process answers /readyz (bounded)."""
        for proc in self.processes:
            self._wait_ready(proc)

    def start(self) -> None:
        """Start every process and wait until each answers /readyz."""
        self.spawn_all()
        self.wait_all()

    def kill(self, index: int) -> None:
        """SIGKILL one process (no clean shutdown: the crash case)."""
        proc = self.processes[index]
        if proc.popen is not None:
            proc.peak_kb = max(proc.peak_kb, peak_rss_kb(proc.popen.pid))
            proc.cpu_s += cpu_seconds(proc.popen.pid)
            proc.popen.send_signal(signal.SIGKILL)
            proc.popen.wait(timeout=10)
            self.deaths.append(time.monotonic())

    def restart(self, index: int) -> None:
        """Start a killed process again on the same port and wait until it is ready."""
        proc = self.processes[index]
        self._spawn(proc)
        self._wait_ready(proc)

    def peak_rss_kb(self) -> list[int]:
        """Peak RSS of each process (over restarts), KiB."""
        for proc in self.processes:
            if proc.popen is not None:
                proc.peak_kb = max(proc.peak_kb, peak_rss_kb(proc.popen.pid))
        return [p.peak_kb for p in self.processes]

    def cpu_seconds(self) -> float:
        """CPU seconds used by all processes (including killed ones) so far."""
        alive = sum(cpu_seconds(p.popen.pid) for p in self.processes if p.popen is not None)
        return alive + sum(p.cpu_s for p in self.processes)

    def stop(self) -> None:
        """Terminate every process (SIGTERM, then SIGKILL after 10 s)."""
        self.peak_rss_kb()
        for proc in self.processes:
            if proc.popen is not None and proc.popen.poll() is None:
                proc.popen.terminate()
        for proc in self.processes:
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(timeout=10)

    def __enter__(self) -> ServiceFleet:
        """Start the fleet."""
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the fleet."""
        self.stop()


def service_env(overrides: dict[str, str]) -> dict[str, str]:
    """This process's environment without proxies or Genie settings, plus `overrides`."""
    dropped = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}
    genie_keys = {"STORE", "SQLITE_PATH", "MONGODB_URI", "MONGODB_DB", "LLM_PROVIDER", "PORT"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in dropped
        and k not in genie_keys
        and not k.startswith(("TWILIO_", "OPENAI_", "LLM_"))
    }
    return {**env, "NO_PROXY": "127.0.0.1,localhost", **overrides}
