"""A certificate's PDF, rendered once: on its first request, then read from the folder.

Nothing renders while the partner's turn runs. The first fetch of the PDF (Twilio fetches the
media URL when it sends the certificate message; the managers' email worker needs it for the
attachment) renders it and keeps it in the certificates folder, and every later fetch reads
the file. Two requests for a PDF that is not yet kept render it once: the second waits.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from pathlib import Path

from agent.certificates import links
from agent.certificates.renderer import render
from agent.quiz.config import QuizConfig
from store.admin import erase_variants
from store.quiz_store import Certificate, QuizStore

log = logging.getLogger("genie.certificates")
_LOCKS = [threading.Lock() for _ in range(32)]  # one render per code at a time, few locks


def certificate_pdf(config: QuizConfig, certificate: Certificate) -> bytes:
    """The PDF: the kept file when there is one, else rendered now (and kept when a folder is
    configured). The caller checks that the certificate is not revoked."""
    path = links.pdf_path(config.certificate_dir, certificate.code)
    kept = _read(path)
    if kept is not None:
        return kept
    with _LOCKS[zlib.crc32(certificate.code.encode()) % len(_LOCKS)]:
        kept = _read(path)  # rendered by the request this one waited for
        if kept is not None:
            return kept
        verify = links.verify_url(config.public_base_url, certificate.code)
        pdf = render(certificate, verify, config.render_processes)
        if path is not None:
            _keep(path, pdf)
        return pdf


def forget_pdf(config: QuizConfig, code: str) -> None:
    """Delete the kept PDF (a revoked certificate's): it is not served, so it is not kept."""
    path = links.pdf_path(config.certificate_dir, code)
    if path is not None:
        path.unlink(missing_ok=True)


def forget_partner_pdfs(config: QuizConfig, quiz_store: QuizStore, phone: str) -> None:
    """Delete the kept PDFs of every certificate of the phone (however it is written): before
    a privacy erasure deletes their records."""
    for variant in erase_variants(phone):
        for certificate in quiz_store.certificates(str(variant)):
            forget_pdf(config, certificate.code)


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:  # unreadable: render again rather than fail the request
        log.error("certificate file %s unreadable: %s", path, exc)
        return None


def _keep(path: Path, pdf: bytes) -> None:
    """Write the file whole or not at all (a reader never sees half a PDF)."""
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pdf)
        os.replace(partial, path)
    except OSError as exc:  # still served: rendered again on the next request
        log.error("certificate %s not kept in %s: %s", path.stem, path.parent, exc)
        partial.unlink(missing_ok=True)
