"""Certificate PDFs are rendered in a child process, so a burst of them never holds the GIL.

A render is ~80 ms of pure-Python CPU (fpdf2, fontTools, segno). In the service's process
200 of them (200 partners finishing in the same minute) took the interpreter from every other
turn; in a child the service only waits on a pipe. The child is started on first use (spawn:
no copy of the service's threads and locks), is replaced when it dies, and a render that does
not come back in time gives up (RenderTimeout) and restarts it. `processes=0` renders in the
calling thread (a setting, for hosts that cannot start processes).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from multiprocessing.pool import Pool

from agent.certificates.pdf import render_pdf
from store.quiz_store import Certificate

log = logging.getLogger("genie.certificates")
TIMEOUT_S = 30.0  # a render takes well under a second; this only catches a stuck child

_lock = threading.Lock()
_pool: Pool | None = None
_size = 0


class RenderTimeout(RuntimeError):
    """The render process did not answer in time (it was restarted); try again later."""


def render(certificate: Certificate, verify_url: str, processes: int = 1) -> bytes:
    """The certificate PDF, rendered in the child process (or here when `processes` is 0)."""
    if processes <= 0:
        return render_pdf(certificate, verify_url)
    pool = _pool_of(processes)
    job = pool.apply_async(render_pdf, (certificate, verify_url))
    try:
        return job.get(TIMEOUT_S)
    except multiprocessing.TimeoutError:
        log.error("certificate %s: render process stuck for %ss; restarting it",
                  certificate.code, TIMEOUT_S)  # fmt: skip
        _discard(pool)
        raise RenderTimeout(f"certificate {certificate.code} not rendered in time") from None


def _pool_of(processes: int) -> Pool:
    """The running pool of `processes` children, started on first use."""
    global _pool, _size
    with _lock:
        if _pool is None or _size != processes:
            if _pool is not None:
                _pool.terminate()
            _pool = multiprocessing.get_context("spawn").Pool(processes)
            _size = processes
        return _pool


def _discard(pool: Pool) -> None:
    """Stop a pool that stopped answering; the next render starts a fresh one."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.terminate()


def stop() -> None:
    """Stop the render processes (tests; the interpreter's exit stops them anyway)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.terminate()
