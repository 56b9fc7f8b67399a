"""Turn the media a partner sent into what the engine handles, says back and records."""

from __future__ import annotations

from dataclasses import dataclass

from agent.inbound_media import MediaReader, Understood
from agent.messages import Inbound
from prompts import message

ECHO_CHARS = 200


@dataclass(frozen=True)
class MediaTurn:
    """The text to handle (typed, or a voice note's words), and what to say and record."""

    text: str
    note: str  # transcript marker, e.g. "[image: https://…]"
    echo: str | None = None  # "🎤 I heard: …" before the replies to a transcribed voice note
    reply: str = ""  # the answer when there is nothing to handle

    def said(self) -> str:
        """The partner's transcript line: media markers, then the words."""
        return f"{self.note} {self.text}".strip()


def read_media(reader: MediaReader | None, inbound: Inbound) -> MediaTurn:
    """Understand the message's media; only media without typed text is downloaded."""
    typed = inbound.text.strip()
    if typed or reader is None:
        items = [Understood("media", url, "") for url in inbound.media_urls]
    else:
        items = [reader.understand(url) for url in inbound.media_urls]
    note = " ".join(f"[{item.kind}: {item.url}]" for item in items)
    heard = next((item.transcript for item in items if item.transcript), None)
    if not typed and heard:
        short = heard if len(heard) <= ECHO_CHARS else heard[: ECHO_CHARS - 1] + "…"
        return MediaTurn(heard, note, echo=message("voice_heard", text=short))
    kinds = {item.kind for item in items}
    if "audio" in kinds:
        reply = message("voice_type_please")
    elif kinds & {"image", "video", "document"}:
        reply = message("media_received")
    else:
        reply = message("media_only")
    return MediaTurn(typed, note, reply=reply)
