"""Checks that the labelled eval datasets (intents, safety) are well formed and big enough."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from agent.languages import from_script

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"
SESSION_COUNT = 7

INTENT_LABELS = {
    "enroll",
    "resume",
    "next",
    "previous",
    "menu",
    "complete",
    "jump",
    "restart",
    "exit",
    "progress",
    "question",
    "other",
}
# Free-text intents get double weight because they carry the hard negatives.
MIN_PER_INTENT = {label: 25 for label in INTENT_LABELS} | {"question": 50, "other": 50}
MIN_INTENT_ROWS = 420
INTENT_TAGS = {
    "paraphrase",
    "typo",
    "emoji",
    "terse",
    "polite",
    "hinglish",
    "hard_negative",
    "ordinal",
    "number_word",
    "digits",
}
# The variations a classifier most often gets wrong must stay well represented.
MIN_PER_TAG = {"hinglish": 25, "hard_negative": 25, "typo": 25, "emoji": 20, "polite": 20}
INTENT_KEYS = {"text", "intent", "session", "in_training", "current_session", "tags"}
INTENT_OPTIONAL = {"session", "language"}  # language: "hi" for rows written in Devanagari

SAFETY_TAGS = {
    "injection",
    "system_prompt_leak",
    "privacy",
    "out_of_order",
    "abuse",
    "jailbreak",
    "hidden_instruction",
    "hinglish",
}
SAFETY_REQUIRED = {
    "text",
    "in_training",
    "current_session",
    "completed",
    "must_not_change",
    "must_not_contain",
    "tags",
}
SAFETY_KEYS = SAFETY_REQUIRED | {"expect_current_session"}
MIN_SAFETY_ROWS = 30
MIN_PER_SAFETY_TAG = 3


def load_rows(name: str) -> list[dict[str, Any]]:
    """Parse one JSONL dataset, failing with the line number of any unreadable row."""
    rows: list[dict[str, Any]] = []
    lines = (DATASETS / name).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        assert line.strip(), f"{name}:{number} is blank"
        row = json.loads(line)
        assert isinstance(row, dict), f"{name}:{number} is not a JSON object"
        rows.append(row)
    return rows


def is_session(value: object) -> bool:
    """True for an int session number in 1..7 (bool is an int subclass, so exclude it)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= SESSION_COUNT


def assert_tags(row: dict[str, Any], allowed: set[str]) -> None:
    """Tags are a non-empty list of known, distinct labels."""
    tags = row["tags"]
    assert isinstance(tags, list) and tags, row
    assert set(tags) <= allowed, row
    assert len(tags) == len(set(tags)), row


@pytest.fixture(scope="module")
def intent_rows() -> list[dict[str, Any]]:
    """The intent dataset, parsed once for the module."""
    return load_rows("intents.jsonl")


@pytest.fixture(scope="module")
def safety_rows() -> list[dict[str, Any]]:
    """The safety dataset, parsed once for the module."""
    return load_rows("safety.jsonl")


def test_intent_rows_have_valid_fields(intent_rows: list[dict[str, Any]]) -> None:
    """Every intent row has exactly the allowed keys with the right types."""
    for row in intent_rows:
        assert set(row) <= INTENT_KEYS | INTENT_OPTIONAL, row
        assert set(row) >= INTENT_KEYS - INTENT_OPTIONAL, row
        if "language" in row:  # optional: the eval report otherwise goes by the script
            assert row["language"] == (from_script(row["text"]) or "en"), row
        assert isinstance(row["text"], str) and row["text"].strip(), row
        assert row["intent"] in INTENT_LABELS, row
        assert isinstance(row["in_training"], bool), row
        assert row["current_session"] is None or is_session(row["current_session"]), row
        assert_tags(row, INTENT_TAGS)


def test_session_is_present_only_and_always_for_jump(intent_rows: list[dict[str, Any]]) -> None:
    """A jump names a real target session different from the current one; nothing else does."""
    for row in intent_rows:
        if row["intent"] == "jump":
            assert is_session(row.get("session")), row
            assert row["session"] != row["current_session"], row
        else:
            assert "session" not in row, row


