"""The partner's language: which languages exist, detection from script, and explicit choice.

prompts/languages.yaml names the languages and the words that choose them; a language is
offered once the content has sessions in it and Genie has its messages file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from prompts import message_languages, prompts_dir
from store.models import Progress, TrainingSession

_MAJORITY = 0.5  # share of a message's letters that must be in a language's script


@dataclass(frozen=True)
class Language:
    """One language from prompts/languages.yaml."""

    code: str
    name: str
    choose: frozenset[str]
    script: re.Pattern[str] | None = None


@dataclass(frozen=True)
class LanguageBook:
    """Every configured language, the menu words and the filler words around a choice."""

    languages: dict[str, Language]
    menu: frozenset[str]
    filler: frozenset[str]
    vocabulary: frozenset[str]  # every word of every choice and menu phrase (a quick reject)


def words(text: str) -> list[str]:
    """Lower-case words, keeping Devanagari vowel signs (which are not alphanumeric)."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    kept = [ch if unicodedata.category(ch)[0] in "LMN" or ch == "'" else " " for ch in text]
    return "".join(kept).split()


def _phrase(text: object) -> str:
    return " ".join(words(str(text)))


@lru_cache(maxsize=4)
def _book(folder: str) -> LanguageBook:
    raw = yaml.safe_load((Path(folder) / "languages.yaml").read_text(encoding="utf-8"))
    languages = {
        str(code): Language(
            code=str(code),
            name=str(entry["name"]),
            choose=frozenset(_phrase(w) for w in entry.get("choose", [])),
            script=re.compile(f"[{entry['script']}]") if entry.get("script") else None,
        )
        for code, entry in raw["languages"].items()
    }
    menu = frozenset(_phrase(w) for w in raw.get("menu", []))
    phrases = [p for language in languages.values() for p in language.choose] + list(menu)
    return LanguageBook(
        languages=languages,
        menu=menu,
        filler=frozenset(_phrase(w) for w in raw.get("filler", [])),
        vocabulary=frozenset(w for p in phrases for w in p.split()),
    )


def book() -> LanguageBook:
    """The configured languages (prompts/languages.yaml, cached)."""
    return _book(str(prompts_dir()))


def name_of(code: str) -> str:
    """The display name of a language code ("hi" -> "हिंदी (Hindi)")."""
    language = book().languages.get(code)
    return language.name if language else code


def available(sessions: list[TrainingSession], default: str) -> list[str]:
    """Languages a partner can choose: the default and every translation Genie has texts for."""
    spoken = set(message_languages())
    found = {lang for s in sessions for lang in s.translations if lang in spoken}
    return [default, *sorted(found - {default})]


def from_script(text: str) -> str | None:
    """The configured language whose script most of the letters of `text` are in, if any."""
    letters = sum(ch.isalpha() or unicodedata.category(ch).startswith("M") for ch in text)
    if not letters:
        return None
    for language in book().languages.values():
        if language.script is not None and len(language.script.findall(text)) / letters > _MAJORITY:
            return language.code
    return None


def first_language(text: str, offered: list[str], default: str) -> str:
    """The language for a partner's first message: its script's language, else the default."""
    guess = from_script(text)
    return guess if guess in offered else default


@dataclass(frozen=True)
class Request:
    """What a message asks about languages: to see the menu, or to use one language."""

    menu: bool = False
    language: str | None = None


def _without_filler(said: str, phrase: str) -> bool:
    rest = re.sub(rf"(?<!\S){re.escape(phrase)}(?!\S)", " ", said)
    return all(w in book().filler for w in rest.split())


def request_in(text: str) -> Request | None:
    """The language request `text` makes, when the whole message is one; else None.

    "Hindi", "हिंदी", "English please", "Hindi mein baat karo" choose a language;
    "language" or "भाषा" asks for the menu. Anything longer is left to the classifier.
    """
    said_words = words(text)
    if not said_words or len(said_words) > 8 or book().vocabulary.isdisjoint(said_words):
        return None
    said = " ".join(said_words)
    for language in book().languages.values():
        for phrase in language.choose:
            if re.search(rf"(?<!\S){re.escape(phrase)}(?!\S)", said) and _without_filler(
                said, phrase
            ):
                return Request(language=language.code)
    for phrase in sorted(book().menu, key=len, reverse=True):
        if re.search(rf"(?<!\S){re.escape(phrase)}(?!\S)", said) and _without_filler(said, phrase):
            return Request(menu=True)
    return None


def language_of(progress: Progress | None, default: str) -> str:
    """The language to write to a partner in (their stored choice, else the default)."""
    return progress.language if progress and progress.language else default
