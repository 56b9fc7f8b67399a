"""Languages: every messages file complete, detection by script, explicit choice, fallbacks."""

from __future__ import annotations

import string

import pytest
import yaml

from agent.languages import available, first_language, from_script, request_in
from agent.translations import for_turn, has_translation, localized, missing
from prompts import DEFAULT_DIR, current_language, message, message_languages, use_language
from store.kb_files import sample_sessions
from store.models import TrainingSession


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _texts(language: str) -> dict[str, str]:
    path = DEFAULT_DIR / f"messages.{language}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", [lang for lang in message_languages() if lang != "en"])
def test_every_language_has_every_message_with_the_same_placeholders(language: str) -> None:
    english, other = _texts("en"), _texts(language)
    assert sorted(other) == sorted(english), "keys differ from messages.en.yaml"
    for key, text in english.items():
        assert _placeholders(other[key]) == _placeholders(text), key


def test_hindi_ships() -> None:
    assert {"en", "hi"} <= set(message_languages())


def test_message_follows_the_language_of_the_turn() -> None:
    assert "Welcome" in message("welcome", name="Asha", total=7)
    with use_language("hi"):
        assert current_language() == "hi"
        assert "स्वागत" in message("welcome", name="Asha", total=7)
    assert current_language() == "en"


def test_a_language_without_a_file_or_key_falls_back_to_the_default() -> None:
    with use_language("ta", default="hi"):
        assert "स्वागत" in message("welcome", name="Asha", total=7)
    with use_language("ta"):
        assert "Welcome" in message("welcome", name="Asha", total=7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("मैं नया पार्टनर हूँ", "hi"),
        ("SS316 किस काम के लिए सही है?", "hi"),
        ("I am a new partner", None),
        ("main naya partner hu", None),  # Hinglish in Latin script stays in the default
        ("ok 👍", None),
        ("123", None),
    ],
)
def test_script_detection(text: str, expected: str | None) -> None:
    assert from_script(text) == expected


def test_first_language_only_picks_a_language_the_content_has() -> None:
    assert first_language("नमस्ते", ["en", "hi"], "en") == "hi"
    assert first_language("नमस्ते", ["en"], "en") == "en"
    assert first_language("hello", ["en", "hi"], "en") == "en"


@pytest.mark.parametrize(
    ("text", "language", "menu"),
    [
        ("Hindi", "hi", False),
        ("हिंदी", "hi", False),
        ("हिन्दी में बात करो", "hi", False),
        ("Hindi mein baat karo please", "hi", False),
        ("English please", "en", False),
        ("in english", "en", False),
        ("अंग्रेज़ी", "en", False),
        ("language", None, True),
        ("भाषा", None, True),
        ("change language", None, True),
        ("what is the hindi word for steel", None, False),
        ("I don't speak english well, what is MOQ?", None, False),
        ("next", None, False),
    ],
)
def test_explicit_choice(text: str, language: str | None, menu: bool) -> None:
    request = request_in(text)
    if language is None and not menu:
        assert request is None
    else:
        assert request is not None and request.language == language and request.menu == menu


def _session(s_no: int, **translations: dict[str, str]) -> TrainingSession:
    return TrainingSession(
        s_no=s_no, heading=f"H{s_no}", content=f"C{s_no}", translations=translations
    )


def test_sessions_are_localized_and_fall_back_to_the_default_text() -> None:
    translated = _session(1, hi={"heading": "शीर्षक", "content": "सामग्री"})
    plain = _session(2)
    assert localized(translated, "hi", "en").heading == "शीर्षक"
    assert localized(translated, "en", "en").heading == "H1"
    assert localized(plain, "hi", "en").content == "C2"
    assert not has_translation(plain, "hi", "en") and has_translation(plain, "en", "en")
    assert missing([translated, plain], "hi", "en") == [2]
    with use_language("hi"):
        assert [s.heading for s in for_turn([translated, plain])] == ["शीर्षक", "H2"]


def test_offered_languages_are_the_default_plus_translations_with_messages() -> None:
    sessions = [
        _session(1, hi={"heading": "h", "content": "c"}, xx={"heading": "h", "content": "c"})
    ]
    assert available(sessions, "en") == ["en", "hi"]  # no messages.xx.yaml: not offered
    assert available([_session(1)], "en") == ["en"]


def test_the_sample_content_is_fully_translated_into_hindi() -> None:
    sessions = sample_sessions()
    assert missing(sessions, "hi", "en") == []
    for session in sessions:
        hindi = session.translations["hi"]
        assert from_script(hindi["content"]) == "hi" and from_script(hindi["heading"]) == "hi"
        # Codes, amounts and contacts stay exactly as in the English text.
        for token in ("SS316", "₹1,500", "KP-12345", "partners@kestrelmetals.example"):
            assert (token in session.content) == (token in hindi["content"]), (session.s_no, token)
        # Every quiz is translated: the same questions, the original's answers.
        quiz, originals = hindi["quiz"]["questions"], (session.quiz or {})["questions"]
        assert len(quiz) == len(originals)
        for mine, original in zip(quiz, originals, strict=True):
            assert from_script(mine["question"]) == "hi", (session.s_no, mine["question"])
            if not isinstance(original["answer"], list):
                assert mine["answer"] == original["answer"]
            assert from_script(mine["explanation"]) == "hi", (session.s_no, mine["explanation"])
