"""What a partner's picture, document or voice note means for the turn.

The media is fetched (Twilio media URLs need the account credentials; a size cap and a
timeout bound the download); a voice note becomes text when a transcriber is configured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from agent.voice import Transcriber, TranscriptionFailed

log = logging.getLogger("genie.media")


@dataclass(frozen=True)
class Understood:
    """What one inbound media item turned out to be: its kind, and the words of a voice note."""

    kind: str  # audio, image, video, document, other
    url: str
    content_type: str
    transcript: str | None = None


def media_kind(content_type: str) -> str:
    """audio, image, video or document from a MIME type ("other" for anything else)."""
    major = content_type.split("/", 1)[0].strip().lower()
    if major in ("audio", "image", "video"):
        return major
    return "document" if major in ("application", "text") else "other"


class MediaReader:
    """Downloads inbound media and transcribes voice notes."""

    def __init__(
        self,
        *,
        auth: tuple[str, str] | None,
        transcriber: Transcriber | None,
        timeout_s: float = 10.0,
        max_bytes: int = 5 * 1024 * 1024,
    ) -> None:
        self.auth, self.transcriber = auth, transcriber
        self.timeout_s, self.max_bytes = timeout_s, max_bytes

    def understand(self, url: str) -> Understood:
        """The item's kind (and transcript for a voice note); never raises."""
        try:
            content_type, data = self._download(url)
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("inbound media not downloaded: %s", exc)
            return Understood("other", url, "")
        kind = media_kind(content_type)
        if kind != "audio" or self.transcriber is None:
            return Understood(kind, url, content_type)
        try:
            return Understood(
                kind, url, content_type, self.transcriber.transcribe(data, content_type)
            )
        except TranscriptionFailed as exc:
            log.warning("voice note not transcribed: %s", exc)
            return Understood(kind, url, content_type)

    def _download(self, url: str) -> tuple[str, bytes]:
        """The media's content type and bytes; ValueError when over the size cap."""
        client = httpx.Client(timeout=self.timeout_s, follow_redirects=True, auth=self.auth)
        with client, client.stream("GET", url) as response:
            response.raise_for_status()
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > self.max_bytes:
                raise ValueError(f"media of {declared} bytes is over the cap")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise ValueError("media is over the size cap")
            return response.headers.get("Content-Type", ""), bytes(body)
