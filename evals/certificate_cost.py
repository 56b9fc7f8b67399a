"""What a certificate costs the service: `python -m evals.certificate_cost [N]` prints CPU ms.

1. Rendering one PDF (N renders each): with the full DejaVu fonts (how every certificate was
   rendered before) and with the Latin-only copy (latin_fonts.py), for a Latin name, one with
   diacritics and a Devanagari one.
2. The first fetch of N PDFs (render + keep) as seen by the service process, rendering in a
   child process (CERTIFICATE_RENDER_PROCESSES=1) or in the service itself (0); then a fetch
   of a kept file.
3. N partners finishing the training (engine alone, public URL, no email): the finishing
   turn's wall time and the service process's CPU for it plus any background work it starts.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from agent.certificates import pdf, publish, renderer
from agent.certificates.files import certificate_pdf
from agent.engine import Engine
from agent.messages import Inbound
from agent.quiz.config import QuizConfig
from store.factory import seed_if_empty
from store.kb_files import sample_sessions
from store.quiz_store import Certificate
from store.sqlite_store import SQLiteStore

NAMES = {"latin": "Asha Rao", "diacritics": "Āśā Rāō Müller", "devanagari": "सुनीता वर्मा"}
URL = "https://genie.example.com"


def _certificate(code: str, name: str = "Asha Rao") -> Certificate:
    return Certificate(
        code=code.rjust(24, "0"), phone="+15550001", name=name, score=92,
        programme="Partner Training Programme", completed_on=datetime(2026, 3, 9, tzinfo=UTC),
    )  # fmt: skip


def _cpu_ms(run: Callable[[], object], n: int) -> float:
    """Mean CPU ms of this process per call (after one warm-up call)."""
    run()
    start = time.process_time()
    for _ in range(n):
        run()
    return (time.process_time() - start) / n * 1000


def renders(n: int) -> None:
    """CPU per render, full fonts against the Latin copy."""
    latin_copy = pdf.latin_copy
    for label, name in NAMES.items():
        cert = _certificate("1", name)
        pdf.latin_copy = lambda font, text: font  # type: ignore[assignment]
        full = _cpu_ms(partial(pdf.render_pdf, cert, f"{URL}/verify/x"), n)
        pdf.latin_copy = latin_copy  # type: ignore[assignment]
        copy = _cpu_ms(partial(pdf.render_pdf, cert, f"{URL}/verify/x"), n)
        print(f"render, {label:10}: full fonts {full:6.1f} ms CPU, Latin copy {copy:6.1f} ms CPU")


def fetches(n: int) -> None:
    """Service-process CPU per first fetch, rendering in a child or in the service."""
    for processes in (0, 1):
        folder = tempfile.mkdtemp()
        config = QuizConfig(public_base_url=URL, certificate_dir=folder, render_processes=processes)
        certificate_pdf(config, _certificate("warm"))  # fonts; the child process starts
        new = iter([_certificate(str(i)) for i in range(n + 1)])
        first = _cpu_ms(lambda: certificate_pdf(config, next(new)), n)  # noqa: B023
        kept = _cpu_ms(partial(certificate_pdf, config, _certificate("1")), n)
        print(f"first fetch, render_processes={processes}: service {first:6.1f} ms CPU; "
              f"kept file: {kept:.2f} ms CPU")  # fmt: skip
    renderer.stop()


def completions(n: int) -> None:
    """The finishing turn, and the service CPU it and its background work take."""
    from tests.conversation import passing_turns

    folder = Path(tempfile.mkdtemp())
    store = SQLiteStore(folder / "genie.db")
    seed_if_empty(store)
    engine = Engine(store)
    engine.trainer.quiz_config = QuizConfig(public_base_url=URL, certificate_dir=str(folder))
    turns = ["I am a new partner"] + [t for s in sample_sessions() for t in passing_turns(s)]
    wall, cpu = [], []
    for i in range(n):
        phone = f"+1555{i:07d}"
        for text in turns[:-1]:
            engine.handle_message(Inbound(phone=phone, text=text, profile_name=f"Partner {i}"))
        publish._WORKER.submit(lambda: None).result()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        engine.handle_message(Inbound(phone=phone, text=turns[-1], profile_name=f"Partner {i}"))
        wall.append((time.perf_counter() - wall0) * 1000)
        publish._WORKER.submit(lambda: None).result()  # the background work it started, if any
        cpu.append((time.process_time() - cpu0) * 1000)
    store.close()
    print(f"finishing turn: wall p50 {statistics.median(wall):.1f} ms; service CPU with its "
          f"background work p50 {statistics.median(cpu):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    renders(count)
    fetches(count)
    completions(count)
