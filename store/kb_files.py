"""Load the training knowledge base from YAML or Markdown files, and export it back.

YAML: a list of mappings with s_no, heading, content, optional media_url and translations,
or a mapping whose `sessions` key holds that list. Markdown: see store.kb_markdown; its
translations are sibling files, one per language (`training.md` + `training.hi.md`).
Every problem is reported as a KBFileError naming the file and, where possible, the line.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Literal

from store.kb_markdown import dump_markdown, parse_markdown
from store.kb_quiz_translation import translated_quiz
from store.kb_translations import coverage, quiz_coverage
from store.kb_validation import KBFileError, located, validate_sessions
from store.kb_yaml import dump_yaml, parse_yaml
from store.models import TrainingSession

__all__ = [
    "SAMPLE_FILE",
    "KBFileError",
    "KBFormat",
    "coverage",
    "dump_kb",
    "dump_translation_md",
    "format_for",
    "load_kb_file",
    "load_kb_text",
    "quiz_coverage",
    "sample_sessions",
]

KBFormat = Literal["yaml", "md"]
SAMPLE_FILE = "sample_content.yaml"
_SUFFIXES: dict[str, KBFormat] = {".yaml": "yaml", ".yml": "yaml", ".md": "md"}
_LANGUAGE_PART = re.compile(r"^[a-z]{2}(-[A-Za-z0-9]{2,8})?$")  # "hi" in training.hi.md


def format_for(path: str | Path) -> KBFormat:
    """Pick the file format from the file name's extension."""
    path = Path(path)
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        allowed = ", ".join(_SUFFIXES)
        raise KBFileError(located(path.name, None, f"unsupported file type (use {allowed})"))
    return fmt


def load_kb_text(text: str, fmt: KBFormat, name: str = "<text>") -> list[TrainingSession]:
    """Parse knowledge-base text in the given format; `name` is used in error messages."""
    raws, problems = parse_yaml(text, name) if fmt == "yaml" else parse_markdown(text, name)
    return validate_sessions(raws, name, problems)


def _read_text(path: Path) -> str:
    try:
        # utf-8-sig: files saved by Windows editors often start with a byte-order mark
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KBFileError(located(path.name, None, f"file not found: {path}")) from None
    except UnicodeDecodeError as error:
        msg = f"not UTF-8 text (byte {error.start}); save the file as UTF-8"
        raise KBFileError(located(path.name, None, msg)) from error
    except OSError as error:
        raise KBFileError(located(path.name, None, f"cannot read file: {error}")) from error
    return text


def translation_files(path: str | Path) -> dict[str, Path]:
    """The Markdown translations next to `path`: language -> file (`kb.md` -> `kb.hi.md`)."""
    path = Path(path)
    found = {}
    for sibling in path.parent.glob(f"{glob_escape(path.stem)}.*{path.suffix}"):
        language = sibling.name[len(path.stem) + 1 : -len(path.suffix)]
        if _LANGUAGE_PART.match(language):
            found[language] = sibling
    return dict(sorted(found.items()))


def glob_escape(text: str) -> str:
    """`text` with glob wildcards escaped, for file names with brackets or stars."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _attach(sessions: list[TrainingSession], language: str, path: Path) -> None:
    """Add the sessions of a Markdown translation file to `sessions` as `language`."""
    translated = load_kb_text(_read_text(path), "md", path.name)
    by_number = {s.s_no: s for s in sessions}
    problems = []
    for t in translated:
        if t.s_no not in by_number:
            problems.append(located(path.name, None, f"session {t.s_no} is not in the main file"))
        elif t.media_url or t.media:
            msg = f"session {t.s_no}: put its media lines in the main file, not a translation"
            problems.append(located(path.name, None, msg))
        else:
            fields: dict[str, object] = {"heading": t.heading, "content": t.content}
            if t.questions:
                fields["questions"] = t.questions
            if t.quiz:
                where = f"{path.name}: session {t.s_no} translation {language!r}"
                found: list[str] = []
                fields["quiz"] = translated_quiz(by_number[t.s_no].quiz, t.quiz, where, found)
                problems += found
            by_number[t.s_no].translations[language] = fields
    if problems:
        raise KBFileError("\n".join(problems), problems)


def load_kb_file(path: str | Path) -> list[TrainingSession]:
    """Read a .yaml/.yml/.md knowledge-base file into sessions sorted by s_no.

    A Markdown file brings its translations along: `kb.hi.md` next to `kb.md` is Hindi.
    """
    path = Path(path)
    fmt = format_for(path)
    sessions = load_kb_text(_read_text(path), fmt, path.name)
    if fmt == "md":
        for language, other in translation_files(path).items():
            _attach(sessions, language, other)
    return sessions


def dump_kb(sessions: list[TrainingSession], fmt: KBFormat) -> str:
    """Export sessions (sorted by s_no) as YAML or Markdown text that load_kb_text reads back."""
    ordered = sorted(sessions, key=lambda session: session.s_no)
    if fmt == "yaml":
        return dump_yaml(ordered)
    if fmt == "md":
        return dump_markdown(ordered)
    raise ValueError(f"unknown knowledge-base format {fmt!r} (use 'yaml' or 'md')")


def dump_translation_md(sessions: list[TrainingSession], language: str) -> str:
    """The sessions translated into `language` as Markdown (the `kb.<language>.md` file)."""
    translated = [
        TrainingSession(
            s_no=s.s_no,
            heading=t["heading"],
            content=t["content"],
            questions=t.get("questions", []),
            quiz=t.get("quiz"),
        )
        for s in sorted(sessions, key=lambda session: session.s_no)
        if (t := s.translations.get(language))
    ]
    return dump_markdown(translated)


def sample_sessions() -> list[TrainingSession]:
    """Return the packaged sample training content (a fictional metals distributor)."""
    text = resources.files("store").joinpath(SAMPLE_FILE).read_text(encoding="utf-8")
    return load_kb_text(text, "yaml", SAMPLE_FILE)
