"""Lay a session out as WhatsApp messages with its media items where the author placed them.

WhatsApp carries one media item per message, with an optional caption, so every item is its
own reply between the text parts; the text parts are numbered "(i/n)" across the session.
"""

from __future__ import annotations

import re
from typing import Any

from agent.messages import Reply
from agent.splitter import TARGET_LIMIT, split_message


def _paragraphs(content: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", content.strip()) if p.strip()]


def _segments(
    header: str, content: str, hint: str, media: list[dict[str, Any]]
) -> list[str | dict[str, Any]]:
    """Text blocks and media items in reading order (items past the end go last)."""
    paragraphs = _paragraphs(content)
    out: list[str | dict[str, Any]] = []
    text: list[str] = [header]
    for index in range(len(paragraphs) + 1):
        here = [m for m in media if min(int(m.get("after_paragraph", 0)), len(paragraphs)) == index]
        if here:
            if text:
                out.append("\n\n".join(text))
                text = []
            out.extend(here)
        if index < len(paragraphs):
            text.append(paragraphs[index])
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
