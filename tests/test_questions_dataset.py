"""Checks that the question-answering eval dataset matches the sample training content."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from agent.languages import from_script
from store.kb_files import sample_sessions

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "questions.jsonl"
KEYS = {"question", "expected_session", "must_contain", "must_not_contain", "tags"}
OPTIONAL = {"language"}  # a row in another language is checked against that translation


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    lines = DATASET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def contents() -> dict[tuple[str, int], str]:
    """(language, s_no) -> lower-cased content of the sample in that language."""
    texts = {}
    for session in sample_sessions():
        texts["en", session.s_no] = session.content.lower()
        for language, translation in session.translations.items():
            texts[language, session.s_no] = translation["content"].lower()
    return texts


def test_rows_have_the_documented_shape(rows: list[dict[str, Any]]) -> None:
    assert len(rows) >= 40
    for row in rows:
        assert KEYS <= set(row) <= KEYS | OPTIONAL, row
        assert row["question"].strip()
        assert all(isinstance(item, str) and item for item in row["must_contain"])
        assert all(isinstance(item, str) and item for item in row["must_not_contain"])
        assert row["tags"]
    assert len({row["question"] for row in rows}) == len(rows), "duplicate questions"


def test_answerable_facts_are_in_the_expected_session(
    rows: list[dict[str, Any]], contents: dict[tuple[str, int], str]
) -> None:
    for row in rows:
        s_no = row["expected_session"]
        if s_no is None:
            continue
        content = contents[row.get("language", "en"), s_no]
        assert row["must_contain"], row["question"]
        for fact in row["must_contain"]:
            assert fact.lower() in content, (row["question"], fact)
        for invented in row["must_not_contain"]:
            assert invented.lower() not in content, (row["question"], invented)


def test_not_covered_questions(
    rows: list[dict[str, Any]], contents: dict[tuple[str, int], str]
) -> None:
    uncovered = [row for row in rows if row["expected_session"] is None]
    assert len(uncovered) >= 8
    everything = " ".join(contents.values())
    for row in uncovered:
        assert row["must_contain"] == [] and "not_covered" in row["tags"]
        assert row["must_not_contain"], row["question"]
        for invented in row["must_not_contain"]:
            assert invented.lower() not in everything, (row["question"], invented)


def test_every_session_is_asked_about(rows: list[dict[str, Any]]) -> None:
    per_session = Counter(row["expected_session"] for row in rows)
    assert all(per_session[s_no] >= 3 for s_no in range(1, 8)), per_session
    assert sum("paraphrase" in row["tags"] for row in rows) >= 10


def test_hindi_rows_are_in_devanagari_for_every_session(rows: list[dict[str, Any]]) -> None:
    hindi = [row for row in rows if row.get("language") == "hi"]
    assert {row["expected_session"] for row in hindi} >= set(range(1, 8))
    assert all(from_script(row["question"]) == "hi" for row in hindi)
