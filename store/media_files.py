"""Files admins upload for sessions (pictures, videos, documents, audio), under unguessable names.

The local directory is the default; an S3-compatible bucket would implement the same two
methods.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Protocol

from store.kb_media import SIZE_LIMITS

# WhatsApp's supported media types -> (kind, file extension)
MEDIA_TYPES: dict[str, tuple[str, str]] = {
    "image/jpeg": ("image", "jpg"),
    "image/png": ("image", "png"),
    "video/mp4": ("video", "mp4"),
    "video/3gpp": ("video", "3gp"),
    "audio/ogg": ("audio", "ogg"),
    "audio/mpeg": ("audio", "mp3"),
    "audio/aac": ("audio", "aac"),
    "audio/amr": ("audio", "amr"),
    "audio/mp4": ("audio", "m4a"),
    "application/pdf": ("document", "pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("document", "docx"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "document",
        "pptx",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", "xlsx"),
}
_NAME = re.compile(r"^[A-Za-z0-9_-]{22,64}\.[a-z0-9]{2,5}$")


class MediaRejected(ValueError):
    """An upload WhatsApp could not send: unsupported type or over the size limit."""


def kind_and_extension(content_type: str) -> tuple[str, str]:
    """The media kind and file extension for a MIME type, or MediaRejected."""
    found = MEDIA_TYPES.get(content_type.split(";")[0].strip().lower())
    if found is None:
        allowed = ", ".join(sorted(MEDIA_TYPES))
        raise MediaRejected(f"unsupported media type {content_type!r} (WhatsApp takes {allowed})")
    return found


def size_limit(kind: str) -> int:
    """WhatsApp's size limit in bytes for a media kind."""
    return SIZE_LIMITS[kind]


class MediaStorage(Protocol):
    """Where uploaded media lives."""

    def save(self, data: bytes, extension: str) -> str:
        """Store the bytes; return the new file's unguessable name."""
        ...

    def path(self, name: str) -> Path | None:
        """The stored file for a name, or None (also for names that are not ours)."""
        ...


class LocalMediaStorage:
    """Media files in one local directory."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def save(self, data: bytes, extension: str) -> str:
        """Write the file under 128 random bits; return its name."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_urlsafe(16)}.{extension}"
        (self.directory / name).write_bytes(data)
        return name

    def path(self, name: str) -> Path | None:
        """The file for `name`; None for unknown or malformed names (no path tricks)."""
        if not _NAME.match(name):
            return None
        candidate = self.directory / name
        return candidate if candidate.is_file() else None
