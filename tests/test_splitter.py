"""Splitting long replies into WhatsApp-sized numbered parts without losing or cutting words."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.splitter import TARGET_LIMIT, WHATSAPP_LIMIT, split_message

_NUMBERING = re.compile(r"\n\((\d+)/(\d+)\)$")


def bodies(parts: list[str]) -> list[str]:
    """The parts without their "(i/n)" numbering, checking the numbering on the way."""
    if len(parts) == 1:
        return parts
    out = []
    for i, part in enumerate(parts, start=1):
        match = _NUMBERING.search(part)
        assert match and (int(match[1]), int(match[2])) == (i, len(parts)), part[-20:]
        out.append(part[: match.start()])
    return out


def test_a_short_text_is_one_unnumbered_part() -> None:
    assert split_message("  Hello there.  ") == ["Hello there."]
    assert split_message("x" * TARGET_LIMIT) == ["x" * TARGET_LIMIT]


def test_long_text_splits_on_paragraphs_into_numbered_parts() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 150 for i in range(4)]  # ~770 chars each
    parts = split_message("\n\n".join(p.strip() for p in paragraphs))
    assert len(parts) == 4 and parts[0].endswith("\n(1/4)") and parts[3].endswith("\n(4/4)")
    assert all(len(p) <= TARGET_LIMIT < WHATSAPP_LIMIT for p in parts)
    assert [b.split(".")[0] for b in bodies(parts)] == [f"Paragraph {i}" for i in range(4)]


def test_a_long_paragraph_splits_between_sentences() -> None:
    sentence = "This sentence is about forty characters. "
    parts = split_message(sentence * 60)
    assert len(parts) == 2
    assert all(body.endswith("characters.") for body in bodies(parts))


def test_a_sentence_longer_than_a_part_splits_between_words() -> None:
    text = " ".join(f"w{i}" for i in range(700))  # one 3,3k-char sentence
    parts = split_message(text)
    assert len(parts) == 3
    assert " ".join(bodies(parts)).split() == text.split()


def test_line_breaks_in_a_long_paragraph_are_kept_and_nothing_is_dropped() -> None:
    lines = [f"https://example.com/item/{i}" for i in range(100)]  # 2.8k chars, no blank line
    parts = split_message("\n".join(lines))
    assert len(parts) == 2
    assert "\n".join(bodies(parts)).split("\n") == lines


def test_a_word_longer_than_a_part_is_cut_but_not_lost() -> None:
    giant = "x" * 3000
    parts = split_message(f"see {giant} end")
    assert all(len(p) <= TARGET_LIMIT for p in parts)
    assert "".join("".join(bodies(parts)).split()) == f"see{giant}end"


def test_a_limit_with_no_room_for_numbering_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_message("hello " * 10, limit=15)


_word = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzäé₹0123456789-'"), min_size=1, max_size=25
)
_punctuated = st.tuples(_word, st.sampled_from(["", "", "", ".", "!", "?", ","])).map("".join)
_lines = st.lists(_word, min_size=2, max_size=80).map("\n".join)  # a list, one item a line
_gap = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", " \n\n ", "\n\n\n"])
_text = st.lists(st.tuples(_punctuated | _lines, _gap), min_size=1, max_size=300).map(
    lambda pairs: "".join(w + g for w, g in pairs)
)


@settings(max_examples=150, deadline=None)
@given(text=_text, limit=st.integers(min_value=60, max_value=1600))
def test_parts_fit_and_keep_every_word_in_order(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert " ".join(bodies(parts)).split() == text.split()


_anything = st.text(min_size=1, max_size=200) | st.builds(
    str.__mul__, st.characters(), st.integers(min_value=1, max_value=600)
)


@settings(max_examples=80, deadline=None)
@given(
    text=st.lists(_anything, min_size=1, max_size=8).map(" ".join),
    limit=st.integers(min_value=30, max_value=300),
)
def test_any_text_keeps_every_character(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(len(p) <= limit for p in parts)
    assert "".join("".join(bodies(parts)).split()) == "".join(text.split())
