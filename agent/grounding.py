"""Decide whether a model-written answer may be sent: cited, and with no invented numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from agent.retrieval import Passage

NOT_COVERED = "NOT_COVERED"
_CITATION = re.compile(r"\(\s*_?from\s+session\s+(\d+)[^)]*\)", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Verdict(StrEnum):
    """What to do with a model answer."""

    GROUNDED = "grounded"  # send it
    NOT_COVERED = "not_covered"  # the model says the passages don't answer: say so, suggest help
    UNGROUNDED = "ungrounded"  # no valid citation or an unknown number: send the extract instead


def _numbers(text: str) -> set[str]:
    """Numbers in `text`, written without thousands separators ("1,500" and "1500" match)."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def judge(answer: str, passages: Sequence[Passage], question: str) -> tuple[Verdict, str]:
    """The verdict on `answer` and why, given the passages it was written from."""
    text = answer.strip()
    if not text or NOT_COVERED in text:
        return Verdict.NOT_COVERED, "the model found no answer in the passages"
    cited = {int(n) for n in _CITATION.findall(text)}
    if not cited:
        return Verdict.UNGROUNDED, "the answer cites no session"
    sources = {p.s_no for p in passages}
    if not cited <= sources:
        return Verdict.UNGROUNDED, f"the answer cites sessions {sorted(cited - sources)} not found"
    known = _numbers(" ".join(p.text for p in passages)) | _numbers(question)
    invented = _numbers(_CITATION.sub(" ", text)) - known
    if invented:
        return Verdict.UNGROUNDED, f"the answer has numbers not in the content: {sorted(invented)}"
    return Verdict.GROUNDED, "cited and grounded"
