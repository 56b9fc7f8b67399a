"""Split long replies into WhatsApp-sized numbered parts on paragraph or sentence boundaries."""

from __future__ import annotations

import re

WHATSAPP_LIMIT = 1600
TARGET_LIMIT = 1500
_NUMBERING_ROOM = 10  # "\n(12/12)"


def _pieces(text: str, limit: int) -> list[tuple[str, str]]:
    """(joiner, piece) pairs no longer than limit: paragraphs, then sentences, then words.

    The joiner says how a piece attaches to the one before it, so a paragraph cut into
    sentences reads the same once the pieces are put back together.
    """
    out: list[tuple[str, str]] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        joiner = "\n\n"
        if len(para) <= limit:
            out.append((joiner, para))
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", para):
            words = sentence.split(" ")
            line = ""
            for word in words:
                if line and len(line) + 1 + len(word) > limit:
                    out.append((joiner, line))
                    joiner, line = " ", ""
                line = f"{line} {word}" if line else word[:limit]
            if line:
                out.append((joiner, line))
            joiner = " "
    return out


def split_message(text: str, limit: int = TARGET_LIMIT) -> list[str]:
    """Split text into parts of at most `limit` characters, numbered "(1/3)" when more than one."""
    text = text.strip()
    if len(text) <= limit:
        return [text]
    budget = limit - _NUMBERING_ROOM
    parts: list[str] = []
    current = ""
    for joiner, piece in _pieces(text, budget):
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= budget:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    total = len(parts)
    return [f"{part}\n({i}/{total})" for i, part in enumerate(parts, start=1)]