def test_partner_state_matches_the_label(intent_rows: list[dict[str, Any]]) -> None:
    """Labels stay meaningful: next needs a later session, previous an earlier one."""
    for row in intent_rows:
        if row["intent"] in {"next", "previous", "complete", "exit", "question"}:
            assert row["in_training"] and row["current_session"] is not None, row
        if row["intent"] == "next":
            assert row["current_session"] < SESSION_COUNT, row
        if row["intent"] == "previous":
            assert row["current_session"] > 1, row
        if row["intent"] == "resume":
            assert row["current_session"] is not None, row


def test_intent_counts_meet_minimums(intent_rows: list[dict[str, Any]]) -> None:
    """Each intent, and the dataset as a whole, is large enough to score reliably."""
    assert len(intent_rows) >= MIN_INTENT_ROWS
    counts = Counter(row["intent"] for row in intent_rows)
    short = {
        label: counts[label] for label, least in MIN_PER_INTENT.items() if counts[label] < least
    }
    assert not short, f"intents below their minimum: {short}"


def test_tag_coverage(intent_rows: list[dict[str, Any]]) -> None:
    """Every tag is used, and the hard variations meet their minimums."""
    counts = Counter(tag for row in intent_rows for tag in row["tags"])
    assert set(counts) == INTENT_TAGS
    short = {tag: counts[tag] for tag, least in MIN_PER_TAG.items() if counts[tag] < least}
    assert not short, f"tags below their minimum: {short}"


def test_intent_texts_are_unique(intent_rows: list[dict[str, Any]]) -> None:
    """No text appears twice, ignoring case and surrounding spaces."""
    counts = Counter(row["text"].strip().casefold() for row in intent_rows)
    duplicates = sorted(text for text, count in counts.items() if count > 1)
    assert not duplicates, f"duplicate texts: {duplicates}"


def test_safety_rows_have_valid_fields(safety_rows: list[dict[str, Any]]) -> None:
    """Every safety row has the required keys with the right types and a consistent state."""
    for row in safety_rows:
        assert SAFETY_REQUIRED <= set(row) <= SAFETY_KEYS, row
        assert isinstance(row["text"], str) and row["text"].strip(), row
        assert isinstance(row["in_training"], bool), row
        assert row["current_session"] is None or is_session(row["current_session"]), row
        completed = row["completed"]
        assert isinstance(completed, list) and all(is_session(s) for s in completed), row
        assert completed == sorted(set(completed)), row
        assert isinstance(row["must_not_change"], bool), row
        banned = row["must_not_contain"]
        assert isinstance(banned, list) and banned, row
        assert all(isinstance(s, str) and s.strip() for s in banned), row
        if "expect_current_session" in row:
            assert is_session(row["expect_current_session"]), row
        assert_tags(row, SAFETY_TAGS)


def test_safety_coverage(safety_rows: list[dict[str, Any]]) -> None:
    """Enough cases overall and per attack family, with no repeated case."""
    assert len(safety_rows) >= MIN_SAFETY_ROWS
    counts = Counter(tag for row in safety_rows for tag in row["tags"])
    families = SAFETY_TAGS - {"hinglish"}
    short = {tag: counts[tag] for tag in families if counts[tag] < MIN_PER_SAFETY_TAG}
    assert not short, f"safety families below {MIN_PER_SAFETY_TAG}: {short}"
    cases = Counter(
        (row["text"].casefold(), row["in_training"], row["current_session"]) for row in safety_rows
    )
    assert all(count == 1 for count in cases.values()), "a safety case is repeated"
    assert sum(row["must_not_change"] for row in safety_rows) >= MIN_SAFETY_ROWS


def test_paraphrase_probes_are_valid_and_quote_the_content() -> None:
    """The own synonym probes: 42 rows, real sessions, every fact verbatim in the content."""
    from store.kb_files import sample_sessions

    content = " ".join(s.content for s in sample_sessions()).lower()
    rows = load_rows("paraphrase/questions_synonyms.jsonl")
    assert len(rows) == 42
    assert sum(r["expected_session"] is None for r in rows) == 10
    for row in rows:
        assert row["expected_session"] is None or is_session(row["expected_session"]), row
        assert all(fact.lower() in content for fact in row["must_contain"]), row
