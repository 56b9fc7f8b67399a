"""Turn parsed knowledge-base entries into validated TrainingSessions, citing file lines."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default

from store.kb_media import check_media
from store.kb_quiz_translation import translated_quiz
from store.kb_translations import check_translations
from store.models import TrainingSession


class KBFileError(ValueError):
    """A knowledge-base file that cannot be read; the message names the file and line."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else [message]


@dataclass
class RawSession:
    """One session as found in a file, before validation, with the line of each field.

    Values are whatever the file held (any YAML type); a missing field is None and its
    line falls back to the session's own line.
    """

    position: int
    line: int
    s_no: object = None
    heading: object = None
    content: object = None
    media_url: object = None
    media: object = None
    questions: object = None
    translations: object = None
    s_no_line: int | None = None
    heading_line: int | None = None
    content_line: int | None = None
    media_url_line: int | None = None
    media_line: int | None = None
    questions_line: int | None = None
    quiz: object = None
    quiz_line: int | None = None
    quiz_question_lines: list[int] = default(default_factory=list)
    translations_line: int | None = None


def located(name: str, line: int | None, message: str) -> str:
    """Format a problem as '<file> line <n>: <message>' (or '<file>: ...' without a line)."""
    return f"{name} line {line}: {message}" if line is not None else f"{name}: {message}"


def _text_problem(value: object, field: str) -> str | None:
    if value is None:
        return f"is missing its {field}"
    if not isinstance(value, str):
        return f"{field} must be text, got {value!r} (put it in quotes)"
    if not value.strip():
        return "has an empty heading" if field == "heading" else f"has empty {field}"
    return None


MAX_QUESTION_CHARS = 300


def _question_problems(value: object) -> list[str]:
    """Why a `questions` value is not a list of distinct one-line questions (none: fine)."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [f"questions must be a list of example questions, got {value!r}"]
    problems, seen = [], set()
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            problems.append(f"question #{i} must be non-empty text, got {item!r}")
        elif "\n" in item.strip() or "\r" in item.strip():
            problems.append(f"question #{i} must be one line")
        elif len(item.strip()) > MAX_QUESTION_CHARS:
            problems.append(f"question #{i} is longer than {MAX_QUESTION_CHARS} characters")
        elif item.strip().casefold() in seen:
            problems.append(f"question #{i} repeats an earlier one: {item.strip()!r}")
        else:
            seen.add(item.strip().casefold())
    return problems


def _session_number(raw: RawSession, name: str, problems: list[str]) -> int | None:
    """Return the entry's s_no if it is a whole number of 1 or more, else record why not."""
    s_no = raw.s_no
    line = raw.s_no_line or raw.line
    if s_no is None:
        problems.append(located(name, line, f"entry #{raw.position} is missing its s_no"))
    elif isinstance(s_no, bool) or not isinstance(s_no, int):
        msg = f"entry #{raw.position} s_no must be a whole number, got {s_no!r}"
        problems.append(located(name, line, msg))
    elif s_no < 1:
        problems.append(located(name, line, f"entry #{raw.position} s_no must be 1 or more"))
    else:
        return s_no
    return None


def _build(
    raw: RawSession, s_no: int | None, label: str, name: str, problems: list[str]
) -> TrainingSession | None:
    """Check heading, content, media_url and questions; the session if every field is sound."""
    before = len(problems)
    for field, value, line in (
        ("heading", raw.heading, raw.heading_line),
        ("content", raw.content, raw.content_line),
    ):
        problem = _text_problem(value, field)
        if problem:
            problems.append(located(name, line or raw.line, f"{label} {problem}"))
    media = raw.media_url
    if media is not None and (not isinstance(media, str) or not media.strip()):
        line = raw.media_url_line or raw.line
        problems.append(located(name, line, f"{label} media_url must be a non-empty text URL"))
    items, media_problems = check_media(raw.media) if raw.media is not None else ([], [])
    for problem in media_problems:
        problems.append(located(name, raw.media_line or raw.line, f"{label} {problem}"))
    for problem in _question_problems(raw.questions):
        problems.append(located(name, raw.questions_line or raw.line, f"{label} {problem}"))
    from store.kb_quiz import validate_quiz  # kb_quiz uses `located` from this module

    quiz = validate_quiz(
        raw.quiz, raw.quiz_line or raw.line, raw.quiz_question_lines, label, name, problems
    )
    found: list[str] = []
    translations = check_translations(raw.translations, label, found)
    for lang, fields in translations.items():
        if "quiz" in fields and not found and (quiz is not None or raw.quiz is None):
            where = f"{label} translation {lang!r}"
            fields["quiz"] = translated_quiz(quiz, fields["quiz"], where, found)
    problems += [located(name, raw.translations_line or raw.line, p) for p in found]
    if s_no is None or len(problems) > before:
        return None
    assert isinstance(raw.heading, str) and isinstance(raw.content, str)
    return TrainingSession(
        s_no=s_no,
        heading=raw.heading.strip(),
        content=raw.content.strip(),
        media_url=media.strip() if isinstance(media, str) else None,
        media=items,
        questions=[q.strip() for q in raw.questions] if isinstance(raw.questions, list) else [],
        quiz=quiz,
        translations=translations,
    )


def validate_sessions(
    raws: list[RawSession], name: str, found: list[str] | None = None
) -> list[TrainingSession]:
    """Check every entry and return sessions sorted by s_no, or raise listing all problems.

    `found` carries problems the parser already met, so one error reports them all.
    """
    problems = list(found or [])
    if not raws and not problems:
        raise KBFileError(located(name, None, "no sessions found"))
    sessions: list[TrainingSession] = []
    first_line_of: dict[int, int] = {}
    for raw in raws:
        s_no = _session_number(raw, name, problems)
        label = f"session {s_no}" if s_no is not None else f"entry #{raw.position}"
        if s_no is not None:
            line = raw.s_no_line or raw.line
            if s_no in first_line_of:
                msg = f"{label} is a duplicate (first defined on line {first_line_of[s_no]})"
                problems.append(located(name, line, msg))
            else:
                first_line_of[s_no] = line
        session = _build(raw, s_no, label, name, problems)
        if session is not None:
            sessions.append(session)
    if problems:
        raise KBFileError("\n".join(problems), problems)
    return sorted(sessions, key=lambda session: session.s_no)
