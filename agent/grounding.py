"""Decide whether a model-written answer may be sent: cited, and with no invented numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from enum import StrEnum

from agent.retrieval import Passage
from prompts import template

NOT_COVERED = "NOT_COVERED"
_CITATION = re.compile(r"\(\s*_?from\s+session\s+(\d+)[^)]*\)", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _citation_pattern() -> re.Pattern[str]:
    """Citations in English or in the turn's language ("(सत्र 3: ... से)"), from messages."""
    forms = [_CITATION.pattern]
    local = template("citation")
    if "{s_no}" in local:
        before, _, after = local.partition("{s_no}")
        parts = [re.escape(before.strip()), r"\s*(\d+)", re.escape(after.split("{heading}")[0])]
        forms.append("".join(parts).replace(r"\ ", r"\s*") + r"[^)]*\)")
    return re.compile("|".join(f"(?:{f})" for f in forms), re.IGNORECASE)


def _cited(text: str) -> set[int]:
    return {int(n) for groups in _citation_pattern().findall(text) for n in groups if n}


def _as_digit(found: re.Match[str]) -> str:
    ch = found.group()
    return str(unicodedata.digit(ch)) if ch.isdigit() else ch


def _ascii_digits(text: str) -> str:
    """Devanagari (and other) digits as 0-9, so "१५००" and "1500" compare equal."""
    # Only non-ASCII characters can change (ASCII digits are already 0-9): the regex skips
    # the rest in C instead of a Python call per character of the passages.
    return _NON_ASCII.sub(_as_digit, text)


class Verdict(StrEnum):
    """What to do with a model answer."""

    GROUNDED = "grounded"  # send it
    NOT_COVERED = "not_covered"  # the model says the passages don't answer: say so, suggest help
    UNGROUNDED = "ungrounded"  # no valid citation or an unknown number: send the extract instead


def _numbers(text: str) -> set[str]:
    """Numbers in `text`, written without thousands separators ("1,500" and "1500" match)."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(_ascii_digits(text))}


def judge(answer: str, passages: Sequence[Passage], question: str) -> tuple[Verdict, str]:
    """The verdict on `answer` and why, given the passages it was written from."""
    text = answer.strip()
    if not text or NOT_COVERED in text:
        return Verdict.NOT_COVERED, "the model found no answer in the passages"
    cited = _cited(_ascii_digits(text))
    if not cited:
        return Verdict.UNGROUNDED, "the answer cites no session"
    sources = {p.s_no for p in passages}
    if not cited <= sources:
        return Verdict.UNGROUNDED, f"the answer cites sessions {sorted(cited - sources)} not found"
    known = _numbers(" ".join(p.text for p in passages)) | _numbers(question)
    invented = _numbers(_citation_pattern().sub(" ", _ascii_digits(text))) - known
    if invented:
        return Verdict.UNGROUNDED, f"the answer has numbers not in the content: {sorted(invented)}"
    return Verdict.GROUNDED, "cited and grounded"
