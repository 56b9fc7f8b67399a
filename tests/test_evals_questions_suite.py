"""The question suite counts a reply as an honest refusal only when it declines without guessing."""

from __future__ import annotations

import pytest

from evals.suites.questions import not_covered_markers
from prompts import fill, message_languages, template


def _said(text: str) -> bool:
    return any(marker in text.lower() for marker in not_covered_markers())


@pytest.mark.parametrize("language", message_languages())
def test_not_covered_and_off_topic_replies_are_refusals(language: str) -> None:
    not_covered = template("answer_not_covered", language)
    off_topic = template("assistant_fallback", language)
    assert _said(fill(not_covered, {"name": "Asha", "support": "your partner manager"}))
    assert _said(fill(off_topic, {"name": "Asha", "resume_hint": ""}))


@pytest.mark.parametrize("language", message_languages())
def test_an_answer_or_a_session_is_not_a_refusal(language: str) -> None:
    menu = fill(template("assistant_greeting", language), {"name": "Asha", "resume_hint": ""})
    assert not _said(menu)
    assert not _said("The minimum order quantity is 500 kg per grade (from Session 3).")
