"""Load the training knowledge base from YAML or Markdown files, and export it back.

YAML: a list of mappings with s_no, heading, content and optional media_url, or a
mapping whose `sessions` key holds that list. Markdown: see store.kb_markdown.
Every problem is reported as a KBFileError naming the file and, where possible, the line.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from store.kb_markdown import dump_markdown, parse_markdown
from store.kb_validation import KBFileError, located, validate_sessions
from store.kb_yaml import dump_yaml, parse_yaml
from store.models import TrainingSession

__all__ = [
    "SAMPLE_FILE",
    "KBFileError",
    "KBFormat",
    "dump_kb",
    "format_for",
    "load_kb_file",
    "load_kb_text",
    "sample_sessions",
]

KBFormat = Literal["yaml", "md"]
SAMPLE_FILE = "sample_content.yaml"
_SUFFIXES: dict[str, KBFormat] = {".yaml": "yaml", ".yml": "yaml", ".md": "md"}


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


def load_kb_file(path: str | Path) -> list[TrainingSession]:
    """Read a .yaml/.yml/.md knowledge-base file into sessions sorted by s_no."""
    path = Path(path)
    fmt = format_for(path)
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
    return load_kb_text(text, fmt, path.name)


def dump_kb(sessions: list[TrainingSession], fmt: KBFormat) -> str:
    """Export sessions (sorted by s_no) as YAML or Markdown text that load_kb_text reads back."""
    ordered = sorted(sessions, key=lambda session: session.s_no)
    if fmt == "yaml":
        return dump_yaml(ordered)
    if fmt == "md":
        return dump_markdown(ordered)
    raise ValueError(f"unknown knowledge-base format {fmt!r} (use 'yaml' or 'md')")


def sample_sessions() -> list[TrainingSession]:
    """Return the packaged sample training content (a fictional metals distributor)."""
    text = resources.files("store").joinpath(SAMPLE_FILE).read_text(encoding="utf-8")
    return load_kb_text(text, "yaml", SAMPLE_FILE)
