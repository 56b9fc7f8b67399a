"""Lay a session out as WhatsApp messages with its media items where the author placed them.

WhatsApp carries one media item per message, with an optional caption, so every item is its
own reply between the text parts; the text parts are numbered "(i/n)" across the session.
"""

from __future__ import annotations

from typing import Any

from agent.messages import Reply
from agent.splitter import TARGET_LIMIT, split_message
from store.kb_media import in_reading_order


def _segments(
    header: str, content: str, hint: str, media: list[dict[str, Any]]
) -> list[str | dict[str, Any]]:
    """Text blocks and media items in reading order (items past the end go last)."""
    out: list[str | dict[str, Any]] = []
    text: list[str] = [header]
    for block in in_reading_order(content, media):
        if isinstance(block, str):
            text.append(block)
            continue
        if text:
            out.append("\n\n".join(text))
            text = []
        out.append(block)
    text.append(hint)
    out.append("\n\n".join(text))
    return out


def session_replies_with_media(
    header: str, content: str, hint: str, media: list[dict[str, Any]]
) -> list[Reply]:
    """The session's replies: numbered text parts with one reply per media item in place."""
    pieces: list[Reply | str] = []
    for segment in _segments(header, content, hint, media):
        if isinstance(segment, dict):
            pieces.append(Reply(text=segment.get("caption") or "", media_url=segment["url"]))
        else:
            pieces.extend(split_message(segment, TARGET_LIMIT, numbered=False))
    total = sum(isinstance(piece, str) for piece in pieces)
    replies: list[Reply] = []
    number = 0
    for piece in pieces:
        if isinstance(piece, Reply):
            replies.append(piece)
            continue
        number += 1
        replies.append(Reply(text=f"{piece}\n({number}/{total})" if total > 1 else piece))
    return replies
