"""Validate the `translations` of a KB session: language tag -> translated fields."""

from __future__ import annotations

import re
from typing import Any

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TRANSLATION_FIELDS = ("heading", "content", "questions", "quiz")


def _field_problem(field: str, value: object) -> str | None:
    if field in ("heading", "content"):
        if not isinstance(value, str) or not value.strip():
            return f"{field} must be non-empty text"
    elif field == "questions":
        if not isinstance(value, list) or not all(isinstance(q, str) and q.strip() for q in value):
            return "questions must be a list of non-empty texts"
    elif field == "quiz" and not isinstance(value, dict):
        return "quiz must be a mapping"
    return None


def check_translations(value: object, label: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    """The translations with trimmed text; every problem found is appended to `problems`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{label} translations must map languages to fields")
        return {}
    cleaned: dict[str, dict[str, Any]] = {}
    for lang, fields in value.items():
        where = f"{label} translation {lang!r}"
        if not isinstance(lang, str) or not LANGUAGE_TAG.match(lang):
            problems.append(f"{where}: use a language tag such as 'hi'")
            continue
        if not isinstance(fields, dict):
            problems.append(f"{where} must be a mapping with heading, content")
            continue
        before = len(problems)
        for key in fields:
            if key not in TRANSLATION_FIELDS:
                allowed = ", ".join(TRANSLATION_FIELDS)
                problems.append(f"{where} has unknown key {key!r} ({allowed})")
        for required in ("heading", "content"):
            if required not in fields:
                problems.append(f"{where} is missing its {required}")
        for key, field_value in fields.items():
            problem = _field_problem(str(key), field_value) if key in TRANSLATION_FIELDS else None
            if problem:
                problems.append(f"{where}: {problem}")
        if len(problems) == before:
            cleaned[lang] = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    return cleaned


def coverage(sessions: list[Any]) -> dict[str, list[int]]:
    """For each language found in any session's translations, the sessions that lack it."""
    languages = sorted({lang for s in sessions for lang in s.translations})
    return {lang: [s.s_no for s in sessions if lang not in s.translations] for lang in languages}


def quiz_coverage(sessions: list[Any]) -> dict[str, list[int]]:
    """For each language found in any translation, the sessions whose quiz it lacks."""
    languages = sorted({lang for s in sessions for lang in s.translations})
    return {
        lang: [s.s_no for s in sessions if s.quiz and not s.translations.get(lang, {}).get("quiz")]
        for lang in languages
    }
