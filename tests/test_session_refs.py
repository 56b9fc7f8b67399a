"""Finding the session a message refers to: digits, words, ordinals, Hinglish."""

from __future__ import annotations

import pytest

from agent.keywords import normalize
from agent.session_refs import find_session_number, find_session_ref, span_of_session_ref


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("section 5", 5),
        ("session five", 5),
        ("take me to the 2nd session", 2),
        ("go to #3", 3),
        ("3", 3),
        ("  7 ", 7),
        ("open 4", 4),
        ("session no. 6", 6),
        ("session number 2", 2),
        ("module 3", 3),
        ("lesson seven", 7),
        ("the third one", 3),
        ("4th session", 4),
        ("sesion 2", 2),
        ("teesra session", 3),
        ("session 12", 12),
        ("s5", 5),
    ],
)
def test_finds_the_number(text: str, number: int) -> None:
    assert find_session_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "next",
        "i have 2 customers",
        "what do i do now",  # "do" is also Hindi for two
        "is this the one",
        "how many sessions",
        "we go to 5 customers daily",  # a count of things, not a session
        "go to the first time",
        "the 5th of march",
    ],
)
def test_finds_no_number(text: str) -> None:
    assert find_session_number(text) is None


def test_span_covers_the_reference_words() -> None:
    text = "please show session 4 now"
    span = span_of_session_ref(text)
    assert span is not None and text[span[0] : span[1]] == "session 4"
    assert span_of_session_ref("nothing here") is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("would it be ok if i jump straight to the fifth session", 5),
        ("6th", 6),
        ("sixth", 6),
        ("paanchvan session", 5),
        ("तीसरा सत्र", 3),
        ("सत्र ३ दिखाओ", 3),
        ("चौथे सेशन पर ले चलो", 4),
        ("section -3", -3),
        ("session minus 2", -2),
        ("5 number wala", 5),
        ("skip to number five", 5),
        ("sessin 4", 4),
        ("lets go to 4th", 4),
        ("back to 2 pls", 2),
        ("I would like to go to the sixth, if that is ok", 6),
        ("6 th session pls", 6),
        ("chalo 4 pe", 4),
        ("3 pe le chalo", 3),
        ("skip ahead to the seventh plz", 7),
        ("actually let me do the 7th first", 7),
    ],
)
def test_finds_the_number_anywhere_in_a_sentence(text: str, number: int) -> None:
    assert find_session_number(normalize(text)) == number


def test_the_last_one_is_the_last_session() -> None:
    ref = find_session_ref("show me the last one")
    assert ref is not None and ref.last and ref.number is None
