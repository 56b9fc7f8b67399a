"""Certificate PDFs are rendered in child processes, so a burst of them never holds the GIL.

A render is ~80-100 ms of pure-Python CPU (fpdf2, fontTools, segno). In the service's process
200 of them (200 partners finishing in the same minute) took the interpreter from every other
turn; in a child the service only waits on a pipe. Children (render_worker.py, started with
`python -m`, so nothing of the service is copied or re-imported) start on first use, one
render at a time each; a child that dies or does not answer within TIMEOUT_S is killed and
replaced; the caller gets RenderTimeout, or after a failure the PDF rendered in its own
thread. Callers wait at most TIMEOUT_S in all. `processes=0` renders in the calling thread.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time

from agent.certificates.pdf import render_pdf
from agent.certificates.render_worker import HEADER, OK
from store.quiz_store import Certificate

log = logging.getLogger("genie.certificates")
TIMEOUT_S = 30.0  # a render takes well under a second; this catches a stuck or lost child


class RenderTimeout(RuntimeError):
    """No render process answered in time (a stuck one was replaced); try again later."""


class RenderFailed(RuntimeError):
    """No render process could do it (it died, or could not start)."""


class RenderError(RuntimeError):
    """The render process could not render this certificate (its error, as text)."""


class _Child:
    """One render process and its pipes."""

    def __init__(self) -> None:
        # The child imports the code the way this process does (sys.path), nothing else.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agent.certificates.render_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )  # fmt: skip

    def render(self, request: bytes, deadline: float) -> bytes:
        """Send one request and read its answer before `deadline` (time.monotonic)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(HEADER.pack(len(request)) + request)
        self.process.stdin.flush()
        fd = self.process.stdout.fileno()
        status = self._read(fd, 1, deadline)
        payload = self._read(fd, HEADER.unpack(self._read(fd, HEADER.size, deadline))[0], deadline)
        if status != OK:
            raise RenderError(payload.decode(errors="replace"))
        return payload

    @staticmethod
    def _read(fd: int, size: int, deadline: float) -> bytes:
        data = b""
        while len(data) < size:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise RenderTimeout(f"no answer from the render process in {TIMEOUT_S}s")
            chunk = os.read(fd, size - len(data))
            if not chunk:
                raise RenderFailed("the render process exited")
            data += chunk
        return data

    def stop(self) -> None:
        """Kill the process (it may be stuck) and reap it."""
        self.process.kill()
        self.process.wait(timeout=5)


class _Pool:
    """`size` children, started on demand; a free slot is a child or None (start one)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.free: queue.Queue[_Child | None] = queue.Queue()
        for _ in range(size):
            self.free.put(None)

    def render(self, request: bytes) -> bytes:
        deadline = time.monotonic() + TIMEOUT_S
        try:
            child = self.free.get(timeout=TIMEOUT_S)
        except queue.Empty:
            raise RenderTimeout("every render process is busy") from None
        try:
            child = child if child and child.process.poll() is None else _Child()
            pdf = child.render(request, deadline)
        except RenderError:  # the child is fine: the certificate could not be rendered
            self.free.put(child)
            raise
        except Exception as exc:  # stuck, dead or unreachable: replace it
            log.error("certificate render process failed (%s); it is replaced", exc)
            if child is not None:
                child.stop()
            self.free.put(None)
            if isinstance(exc, RenderTimeout | RenderFailed):
                raise
            raise RenderFailed(str(exc)) from exc
        self.free.put(child)
        return pdf

    def stop(self) -> None:
        while not self.free.empty():
            child = self.free.get_nowait()
            if child is not None:
                child.stop()


_lock = threading.Lock()
_pool: _Pool | None = None


def render(certificate: Certificate, verify_url: str, processes: int = 1) -> bytes:
    """The certificate PDF, rendered by a render process (or here when `processes` is 0)."""
    if processes <= 0:
        return render_pdf(certificate, verify_url)
    global _pool
    with _lock:
        if _pool is None or _pool.size != processes:
            if _pool is not None:
                _pool.stop()
            _pool = _Pool(processes)
        pool = _pool
    request = json.dumps({"certificate": certificate.model_dump(mode="json"), "verify": verify_url})
    try:
        return pool.render(request.encode())
    except (RenderFailed, RenderError) as exc:  # the PDF still gets made (or fails) here
        log.warning("certificate %s rendered in the service: %s", certificate.code, exc)
        return render_pdf(certificate, verify_url)


def stop() -> None:
    """Stop the idle render processes (tests; they also exit when this process does)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.stop()
