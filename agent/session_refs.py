"""Find a session number in free text: "section 5", "session five", "the 2nd session", "#3"."""

from __future__ import annotations

import re

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "ek": 1, "do": 2, "teen": 3, "char": 4, "paanch": 5, "chhe": 6, "saat": 7, "aath": 8,
    "pehla": 1, "doosra": 2, "dusra": 2, "teesra": 3, "chautha": 4,
}  # fmt: skip
_NUMBER = r"(\d{1,3})(?:st|nd|rd|th)?"
_WORD = "(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")"
_NOUN = r"(?:session|sessions|section|module|lesson|part|chapter|sesion|sessoin|secton|s)"

# Ordered from most to least specific; each pattern has one group holding the number or word.
_PATTERNS = [
    re.compile(rf"\b{_NOUN}\s*(?:no\.?|number|#)?\s*{_NUMBER}\b"),
    re.compile(rf"#\s*{_NUMBER}\b"),
    re.compile(rf"\b{_NUMBER}\s*{_NOUN}\b"),
    re.compile(rf"\b{_NOUN}\s+{_WORD}\b"),
    re.compile(rf"\b{_WORD}\s+{_NOUN}\b"),
    re.compile(rf"\b(?:the\s+)?{_WORD}\s+(?:one|wala)\b"),
    re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\s+(?:one|wala)\b"),
]
_BARE_NUMBER = re.compile(rf"^\s*(?:go to|goto|open|show|jump to)?\s*#?\s*{_NUMBER}\s*$")
# Session words that should not count as a number ("do" is Hindi for two but also English).
_AMBIGUOUS = {"do", "one", "s"}


def _value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _WORDS.get(token)


def find_session_number(text: str) -> int | None:
    """The session number the text refers to, or None; `text` should be lower-case."""
    bare = _BARE_NUMBER.match(text)
    if bare:
        return int(bare.group(1))
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            token = match.group(1)
            if token in _AMBIGUOUS and pattern is not _PATTERNS[0]:
                continue
            value = _value(token)
            if value is not None:
                return value
    return None


def span_of_session_ref(text: str) -> tuple[int, int] | None:
    """Where in the text the session reference is, so callers can ignore those words."""
    bare = _BARE_NUMBER.match(text)
    if bare:
        return bare.span()
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match and match.group(1) not in _AMBIGUOUS:
            return match.span()
    return None
