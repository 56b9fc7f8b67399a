"""Where a certificate's PDF and verification page live: public URLs and the local file."""

from __future__ import annotations

from pathlib import Path


def pdf_url(base_url: str | None, code: str) -> str | None:
    """The public URL of the certificate PDF (sent as WhatsApp media), or None without a base."""
    return f"{base_url.rstrip('/')}/certificates/{code}.pdf" if base_url else None


def verify_url(base_url: str | None, code: str) -> str:
    """The verification page; a relative path when no public base URL is configured."""
    return f"{(base_url or '').rstrip('/')}/verify/{code}"


def pdf_path(folder: str | None, code: str) -> Path | None:
    """Where the PDF is kept on disk, or None when certificates are not kept as files."""
    return Path(folder) / f"{code}.pdf" if folder else None
