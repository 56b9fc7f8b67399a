"""Split long replies into WhatsApp-sized numbered parts on paragraph or sentence boundaries."""

from __future__ import annotations

import re
from collections.abc import Iterator

WHATSAPP_LIMIT = 1600
TARGET_LIMIT = 1500
_NUMBERING_ROOM = 10  # "\n(12/12)"


def _with_separators(text: str, pattern: str) -> list[tuple[str, str]]:
    """(separator before, chunk) pairs; `pattern` captures the separator.

    Separators become one newline or one space, so line breaks inside a paragraph survive.
    """
    pieces = re.split(pattern, text)
    out = [("", pieces[0])]
    for i in range(1, len(pieces) - 1, 2):
        out.append(("\n" if "\n" in pieces[i] else " ", pieces[i + 1]))
    return out


def _words(sentence: str, limit: int) -> Iterator[tuple[str, str]]:
    """(separator, word) pairs; a word longer than `limit` (e.g. a URL) is cut, never dropped."""
    for sep, word in _with_separators(sentence, r"(\s+)"):
        while len(word) > limit:
            yield sep, word[:limit]
            sep, word = "", word[limit:]
        yield sep, word


def _pieces(text: str, limit: int) -> list[tuple[str, str]]:
    """(joiner, piece) pairs no longer than limit: paragraphs, then sentences, then words.

    The joiner says how a piece attaches to the one before it, so a paragraph cut into
    sentences reads the same once the pieces are put back together.
    """
    out: list[tuple[str, str]] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        if len(para) <= limit:
            out.append(("\n\n", para))
            continue
        joiner = "\n\n"
        for sentence_sep, sentence in _with_separators(para, r"(?<=[.!?।])(\s+)"):
            joiner = sentence_sep or joiner
            line = ""
            for sep, word in _words(sentence, limit):
                if line and len(line) + len(sep) + len(word) > limit:
                    out.append((joiner, line))
                    joiner, line = sep, ""
                line = f"{line}{sep}{word}" if line else word
            if line:
                out.append((joiner, line))
    return out


def split_message(text: str, limit: int = TARGET_LIMIT, numbered: bool = True) -> list[str]:
    """Split text into parts of at most `limit` characters, numbered "(1/3)" when more than one
    (unless `numbered` is False: the caller numbers parts it mixes with others)."""
    if limit <= 2 * _NUMBERING_ROOM:
        raise ValueError(f"limit must leave room for the part numbers, got {limit}")
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
    if total == 1 or not numbered:  # one part after collapsing whitespace: no "(1/1)"
        return parts
    return [f"{part}\n({i}/{total})" for i, part in enumerate(parts, start=1)]
