"""Voice notes to text: OpenAI's audio transcription API, with size, duration and time caps."""

from __future__ import annotations

import logging
import struct
from typing import Protocol

log = logging.getLogger("genie.voice")

OPUS_RATE = 48_000  # Ogg Opus granule positions count 48 kHz samples


class TranscriptionFailed(RuntimeError):
    """The audio could not be turned into text; the partner is asked to type instead."""


class Transcriber(Protocol):
    """Anything that turns a short audio clip into text."""

    def transcribe(self, audio: bytes, content_type: str) -> str:
        """The words spoken, or raise TranscriptionFailed."""
        ...


def ogg_duration_s(data: bytes) -> float | None:
    """The length of an Ogg Opus clip from its last page's granule position (None if unknown)."""
    last = data.rfind(b"OggS")
    if last < 0 or len(data) < last + 14:
        return None
    (granule,) = struct.unpack_from("<q", data, last + 6)
    return granule / OPUS_RATE if granule >= 0 else None


_EXTENSIONS = {"audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/amr": "amr",
               "audio/aac": "aac", "audio/wav": "wav", "audio/webm": "webm"}  # fmt: skip


class OpenAITranscriber:
    """Transcribes with the OpenAI (or compatible) audio API; one retry, a hard timeout."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 15.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_seconds: float = 180.0,
    ) -> None:
        from openai import OpenAI  # the LLM extra is always installed with langchain-openai

        self._client = OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=1)
        self.model, self.max_bytes, self.max_seconds = model, max_bytes, max_seconds

    def transcribe(self, audio: bytes, content_type: str) -> str:
        """The transcript; TranscriptionFailed when too big, too long or on any error."""
        if len(audio) > self.max_bytes:
            raise TranscriptionFailed(f"voice note of {len(audio)} bytes is over the cap")
        kind = content_type.split(";")[0].strip().lower()
        duration = ogg_duration_s(audio) if kind == "audio/ogg" else None
        if duration is not None and duration > self.max_seconds:
            raise TranscriptionFailed(f"voice note of {duration:.0f} s is over the cap")
        name = f"voice.{_EXTENSIONS.get(kind, 'ogg')}"
        try:
            result = self._client.audio.transcriptions.create(
                model=self.model, file=(name, audio, kind)
            )
        except Exception as exc:  # any API, network or timeout error: ask the partner to type
            raise TranscriptionFailed(f"transcription failed: {type(exc).__name__}") from exc
        spoken = (getattr(result, "text", None) or "").strip()
        if not spoken:
            raise TranscriptionFailed("transcription was empty")
        return spoken
