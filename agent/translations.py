"""Sessions in the partner's language: a session's translation, or its default text."""

from __future__ import annotations

from prompts import current_language, default_language
from store.models import TrainingSession

# The translated fields a session may carry per language (KB files validate the same names).
TRANSLATED_FIELDS = ("heading", "content", "questions", "quiz")


def has_translation(session: TrainingSession, language: str, default: str) -> bool:
    """True when `session` reads in `language`: it is the default, or a translation exists."""
    return language == default or bool(session.translations.get(language, {}).get("content"))


def has_quiz_translation(session: TrainingSession, language: str, default: str) -> bool:
    """True when `session`'s quiz reads in `language` (or there is no quiz to translate)."""
    if language == default or not session.quiz:
        return True
    return bool(session.translations.get(language, {}).get("quiz"))


def localized(session: TrainingSession, language: str, default: str) -> TrainingSession:
    """`session` with its fields in `language` when translated; unchanged otherwise.

    The copy keeps `translations`, so `has_translation` still tells a fallback apart.
    """
    if language == default:
        return session
    translation = session.translations.get(language) or {}
    if not translation.get("content"):
        return session
    update = {f: translation[f] for f in TRANSLATED_FIELDS if translation.get(f) is not None}
    return session.model_copy(update=update)


def for_turn(sessions: list[TrainingSession]) -> list[TrainingSession]:
    """The sessions in the current turn's language (see prompts.use_language)."""
    language, default = current_language(), default_language()
    return [localized(s, language, default) for s in sessions]


def missing(sessions: list[TrainingSession], language: str, default: str) -> list[int]:
    """Numbers of the sessions with no translation into `language`."""
    return [s.s_no for s in sessions if not has_translation(s, language, default)]


def missing_quizzes(sessions: list[TrainingSession], language: str, default: str) -> list[int]:
    """Numbers of the sessions whose quiz has no translation into `language`."""
    return [s.s_no for s in sessions if not has_quiz_translation(s, language, default)]
